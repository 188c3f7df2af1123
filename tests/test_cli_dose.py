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
        (
            ["--weight", "70", "--product", "gamunex"],
            "--product: unknown product 'gamunex'; known products: cutaquig, cuvitru",
        ),
        (
            ["--weight", "70", "--route", "IV", "--product", "hizentra"],
            "--product: Hizentra 20% is not labelled for IV use",
        ),
        (["--weight", "70", "--route", "SC", "--from-iv"], "--from-iv: needs --route SC, --mg-per-kg and"),
        (
            ["--weight", "70", "--route", "SC", "--from-iv", "--mg-per-kg", "400", "--interval-weeks", "4"],
            "--product: an SC product is needed to convert from IV",
        ),
        (
            [
                "--weight",
                "70",
                "--route",
                "SC",
                "--product",
                "xembify",
                "--from-iv",
                "--mg-per-kg",
                "400",
                "--interval-weeks",
                "4",
            ],
            "--product: Xembify 20% has no verified US-label conversion factor",
        ),
        (["--weight", "70", "--height", "1.75", "--sex", "male", "--policy", "tests/data/adjusted.toml"], "--height"),
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


def test_dose_with_a_product_gives_vials_volume_and_rate_steps() -> None:
    result = dose_json("--weight", "70", "--product", "gammagard-liquid")["dose"]
    assert isinstance(result, dict)
    assert (result["rounded_dose_g"], result["volume_ml"]) == (28, 280)
    assert [(v["grams"], v["count"]) for v in result["vials"]] == [(20, 1), (5, 1), (1, 3)]
    assert result["iv_infusion"]["total_minutes"] == 125
    assert "gammagard-liquid-label-2011" in result["citations"]


def test_iv_to_sc_conversion_on_the_command_line() -> None:
    """30 g IVIG every 4 weeks at 75 kg (400 mg/kg) to Hizentra: 30 x 1.37 / 4 = 10.275 g weekly."""
    args = ["--weight", "75", "--route", "SC", "--product", "hizentra", "--from-iv", "--mg-per-kg", "400"]
    result = dose_json(*args, "--interval-weeks", "4", "--age", "40")["dose"]
    assert isinstance(result, dict)
    assert (result["dose_g"], result["conversion_factor"], result["interval_days"]) == (10.28, 1.37, 7)
    assert result["rounded_dose_g"] == 10
    assert result["sc_infusion"]["sites"] == 4  # 50 mL at the first-infusion limit of 15 mL per site


def test_assess_and_dose_agree_on_a_product_plan() -> None:
    """The 3-year-old in examples/higm-cd40lg-boy.json starting IVIG, with Privigen chosen."""
    assessed = json.loads(
        run_igcds(
            "assess",
            "examples/higm-cd40lg-boy.json",
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
            "--product",
            "privigen",
        ).out
    )["dose"]
    computed = dose_json("--weight", "14.2", "--product", "privigen")["dose"]
    assert isinstance(computed, dict)
    for key in ("product", "dose_g", "rounded_dose_g", "volume_ml", "vials", "iv_infusion"):
        assert computed[key] == assessed[key], key


def test_assess_with_an_unknown_product_exits_2() -> None:
    done = run_igcds("assess", "examples/higm-cd40lg-boy.json", "--product", "octagam")
    assert done.code == 2
    assert "unknown product 'octagam'" in done.err


def test_without_a_product_the_dose_says_no_vials_and_how_to_choose_them() -> None:
    """Issue 13 item 9: no "Dispense (vial rounding)" line followed by "rounding not applied"."""
    done = run_igcds("dose", "--weight", "70")
    assert done.code == 0
    assert "No vials (no product chosen): 28 g (+0.0%) is the dose to the nearest gram." in done.out
    assert "--product ID" in done.out
    assert "Dispense" not in done.out
    assert "rounding not applied" not in done.out


@pytest.mark.parametrize(
    ("product", "route"), [("hizentra", "SC"), ("HyQvia", "SC"), ("PRIVIGEN", "IV"), ("gammagard-liquid", "IV")]
)
def test_a_product_implies_its_route_in_any_case(product: str, route: str) -> None:
    """Issue 13 item 10: a product labelled for one route gives that route; IV/SC products default to IV."""
    result = dose_json("--weight", "70", "--product", product)["dose"]
    assert isinstance(result, dict)
    assert (result["route"], result["product"]) == (route, product.lower())


def test_choices_are_case_insensitive() -> None:
    result = dose_json("--weight", "70", "--route", "sc", "--sex", "MALE", "--risk", "Renal")["dose"]
    assert isinstance(result, dict)
    assert result["route"] == "SC"


