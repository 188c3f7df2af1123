"""Mutation fuzzing of the example Bundles through the `igcds assess` command, in-process (the same
code path as the console script): every mutated record gives exit 0 with the JSON contract, or
exit 2 with one plain line on stderr and nothing on stdout; never exit 1 (internal error).

CI runs a fixed 2,000 cases (about ten seconds); `make fuzz` runs 20,000 random ones
(IGCDS_FUZZ_CASES and IGCDS_FUZZ_RANDOM set the count and drop the fixed seed)."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

import typer
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from igcds.cli import app
from tests.fixtures.mutations import mutated_bundle

CASES = int(os.environ.get("IGCDS_FUZZ_CASES", "2000"))
CONTRACT_KEYS = {
    "schema",
    "igcds_version",
    "knowledge_version",
    "as_of",
    "patient",
    "diagnosis",
    "recommendations",
    "dose",
    "data_gaps",
    "warnings",
    "disclaimer",
}
EXITS: Counter[int] = Counter()
RUNNER = CliRunner()
COMMAND = typer.main.get_command(app)  # what the console script runs; built once, not per case


def assess(data: bytes, as_of: str) -> tuple[int, str, str]:
    """`igcds assess - --as-of AS_OF --format json` with `data` on stdin: (exit code, stdout, stderr)."""
    with RUNNER.isolation(input=data) as (out, err, _):
        try:
            COMMAND.main(["assess", "-", "--as-of", as_of, "--format", "json"], prog_name="igcds")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize="IGCDS_FUZZ_RANDOM" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_bundle())
def assess_mutated(case: tuple[str, bytes, str]) -> None:
    name, data, as_of = case
    code, out, err = assess(data, as_of)
    EXITS[code] += 1
    assert code in (0, 2), f"{name} --as-of {as_of}: exit {code}: {err}"
    if code == 0:
        result = json.loads(out)
        assert CONTRACT_KEYS <= set(result)
        assert result["schema"] == "igcds.assessment/1"
        assert result["as_of"] == as_of
    else:
        assert out == ""
        assert err.startswith("error: "), err
        assert err.count("\n") == 1, err
        assert "Traceback" not in err


def test_a_mutated_record_gives_an_assessment_or_one_line() -> None:
    """Every case ends in exit 0 or 2, and the mutations reach both the engine and the checks."""
    EXITS.clear()
    assess_mutated()
    if os.environ.get("IGCDS_FUZZ_REPORT"):
        print(f"\nfuzz: {sum(EXITS.values())} cases, exits {dict(sorted(EXITS.items()))}")
    assert EXITS[0] > CASES // 5, EXITS
    assert EXITS[2] > CASES // 5, EXITS
