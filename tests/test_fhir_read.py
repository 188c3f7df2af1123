"""The FHIR reader: tolerant of what it does not use, strict about what it does."""

from __future__ import annotations

from datetime import date
from typing import Any

from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def record(kb: KnowledgeBase, *resources: dict[str, Any]) -> Any:
    return read.read_bundle(b.bundle(b.patient("p", "male", "2000-01-01"), *resources), AS_OF, kb)


def test_units_are_converted_to_mg_per_dl(kb: KnowledgeBase) -> None:
    found = record(
        kb, b.ig("m", "igm", 0.3, "2026-01-01", unit="g/L"), b.ig("g", "igg", 9000, "2026-01-01", unit="mg/L")
    )
    assert {lab.analyte: lab.value for lab in found.labs} == {"igm": 30.0, "igg": 900.0}


def test_lab_reference_range_is_kept_in_canonical_units(kb: KnowledgeBase) -> None:
    found = record(kb, b.ig("m", "igm", 0.3, "2026-01-01", unit="g/L", ref_range=(0.4, 2.3)))
    assert (found.labs[0].reference_low, found.labs[0].reference_high) == (40.0, 230.0)


def test_what_does_not_count_is_ignored(kb: KnowledgeBase) -> None:
    found = record(
        kb,
        b.ig("prelim", "igm", 10, "2026-01-01", status="preliminary"),
        b.ig("error", "igm", 10, "2026-01-01", status="entered-in-error"),
        b.condition("refuted", "D80.5", "HIGM", "2020-01-01", verification="refuted"),
        b.medication("stopped-in-error", "rituximab", "2026-01-01", status="entered-in-error"),
        {"resourceType": "Encounter", "id": "unrelated", "status": "finished"},
        {"resourceType": "Observation", "id": "heart-rate", "status": "final", "code": {"text": "HR"}},
    )
    assert (found.labs, found.conditions, found.medications) == ((), (), ())


def test_the_reader_keeps_dates_and_the_core_applies_as_of(kb: KnowledgeBase) -> None:
    """Facts dated after the assessment date do not exist for it (DESIGN.md §6.1), decided once
    by the core: the reader keeps them with their dates."""
    found = record(
        kb,
        b.ig("future", "igm", 10, "2026-12-01"),
        b.condition("later", "J18.9", "Pneumonia", "2026-12-01"),
        b.medication("later-drug", "rituximab", "2026-12-01"),
    )
    assert [lab.ref for lab in found.labs] == ["Observation/future"]
    known = found.as_known_on(AS_OF)
    assert (known.labs, known.conditions, known.medications) == ((), (), ())
    assert [c.ref for c in found.as_known_on(date(2026, 12, 1)).conditions] == ["Condition/later"]


def test_activity_is_judged_on_the_assessment_date(kb: KnowledgeBase) -> None:
    """A condition abated, or a medication ended, after the assessment date was still active on it."""
    found = record(
        kb,
        {**b.condition("abates", "J18.9", "Pneumonia", "2026-11-01"), "abatementDateTime": "2026-12-01"},
        b.medication("ends", "rituximab", "2026-11-01", end="2026-12-01"),
    )
    (condition,) = found.conditions
    (medication,) = found.medications
    after = date(2026, 12, 2)
    assert (condition.active_on(AS_OF), condition.active_on(after)) == (True, False)
    assert (medication.active_on(AS_OF), medication.active_on(after)) == (True, False)


def test_variant_of_uncertain_significance_is_not_a_genotype(kb: KnowledgeBase) -> None:
    found = record(
        kb, b.variant("v1", "CD40LG", "2026-01-01"), b.variant("v2", "CD40", "2026-01-01", significance="uncertain")
    )
    assert [v.gene for v in found.variants] == ["CD40LG"]


def test_immune_globulin_dose_and_route(kb: KnowledgeBase) -> None:
    found = record(
        kb,
        b.immune_globulin("a", "2026-11-01", grams=25),
        b.immune_globulin("s", "2026-11-20", mg_per_kg=150, route="SC"),
    )
    doses = {m.ref: (m.route, m.dose_g, m.dose_mg_per_kg) for m in found.medications}
    assert doses == {
        "MedicationAdministration/a": ("IV", 25.0, None),
        "MedicationAdministration/s": ("SC", None, 150.0),
    }


def test_live_vaccine_order_is_read_as_an_order(kb: KnowledgeBase) -> None:
    found = record(
        kb, b.vaccine_order("mmr", "03", "MMR", "2026-11-20"), b.immunization("flu", "141", "Influenza", "2025-10-01")
    )
    assert [(v.ref, v.ordered) for v in found.vaccines] == [
        ("MedicationRequest/mmr", True),
        ("Immunization/flu", False),
    ]


def test_resource_without_id_is_referenced_by_full_url(kb: KnowledgeBase) -> None:
    observation = b.ig("x", "igm", 20, "2026-01-01")
    del observation["id"]
    bundle = b.bundle(b.patient("p", "male", "2000-01-01"))
    bundle["entry"].append({"fullUrl": "urn:uuid:1234", "resource": observation})
    assert read.read_bundle(bundle, AS_OF, kb).labs[0].ref == "urn:uuid:1234"


def test_hyperimmune_globulin_is_not_replacement_therapy(kb: KnowledgeBase) -> None:
    """Rho(D) or hepatitis B immune globulin must not make a patient 'on IgRT'."""
    found = record(
        kb,
        b.immune_globulin("rhod", "2026-11-01", grams=0.3, name="Rho(D) immune globulin"),
        b.immune_globulin("hbig", "2026-11-01", grams=1, name="Hepatitis B immune globulin"),
    )
    immune_globulin = kb.medications["immune_globulin"]
    assert not any(immune_globulin.matches(m.codings, m.names) for m in found.medications)
