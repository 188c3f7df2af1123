"""The installed `igcds` console script, in its own process, as a user runs it: the entry point
resolves, reads a file and standard input, and keeps the exit-code contract. Everything else about
the CLI is tested in-process (tests.conftest.run_igcds), which is the same code without the start-up."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import run_igcds, run_installed
from tests.fixtures import builder as b


def test_help_lists_the_commands() -> None:
    done = run_installed("--help")
    assert done.code == 0
    for command in ("assess", "dose", "guideline", "serve", "products", "knowledge"):
        assert command in done.out


def test_assess_a_file_as_the_in_process_runner_does() -> None:
    args = ("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23", "--format", "json")
    done = run_installed(*args)
    assert (done.code, done.err) == (0, "")
    assert json.loads(done.out)["diagnosis"]["code"] == "hyper-igm-syndrome"
    assert done.out == run_igcds(*args).out


def test_unusable_standard_input_is_one_line_and_exit_2() -> None:
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), b.weight("w1", -70, "2026-01-01"))
    done = run_installed("assess", "-", "--as-of", "2026-11-23", stdin=json.dumps(bundle))
    assert (done.code, done.out) == (2, "")
    assert done.err.count("\n") == 1
    assert done.err.startswith("error: Observation/w1 valueQuantity.value")


def test_dose_prints_the_plan() -> None:
    done = run_installed("dose", "--weight", "70", "--product", "gammagard-liquid")
    assert done.code == 0
    assert "28 g" in done.out


def test_help_loads_no_clinical_or_heavy_module() -> None:
    """`igcds --help` starts fast: the command modules import their work inside the command."""
    code = (
        "import sys\n"
        "from igcds.cli import main\n"
        "sys.argv = ['igcds', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('igcds.engine', 'igcds.knowledge', 'igcds.report', 'igcds.hooks', 'pydantic', 'yaml', 'fastapi')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: igcds" in done.stdout
    assert done.stderr.strip() == "[]"
