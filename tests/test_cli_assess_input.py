"""What `igcds assess` is given is checked before anything runs (issue 10, items 9 and 11): every
refusal is one plain line and exit 2, the input file is never overwritten, a far-future --as-of is
said, and output that cannot be written ends cleanly."""

from __future__ import annotations

import errno
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer

from igcds.cli import assess_input, program
from igcds.fhir import read
from tests.conftest import ROOT, run_igcds

EXAMPLE = "examples/higm-cd40lg-boy.json"


def one_line_error(done: object, expected: str) -> None:
    assert (done.code, done.out) == (2, ""), done  # type: ignore[attr-defined]
    assert done.err == f"error: {expected}\n"  # type: ignore[attr-defined]


def test_unknown_format_is_one_line_not_a_usage_block() -> None:
    done = run_igcds("assess", EXAMPLE, "--format", "xml")
    assert (done.code, done.out) == (2, "")
    assert done.err.count("\n") == 1
    assert done.err.startswith("error: Invalid value for '--format'")
    assert "'xml' is not one of 'text', 'json', 'markdown', 'html'" in done.err


def test_missing_input_is_one_line() -> None:
    one_line_error(run_igcds("assess"), "Missing argument 'INPUT'.")


def test_no_command_still_prints_the_help() -> None:
    done = run_igcds()
    assert done.code == 2
    assert "Commands" in done.err


@pytest.mark.parametrize("as_of", ["20261123", "2026-W48-1", "2026-11-23T00:00", "26-11-23", "2026-13-01"])
def test_as_of_is_strictly_yyyy_mm_dd(as_of: str) -> None:
    one_line_error(run_igcds("assess", EXAMPLE, "--as-of", as_of), f"--as-of: not a date (YYYY-MM-DD): {as_of!r}")


def test_as_of_before_1900_is_refused() -> None:
    one_line_error(run_igcds("assess", EXAMPLE, "--as-of", "0001-01-01"), "--as-of: 0001-01-01 is before 1900-01-01")


def test_output_onto_the_input_file_is_refused(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    original = (ROOT / EXAMPLE).read_bytes()
    record.write_bytes(original)
    for target in (str(record), str(tmp_path / "." / "record.json")):
        done = run_igcds("assess", str(record), "-o", target)
        one_line_error(done, f"-o: {target} is the input file: igcds does not overwrite its input")
    assert record.read_bytes() == original


def test_output_beside_the_input_is_written(tmp_path: Path) -> None:
    done = run_igcds("assess", EXAMPLE, "--as-of", "2026-11-23", "-o", str(tmp_path / "report.txt"))
    assert done.code == 0
    assert (tmp_path / "report.txt").read_text(encoding="utf-8").startswith("igcds assessment")


def test_far_future_as_of_is_warned_about() -> None:
    ahead = assess_input.today() + timedelta(days=assess_input.FAR_FUTURE_DAYS + 1)
    done = run_igcds("assess", EXAMPLE, "--as-of", ahead.isoformat(), "--format", "json")
    warnings = json.loads(done.out)["warnings"]
    assert any(
        w.startswith(f"--as-of {ahead.isoformat()} is {assess_input.FAR_FUTURE_DAYS + 1} days after") for w in warnings
    )


def test_as_of_a_month_ahead_is_not_warned_about() -> None:
    ahead = assess_input.today() + timedelta(days=assess_input.FAR_FUTURE_DAYS)
    done = run_igcds("assess", EXAMPLE, "--as-of", ahead.isoformat(), "--format", "json")
    assert not any(w.startswith("--as-of") for w in json.loads(done.out)["warnings"])
    assert assess_input.far_future_warning(date(2026, 1, 1)) is None


def test_oversized_input_is_refused_unread(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(read, "MAX_INPUT_BYTES", 2**20)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2**20 + 1))
    one_line_error(run_igcds("assess", str(big)), f"{big}: larger than the 1 MiB igcds reads for one patient")
    one_line_error(
        run_igcds("assess", "-", stdin=" " * (2**20 + 1)), "stdin: larger than the 1 MiB igcds reads for one patient"
    )


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("a = " + "[" * 3000 + "1" + "]" * 3000 + "\n", "not a TOML policy file (nested too deeply)"),
        ("trough_target_mg_dl = " + "9" * 5000 + "\n", "not a TOML policy file (Exceeds the limit (4300 digits)"),
    ],
)
def test_policy_python_cannot_hold_is_an_input_error(tmp_path: Path, policy: str, message: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(policy)
    done = run_igcds("assess", EXAMPLE, "--policy", str(path))
    assert (done.code, done.out) == (2, "")
    assert done.err.startswith(f"error: {path}: {message}")
    assert done.err.count("\n") == 1


@pytest.mark.parametrize("args", [["assess", EXAMPLE, "--as-of", "2026-11-23"], ["products"]])
def test_stdout_that_cannot_be_written_ends_cleanly(args: list[str]) -> None:
    """`> /dev/full`: one line naming stdout and exit 2, not a traceback at exit (exit 120)."""
    script = Path(sys.executable).with_name("igcds")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(script), *args], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, check=False
        )
    assert (done.returncode, done.stderr) == (2, "error: stdout: cannot write (No space left on device)\n")


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def test_a_reader_that_stops_reading_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """`igcds assess … | head`: the closed pipe ends igcds quietly with exit 0, no message."""
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with pytest.raises(typer.Exit) as stopped:
        program.guarded(lambda: program.emit("report", None))
    assert stopped.value.exit_code == 0
    assert sys.stderr.getvalue() == ""
