"""Bad input of every kind gets one plain line on stderr naming the resource and field, exit 2,
and nothing on stdout; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_igcds
from tests.fixtures import builder as b


def base() -> list[dict[str, Any]]:
    return [b.patient("p1", "female", "1990-01-01"), b.ig("igm-1", "igm", 20, "2026-01-01")]


def with_resource(resource: dict[str, Any]) -> str:
    return json.dumps(b.bundle(*base(), resource))


CASES = [
    ("not JSON", "{not json", "stdin: not JSON"),
    ("not a Bundle", json.dumps({"resourceType": "Patient", "id": "x"}), "not a FHIR Bundle"),
    ("no Patient", json.dumps(b.bundle(b.ig("igm-1", "igm", 20, "2026-01-01"))), "no Patient resource"),
    (
        "two Patients",
        json.dumps(b.bundle(b.patient("a", "male", "2000-01-01"), b.patient("c", "male", "2001-01-01"))),
        "2 Patient resources (Patient/a, Patient/c)",
    ),
    (
        "unknown unit",
        with_resource(b.weight("w1", 11, "2026-01-01", unit="stone")),
        "Observation/w1 valueQuantity.unit",
    ),
    ("negative weight", with_resource(b.weight("w1", -70, "2026-01-01")), "Observation/w1 valueQuantity.value"),
    ("zero height", with_resource(b.height("h1", 0, "2026-01-01")), "Observation/h1 valueQuantity.value"),
    (
        "height in metres labelled cm",
        with_resource(b.height("h1", 1.75, "2026-01-01")),
        "Observation/h1 valueQuantity: height 1.75 cm is outside 20-260 cm: is it in another unit?",
    ),
    ("weight in grams labelled kg", with_resource(b.weight("w1", 3400, "2026-01-01")), "Observation/w1 valueQuantity"),
    ("impossible date", with_resource(b.ig("igg-1", "igg", 900, "2026-02-30")), "Observation/igg-1 effectiveDateTime"),
    (
        "unknown immunoglobulin unit",
        with_resource(b.ig("iga-1", "iga", 1, "2026-01-01", unit="mmol/L")),
        "Observation/iga-1 valueQuantity.unit",
    ),
    (
        "value not a number",
        with_resource({**b.ig("igg-1", "igg", 1, "2026-01-01"), "valueQuantity": {"value": "high", "unit": "mg/dL"}}),
        "Observation/igg-1 valueQuantity.value",
    ),
    (
        "birth date after the assessment",
        json.dumps(b.bundle(b.patient("p1", "female", "2027-01-01"))),
        "Patient/p1 birthDate",
    ),
    (
        "uninterpretable antibody response",
        with_resource(b.fact("f1", "pneumococcal-response", "2026-01-01", "maybe")),
        "Observation/f1 valueCodeableConcept",
    ),
    (
        "immune globulin dose in tablets",
        with_resource({**b.immune_globulin("ig-1", "2026-01-01"), "dosage": {"dose": {"value": 2, "unit": "tablet"}}}),
        "MedicationAdministration/ig-1 dosage[0].dose.unit",
    ),
    (
        "unknown gender",
        json.dumps(b.bundle({"resourceType": "Patient", "id": "p1", "gender": "m"})),
        "Patient/p1 gender",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_bundle_gives_one_line_and_exit_2(name: str, text: str, message: str) -> None:
    done = run_igcds("assess", "-", "--as-of", "2026-11-23", stdin=text)
    assert done.code == 2, done.err
    assert done.out == ""
    assert done.err.count("\n") == 1
    assert "Traceback" not in done.err
    assert message in done.err


def test_missing_file_is_an_input_error() -> None:
    done = run_igcds("assess", "no-such-file.json")
    assert done.code == 2
    assert "no-such-file.json: cannot read" in done.err


def test_bad_as_of_is_an_input_error() -> None:
    done = run_igcds("assess", "-", "--as-of", "2026-13-01", stdin="{}")
    assert (done.code, done.err.strip()) == (2, "error: --as-of: not a date (YYYY-MM-DD): '2026-13-01'")


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("unknown_key = 1\n", "policy unknown_key: unknown policy key"),
        ('rounding = "nearest-2g"\n', "policy rounding: 'nearest-2g' is not one of"),
        ("trough_target_mg_dl = 50\n", "policy trough_target_mg_dl: 50 is outside"),
        ("trough_target_mg_dl = \n", "not a TOML policy file"),
    ],
)
def test_bad_policy_is_an_input_error(tmp_path: Path, policy: str, message: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(policy)
    done = run_igcds("assess", "-", "--policy", str(path), stdin=json.dumps(b.bundle(*base())))
    assert done.code == 2
    assert message in done.err


def test_missing_optional_facts_never_crash() -> None:
    """A Patient with nothing else is assessed: out of scope (issue 16), so nothing to ask for."""
    bundle = b.bundle({"resourceType": "Patient", "id": "bare"})
    done = run_igcds("assess", "-", "--as-of", "2026-11-23", "--format", "json", stdin=json.dumps(bundle))
    assert done.code == 0, done.err
    result = json.loads(done.out)
    assert result["diagnosis"]["code"] == "not-in-scope"
    assert result["recommendations"] == []
    assert result["data_gaps"] == []


def test_non_finite_number_is_an_input_error() -> None:
    text = with_resource(b.weight("w1", 70, "2026-01-01")).replace('"value": 70', '"value": NaN')
    done = run_igcds("assess", "-", "--as-of", "2026-11-23", stdin=text)
    assert done.code == 2
    assert "Observation/w1 valueQuantity.value" in done.err
