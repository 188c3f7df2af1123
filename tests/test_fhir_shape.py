"""Elements of the wrong JSON type are input errors naming the resource and the element (the crash
shapes a reliability test found: each used to end in an internal error, exit 1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def with_change(resource: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    node: Any = resource
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return resource


def igm() -> dict[str, Any]:
    return b.ig("igm-1", "igm", 20, "2026-01-01")


def order() -> dict[str, Any]:
    resource = b.medication("abx", "amoxicillin", "2026-01-01", kind="MedicationRequest", prophylaxis=True)
    resource["dosageInstruction"][0]["doseAndRate"] = [{"doseQuantity": {"value": 250, "unit": "mg"}}]
    return resource


SHAPES = [
    ("status a list", igm(), ("status",), ["final"], "Observation/igm-1 status: expected a string, got a list"),
    ("status an object", igm(), ("status",), {"code": "final"}, "Observation/igm-1 status: expected a string"),
    (
        "coding an object",
        igm(),
        ("code", "coding"),
        {"code": "2472-9"},
        "Observation/igm-1 code.coding: expected a list",
    ),
    ("coding code a list", igm(), ("code", "coding", 0, "code"), ["2472-9"], "Observation/igm-1 code.coding[0].code"),
    ("code a string", igm(), ("code",), "2472-9", "Observation/igm-1 code: expected an object, got a string"),
    ("component an object", b.variant("v", "CD40LG", "2026-01-01"), ("component",), {}, "Observation/v component"),
    ("unit a list", igm(), ("valueQuantity", "unit"), ["mg/dL"], "Observation/igm-1 valueQuantity.unit"),
    ("reasonCode an object", order(), ("reasonCode",), {"text": "x"}, "MedicationRequest/abx reasonCode"),
    (
        "doseAndRate an object",
        order(),
        ("dosageInstruction", 0, "doseAndRate"),
        {"doseQuantity": {}},
        "MedicationRequest/abx dosageInstruction[0].doseAndRate: expected a list",
    ),
    ("contained an object", order(), ("contained",), {"id": "m"}, "MedicationRequest/abx contained"),
    ("reaction a string", b.infusion_reaction("r", "rash", "2026-01-01"), ("reaction",), "rash", "reaction"),
    (
        "clinicalStatus coding a number",
        b.condition("c", "J18.9", "Pneumonia", "2026-01-01"),
        ("clinicalStatus", "coding"),
        7,
        "Condition/c clinicalStatus.coding: expected a list, got a number",
    ),
]


@pytest.mark.parametrize(("name", "resource", "path", "value", "message"), SHAPES, ids=[s[0] for s in SHAPES])
def test_wrong_json_type_names_resource_and_element(
    kb: KnowledgeBase, name: str, resource: dict[str, Any], path: tuple[Any, ...], value: Any, message: str
) -> None:
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), with_change(resource, path, value))
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read.read_bundle(bundle, AS_OF, kb)


@pytest.mark.parametrize("gender", [["male"], {"code": "male"}, 1])
def test_gender_of_the_wrong_type(kb: KnowledgeBase, gender: Any) -> None:
    bundle = b.bundle({"resourceType": "Patient", "id": "p1", "gender": gender})
    with pytest.raises(InputError, match="Patient/p1 gender: expected a string"):
        read.read_bundle(bundle, AS_OF, kb)


def test_unread_elements_are_not_checked(kb: KnowledgeBase) -> None:
    """Tolerate everything else: an element igcds does not read may hold anything."""
    observation = {**igm(), "category": "laboratory", "note": 7, "interpretation": {"coding": "L"}}
    encounter = {"resourceType": "Encounter", "id": "e", "status": ["finished"], "class": 1}
    record = read.read_bundle(b.bundle(b.patient("p1", "female", "1990-01-01"), observation, encounter), AS_OF, kb)
    assert [lab.value for lab in record.labs] == [20.0]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([7], "Bundle entry[0]: expected an object"),
        ([{"resource": "Patient/p1"}], "Bundle entry[0].resource: expected a resource"),
        ([{"resource": {"id": "x"}}], "Bundle entry[0].resource: expected a resource"),
    ],
)
def test_broken_entries(kb: KnowledgeBase, entries: list[Any], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read.read_bundle({"resourceType": "Bundle", "entry": entries}, AS_OF, kb)


def test_an_entry_without_a_resource_is_passed_over(kb: KnowledgeBase) -> None:
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"))
    bundle["entry"].append({"request": {"method": "GET", "url": "Observation?patient=p1"}})
    assert read.read_bundle(bundle, AS_OF, kb).patient_id == "p1"


@pytest.mark.parametrize("value", [10**400, -(10**400), 1e300])
def test_enormous_quantity_is_an_input_error(kb: KnowledgeBase, value: float) -> None:
    """A 400-digit integer cannot become a float: it used to raise OverflowError (exit 1)."""
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), with_change(igm(), ("valueQuantity", "value"), value))
    with pytest.raises(InputError, match=r"Observation/igm-1 valueQuantity.value: .* is not a figure igcds can use"):
        read.read_bundle(bundle, AS_OF, kb)


def test_error_line_shows_a_long_value_cut_short(kb: KnowledgeBase) -> None:
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), with_change(igm(), ("valueQuantity", "value"), 10**400))
    with pytest.raises(InputError) as refused:
        read.read_bundle(bundle, AS_OF, kb)
    assert len(str(refused.value)) < 160


def test_an_id_with_a_line_break_stays_on_one_line(kb: KnowledgeBase) -> None:
    bundle = b.bundle({"resourceType": "Patient", "id": "p1\nerror: forged", "gender": "x"})
    with pytest.raises(InputError) as refused:
        read.read_bundle(bundle, AS_OF, kb)
    assert "\n" not in str(refused.value)
    assert "p1\\nerror: forged" in str(refused.value)


@pytest.mark.parametrize("when", ["0001-01-01", "1899-12-31T10:00:00Z"])
def test_dates_before_1900_are_input_errors(kb: KnowledgeBase, when: str) -> None:
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), b.ig("igm-1", "igm", 20, when))
    with pytest.raises(InputError, match=r"Observation/igm-1 effectiveDateTime: .* is before 1900"):
        read.read_bundle(bundle, AS_OF, kb)


@pytest.mark.parametrize("gender", [None, ""])
def test_null_or_empty_gender_is_unknown(kb: KnowledgeBase, gender: Any) -> None:
    """Found by the fuzz: a null gender crashed the error message meant for a wrong one (exit 1)."""
    bundle = b.bundle({"resourceType": "Patient", "id": "p1", "gender": gender})
    assert read.read_bundle(bundle, AS_OF, kb).sex == "unknown"


@pytest.mark.parametrize(
    ("element", "value", "message"),
    [
        ("name", {"family": "Doe"}, "Patient/p1 name: expected a list, got an object"),
        ("name", [{"given": "Ann"}], r"Patient/p1 name\[0\].given: expected a list, got a string"),
        ("identifier", [{"value": 12345}], r"Patient/p1 identifier\[0\].value: expected a string, got a number"),
    ],
)
def test_patient_name_and_identifier_of_the_wrong_type(
    kb: KnowledgeBase, element: str, value: Any, message: str
) -> None:
    """The report shows the name and identifier: a wrong type there is refused, not a crash."""
    bundle = b.bundle({"resourceType": "Patient", "id": "p1", element: value})
    with pytest.raises(InputError, match=message):
        read.read_bundle(bundle, AS_OF, kb)
