"""docs/fhir-input.md shows the one line each check prints: every example there is what igcds prints
for such a record (the text before a trailing '…' is compared)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from igcds import engine
from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT
from tests.fixtures import builder as b

DOC = (ROOT / "docs" / "fhir-input.md").read_text(encoding="utf-8")
AS_OF = date(2026, 11, 23)


def igm(**changes: Any) -> dict[str, Any]:
    return {**b.ig("igm-1", "igm", 20, "2026-01-01"), **changes}


def adult(*resources: dict[str, Any]) -> dict[str, Any]:
    return b.bundle(b.patient("p1", "female", "1990-01-01"), *resources)


EXAMPLES = [
    (
        adult({**b.weight("w1", 120, "2026-01-01"), "subject": {"reference": "Patient/someone-else"}}),
        "Observation/w1 subject.reference: refers to 'Patient/someone-else', not this Bundle's patient (Patient/p1)",
    ),
    (
        adult(igm(code={"coding": {"system": "http://loinc.org", "code": "2472-9"}})),
        "Observation/igm-1 code.coding: expected a list, got an object",
    ),
    (
        adult(igm(valueQuantity={"value": 10**400, "unit": "mg/dL"})),
        "Observation/igm-1 valueQuantity.value: 1000000000000000000000000000000000000...",
    ),
    (adult(igm(effectiveDateTime="0001-01-01")), "Observation/igm-1 effectiveDateTime: 0001-01-01 is before 1900: "),
    (
        b.bundle(b.patient("p", "male", "1900-11-22")),
        "Patient/p birthDate: 1900-11-22 gives an age of 126 years on 2026-11-23, above 125",
    ),
    (
        b.bundle(b.patient("p", "male", "2026-11-01"), b.weight("w", 70, "2026-11-20")),
        "Observation/w valueQuantity: weight 70 kg is impossible at 0 years 0 months (plausible 0.3-12 kg): "
        "another unit or another patient?",
    ),
    (adult(b.weight("w1", 11, "2026-01-01", unit="stone")), "Observation/w1 valueQuantity.unit: unknown unit 'stone' "),
    (
        {"resourceType": "Bundle", "entry": [{}] * 50_001},
        "Bundle entry: 50001 entries, more than the 50,000 igcds reads",
    ),
]


@pytest.mark.parametrize(("bundle", "line"), EXAMPLES, ids=[line[:40] for _, line in EXAMPLES])
def test_each_documented_line_is_what_igcds_prints(kb: KnowledgeBase, bundle: dict[str, Any], line: str) -> None:
    shown = line.rstrip()
    assert f"`{shown}" in DOC, f"docs/fhir-input.md no longer shows {shown!r}"
    with pytest.raises(InputError) as refused:
        engine.assess(read.read_bundle(bundle, AS_OF, kb), AS_OF, None, kb)
    assert str(refused.value).startswith(shown)
