"""`igcds dose`: the same figures as the assessment's dose, clear errors for unusable input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_igcds


def dose_json(*args: str) -> dict[str, object]:
    done = run_igcds("dose", *args, "--format", "json")
    assert done.code == 0, done.err
    result: dict[str, object] = json.loads(done.out)
    return result


def test_dose_agrees_with_assess_for_the_same_patient() -> None:
    """The 3-year-old in examples/higm-cd40lg-boy.json (14.2 kg) starting IVIG."""
    assessed = json.loads(
        run_igcds("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23", "--format", "json").out
    )["dose"]
    computed = dose_json("--weight", "14.2", "--route", "IV")["dose"]
    assert isinstance(computed, dict)
    for key in ("route", "mg_per_kg", "interval_days", "dosing_weight_kg", "dose_g", "rounded_dose_g", "basis"):
        assert computed[key] == assessed[key], key


def test_adjusted_weight_policy_and_ordered_regimen(tmp_path: Path) -> None:
    policy = tmp_path / "site.toml"
    policy.write_text('dosing_weight = "adjusted-if-obese"\nrounding = "nearest-5g"\n')
    result = dose_json(
        "--weight",
        "100",
        "--height",
        "175",
        "--sex",
        "male",
        "--mg-per-kg",
        "500",
        "--interval-weeks",
        "3",
        "--policy",
        str(policy),
    )["dose"]
    assert isinstance(result, dict)
    assert (result["weight_basis"], result["dosing_weight_kg"], result["interval_days"]) == ("adjusted", 82.3, 21)
    assert (result["dose_g"], result["rounded_dose_g"]) == (41.14, 40)


def test_dose_above_the_ceiling_is_flagged() -> None:
    warnings = dose_json("--weight", "50", "--mg-per-kg", "900")["warnings"]
    assert isinstance(warnings, list)
    assert any("above the ceiling" in w for w in warnings)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weight", "0"], "--weight: must be positive"),
        (["--weight", "70", "--mg-per-kg", "-400"], "--mg-per-kg: must be positive"),
        (["--weight", "70", "--age", "-1"], "--age: must not be negative"),
    ],
)
def test_unusable_figures_exit_2(args: list[str], message: str) -> None:
    done = run_igcds("dose", *args)
    assert done.code == 2
    assert done.err.startswith(f"error: {message}")


def test_dose_has_help() -> None:
    done = run_igcds("dose", "--help")
    assert done.code == 0
    assert "--weight" in done.out
