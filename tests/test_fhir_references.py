"""Whose record is it: a resource about another patient is an input error, however its reference
is written; references to this patient resolve as FHIR resolves them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def bundle_about(reference: str | None, patient_url: str = "urn:uuid:patient-p1", element: str = "subject") -> Any:
    weight = b.weight("w1", 70, "2026-11-01")
    if reference is not None:
        weight[element] = {"reference": reference}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": patient_url, "resource": b.patient("p1", "male", "1980-01-01")},
            {"fullUrl": "urn:uuid:w1", "resource": weight},
        ],
    }


@pytest.mark.parametrize(
    ("reference", "patient_url"),
    [
        ("Patient/p1", "urn:uuid:patient-p1"),
        ("urn:uuid:patient-p1", "urn:uuid:patient-p1"),
        ("https://ehr.example.org/fhir/Patient/p1", "urn:uuid:patient-p1"),
        ("https://ehr.example.org/fhir/Patient/p1", "https://ehr.example.org/fhir/Patient/p1"),
        ("Patient/p1/_history/3", "urn:uuid:patient-p1"),
        (None, "urn:uuid:patient-p1"),
    ],
)
def test_references_to_this_patient_resolve(kb: KnowledgeBase, reference: str | None, patient_url: str) -> None:
    record = read.read_bundle(bundle_about(reference, patient_url), AS_OF, kb)
    assert [w.value for w in record.weights] == [70.0]


@pytest.mark.parametrize(
    "reference",
    [
        "Patient/someone-else",
        "urn:uuid:someone-else",
        "https://ehr.example.org/fhir/Patient/p2",
        "https://ehr.example.org/fhir/Patient/p1x",
        "Group/ward-7",
        "#contained-patient",
    ],
)
def test_another_patients_weight_is_refused(kb: KnowledgeBase, reference: str) -> None:
    """The issue's case: another patient's 120 kg must never become this patient's dosing weight."""
    with pytest.raises(InputError) as refused:
        read.read_bundle(bundle_about(reference), AS_OF, kb)
    assert str(refused.value).startswith(f"Observation/w1 subject.reference: refers to {reference!r}")


def test_patient_element_is_checked_too(kb: KnowledgeBase) -> None:
    bundle = b.bundle(
        b.patient("p1", "female", "1990-01-01"),
        {**b.immunization("mmr", "03", "MMR", "2026-01-01"), "patient": {"reference": "Patient/p2"}},
    )
    with pytest.raises(InputError, match=r"Immunization/mmr patient\.reference"):
        read.read_bundle(bundle, AS_OF, kb)


def test_unread_resource_about_another_patient_is_refused(kb: KnowledgeBase) -> None:
    """An Encounter igcds does not read still shows the Bundle mixes two patients' records."""
    encounter = {"resourceType": "Encounter", "id": "e1", "subject": {"reference": "Patient/p2"}}
    with pytest.raises(InputError, match=r"Encounter/e1 subject\.reference"):
        read.read_bundle(b.bundle(b.patient("p1", "female", "1990-01-01"), encounter), AS_OF, kb)


def test_unread_resource_may_reference_other_things(kb: KnowledgeBase) -> None:
    encounter = {"resourceType": "Encounter", "id": "e1", "subject": {"reference": "Group/ward-7"}}
    record = read.read_bundle(b.bundle(b.patient("p1", "female", "1990-01-01"), encounter), AS_OF, kb)
    assert record.patient_id == "p1"


def test_identifier_only_reference_is_not_judged(kb: KnowledgeBase) -> None:
    weight = {**b.weight("w1", 70, "2026-11-01"), "subject": {"identifier": {"value": "MRN-1"}}}
    record = read.read_bundle(b.bundle(b.patient("p1", "male", "1980-01-01"), weight), AS_OF, kb)
    assert len(record.weights) == 1


def test_patient_without_id_is_named_by_its_full_url(kb: KnowledgeBase) -> None:
    bundle = bundle_about("urn:uuid:abc", patient_url="urn:uuid:abc")
    del bundle["entry"][0]["resource"]["id"]
    assert len(read.read_bundle(bundle, AS_OF, kb).weights) == 1
    bundle["entry"][1]["resource"]["subject"] = {"reference": "Patient/p1"}
    with pytest.raises(InputError, match=r"subject\.reference"):
        read.read_bundle(bundle, AS_OF, kb)


# --- medicationReference (issue 10 item 4) ----------------------------------------------------


def administration(reference: dict[str, str]) -> dict[str, Any]:
    given = b.immune_globulin("ivig-2", "2026-11-16", grams=30)
    del given["medicationCodeableConcept"]
    return {**given, "medicationReference": reference}


IVIG = {"resourceType": "Medication", "id": "ivig", "code": {"text": "Immune globulin (human) 10%"}}


@pytest.mark.parametrize(
    "reference",
    ["Medication/ivig", "urn:uuid:medication-ivig", "https://ehr.example.org/fhir/Medication/ivig/_history/2"],
)
def test_medication_reference_resolves_as_fhir_does(kb: KnowledgeBase, reference: str) -> None:
    bundle = b.bundle(b.patient("p1", "male", "1980-01-01"), IVIG, administration({"reference": reference}))
    record = read.read_bundle(bundle, AS_OF, kb)
    assert [(m.ref, m.dose_g) for m in record.medications] == [("MedicationAdministration/ivig-2", 30.0)]
    assert record.notes == ()


def test_missing_medication_is_named(kb: KnowledgeBase) -> None:
    """The issue's case: the latest infusion referenced a Medication not in the Bundle and was
    dropped without a word, turning a weekly interval into 147 days."""
    bundle = b.bundle(b.patient("p1", "male", "1980-01-01"), administration({"reference": "Medication/m9"}))
    record = read.read_bundle(bundle, AS_OF, kb)
    assert [note.text for note in record.notes] == [
        "MedicationAdministration/ivig-2: medicationReference 'Medication/m9' is not in the Bundle, "
        "so the medication is unknown (not used)",
    ]


def test_missing_medication_with_a_display_is_read_from_it_and_named(kb: KnowledgeBase) -> None:
    reference = {"reference": "#gone", "display": "Immune globulin (human) 10%"}
    bundle = b.bundle(b.patient("p1", "male", "1980-01-01"), administration(reference))
    record = read.read_bundle(bundle, AS_OF, kb)
    assert [m.dose_g for m in record.medications] == [30.0]
    assert [note.text for note in record.notes] == [
        "MedicationAdministration/ivig-2: medicationReference '#gone' is not in the Bundle, so the medication is "
        "unknown (read from its display 'Immune globulin (human) 10%')",
    ]