def test_hyqvia_defaults_to_every_4_weeks_with_the_label_ramp_up() -> None:
    """Issue 13 item 12: 400 mg/kg every 4 weeks (the site's IVIG start, inside the label's 300-600 mg/kg
    every 3-4 weeks), the label's ramp-up and the hyaluronidase step; no "no verified table" dead end."""
    result = dose_json("--weight", "70", "--product", "hyqvia")["dose"]
    assert isinstance(result, dict)
    assert (result["route"], result["mg_per_kg"], result["interval_days"]) == ("SC", 400, 28)
    assert [step["week"] for step in result["ramp_up"]] == [1, 2, 4, 7]
    assert "hyqvia-label" in result["citations"]
    warnings = " ".join(result["warnings"])
    assert "hyaluronidase first" in warnings
    assert "no verified table" not in warnings


def test_hyqvia_every_3_weeks_reaches_the_full_dose_at_week_4() -> None:
    result = dose_json("--weight", "70", "--product", "hyqvia", "--interval-weeks", "3")["dose"]
    assert isinstance(result, dict)
    assert [(step["week"], step["dose_g"]) for step in result["ramp_up"]] == [(1, 9.17), (2, 18.33), (4, 27.5)]


def test_assess_summary_is_one_line_with_diagnosis_first_action_and_dose() -> None:
    done = run_igcds("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23", "--format", "summary")
    assert done.code == 0
    assert done.out == (
        "higm-boy: Hyper-IgM syndrome (CD40LG) | first: Start lifelong immunoglobulin replacement [critical] | "
        "dose: IV 6 g every 4 weeks (400 mg/kg, no product chosen)\n"
    )


def test_assess_starts_hyqvia_at_its_label_interval(tmp_path: Path) -> None:
    """A new SC start on a site whose SC product is HyQvia: every 4 weeks with the ramp-up, not weekly."""
    policy = tmp_path / "site.toml"
    policy.write_text('sc_product = "hyqvia"\n')
    args = ("assess", "examples/sigmd-impaired-response-start.json", "--as-of", "2026-11-23", "--format", "json")
    done = run_igcds(*args, "--policy", str(policy))
    assert done.code == 0, done.err
    result = json.loads(done.out)["dose"]
    assert (result["route"], result["product"], result["interval_days"]) == ("SC", "hyqvia", 28)
    assert [step["week"] for step in result["ramp_up"]] == [1, 2, 4, 7]


def test_a_heavy_patient_without_height_gets_a_warning_not_an_error() -> None:
    """250 kg and no height: obesity is likely (>= height_check_weight_kg), so the dose says a height
    is needed to check the dosing weight; with a height, the BMI arithmetic takes its place."""
    done = run_igcds("dose", "--weight", "250")
    assert done.code == 0, done.err
    assert "height needed to check the dosing weight" in done.out
    warned = dose_json("--weight", "250")["dose"]
    assert isinstance(warned, dict)
    assert any(str(w).startswith("height needed to check the dosing weight") for w in warned["warnings"])
    measured = dose_json("--weight", "250", "--height", "180", "--sex", "male")["dose"]
    assert isinstance(measured, dict)
    assert not any("height needed" in str(w) for w in measured["warnings"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weight", "14", "--age", "130"], "error: --age: 130 years is above 125\n"),
        (
            ["--weight", "70", "--age", "0.05"],
            "error: --weight: 70 kg is impossible at --age 0.05 (plausible 0.3-12 kg)\n",
        ),
        (["--weight", "3", "--age", "40"], "error: --weight: 3 kg is impossible at --age 40 (plausible 4-400 kg)\n"),
    ],
)
def test_impossible_age_or_weight_for_age_is_refused(args: list[str], message: str) -> None:
    """Issue 10 item 7: an age of 130, or a weight no one of that age has, is an input error."""
    done = run_igcds("dose", *args)
    assert (done.code, done.out, done.err) == (2, "", message)


def test_weight_possible_at_the_age_is_dosed() -> None:
    assert run_igcds("dose", "--weight", "12", "--age", "0.05").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mg-per-kg", "nan"], "error: --mg-per-kg: must be a number, got nan\n"),
        (["--age", "nan"], "error: --age: must be a number, got nan\n"),
        (["--interval-weeks", "inf"], "error: --interval-weeks: must be a number of weeks, got inf\n"),
        (
            ["--mg-per-kg", "1e308"],
            "error: --mg-per-kg: 1e+308 mg/kg is not an immune globulin dose (at most 5000 mg/kg, plausibility.yaml)\n",
        ),
    ],
)
def test_figures_no_dose_can_have_are_one_line(args: list[str], message: str) -> None:
    """Found by trying the dose command's limits: these were internal errors (exit 1)."""
    done = run_igcds("dose", "--weight", "70", *args)
    assert (done.code, done.out, done.err) == (2, "", message)


def test_a_dose_at_the_plausible_limit_is_computed_with_the_ceiling_warning() -> None:
    done = run_igcds("dose", "--weight", "70", "--mg-per-kg", "5000", "--format", "json")
    assert done.code == 0
    assert any("above the ceiling" in warning for warning in json.loads(done.out)["warnings"])
