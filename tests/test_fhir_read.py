"""The FHIR reader: tolerant of what it does not use, strict about what it does."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from igcds.domain.errors import InputError
from igcds.domain.record import MAX_NOTES, PatientRecord, ReaderNote
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def record(kb: KnowledgeBase, *resources: dict[str, Any]) -> Any:
    return read.read_bundle(b.bundle(b.patient("p", "male", "2000-01-01"), *resources), AS_OF, kb)


def known(kb: KnowledgeBase, *resources: dict[str, Any]) -> PatientRecord:
    """The record as the core sees it on AS_OF."""
    found: PatientRecord = record(kb, *resources).as_known_on(AS_OF)
    return found


def texts(notes: tuple[ReaderNote, ...]) -> list[str]:
    return [note.text for note in notes]


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


# --- limits (issue 10) ------------------------------------------------------------------------


def test_input_larger_than_the_limit_is_refused_unread() -> None:
    with pytest.raises(InputError, match="larger than the 64 MiB igcds reads for one patient"):
        read.parse_json(b" " * (read.MAX_INPUT_BYTES + 1), "big.json")


def test_bundle_with_more_entries_than_the_limit_is_refused(kb: KnowledgeBase) -> None:
    bundle = {"resourceType": "Bundle", "entry": [{}] * (read.MAX_ENTRIES + 1)}
    with pytest.raises(InputError, match="Bundle entry: 50001 entries, more than the 50,000 igcds reads"):
        read.read_bundle(bundle, AS_OF, kb)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "x.json: JSON nested too deeply"),
        ('{"resourceType": "Bundle", "total": ' + "9" * 5_000 + "}", "x.json: not JSON igcds can read"),
    ],
)
def test_json_python_cannot_hold_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read.parse_json(text, "x.json")


def test_notes_are_capped_with_a_count(kb: KnowledgeBase) -> None:
    later = [b.ig(f"igm-{i}", "igm", 20, "2026-12-01") for i in range(MAX_NOTES + 5)]
    notes = texts(known(kb, *later).notes)
    assert len(notes) == MAX_NOTES + 1
    assert notes[-1] == "5 more results were left out (not listed)"


# --- results left out are named (issue 10 item 8) ---------------------------------------------


def test_results_left_out_are_named_with_the_reason(kb: KnowledgeBase) -> None:
    found = known(
        kb,
        b.ig("igm-1", "igm", 20, "2026-01-01"),
        b.ig("prelim", "igm", 10, "2026-11-01", status="preliminary"),
        b.ig("error", "igm", 10, "2026-11-02", status="entered-in-error"),
        b.ig("future", "igm", 10, "2026-12-01"),
        b.fact("access", "poor-venous-access", "2027-01-01", True),
        {"resourceType": "Observation", "id": "hr", "status": "preliminary", "code": {"text": "heart rate"}},
    )
    assert [lab.ref for lab in found.labs] == ["Observation/igm-1"]
    assert texts(found.notes) == [  # in date order: the later results' notes carry no date
        "Observation/access: dated 2027-01-01, after the assessment date 2026-11-23: not used",
        "Observation/future: dated 2026-12-01, after the assessment date 2026-11-23: not used",
        "Observation/prelim: status 'preliminary', not used (only final, amended or corrected results count)",
        "Observation/error: status 'entered-in-error', not used (only final, amended or corrected results count)",
    ]


def test_result_dated_before_birth_is_left_out_and_named(kb: KnowledgeBase) -> None:
    bundle = b.bundle(b.patient("p", "male", "2020-05-01"), b.ig("igm-1", "igm", 20, "2019-01-01"))
    found = read.read_bundle(bundle, AS_OF, kb)
    assert found.labs == ()
    assert texts(found.notes) == ["Observation/igm-1: dated 2019-01-01, before the patient's birth date: not used"]


# --- unit slips (issue 10 item 5) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "plausible"),
    [
        ("igm", 0.85, "mg/dL", "4-20000 mg/dL"),
        ("igm", 1.2, "mg/dL", "4-20000 mg/dL"),  # a normal adult IgM sent in g/L under a mg/dL label
        ("igg", 3, "mg/dL", "10-20000 mg/dL"),
        ("igg", 40_000, "mg/dL", "10-20000 mg/dL"),
        ("iga", 300, "g/L", "0.5-20000 mg/dL"),
    ],
)
def test_value_implausible_in_its_unit_is_left_out_and_named(
    kb: KnowledgeBase, analyte: str, value: float, unit: str, plausible: str
) -> None:
    found = record(kb, b.ig("x", analyte, value, "2026-01-01", unit=unit))
    assert found.labs == ()
    label = {"igm": "IgM", "igg": "IgG", "iga": "IgA"}[analyte]
    assert texts(found.notes) == [
        f"Observation/x: {label} {value:g} {unit} is outside the plausible {plausible} (another unit?), "
        "so it was not used",
    ]


@pytest.mark.parametrize(("analyte", "value"), [("igm", 4), ("igm", 20_000), ("igg", 10), ("iga", 0.5)])
def test_value_at_the_plausible_limit_is_used(kb: KnowledgeBase, analyte: str, value: float) -> None:
    found = record(kb, b.ig("x", analyte, value, "2026-01-01"))
    assert [(lab.analyte, lab.value) for lab in found.labs] == [(analyte, value)]


def test_an_undetectable_igm_below_the_plausible_floor_is_kept(kb: KnowledgeBase) -> None:
    """ "IgM <3 mg/dL" is an assay's floor, not a unit slip: it stays, below its number."""
    found = record(kb, b.ig("x", "igm", 3, "2026-01-01", comparator="<"))
    assert [(lab.value, lab.comparator) for lab in found.labs] == [(3, "<")]
    assert found.notes == ()


def test_neutrophils_sent_per_microlitre_under_thousands_are_left_out(kb: KnowledgeBase) -> None:
    found = record(kb, b.neutrophils("anc", 1500, "2026-01-01"))
    assert found.labs == ()
    assert "ANC 1500 10*3/uL is outside the plausible 0-1000 10*3/uL" in found.notes[0].text


# --- impossible ages and age/weight pairs (issue 10 item 7) ---------------------------------


def test_age_above_the_limit_is_an_input_error(kb: KnowledgeBase) -> None:
    """The issue's 130-year-old of 14 kg: refused for the age alone (above 125 years)."""
    bundle = b.bundle(b.patient("p", "male", "1900-11-22"), b.weight("w", 14, "2026-11-01"))
    with pytest.raises(InputError, match="Patient/p birthDate: 1900-11-22 gives an age of 126 years on 2026-11-23"):
        read.read_bundle(bundle, AS_OF, kb)
    with pytest.raises(InputError, match="Patient/p birthDate: 1896-11-22 is before 1900"):
        read.read_bundle(b.bundle(b.patient("p", "male", "1896-11-22")), AS_OF, kb)


def test_age_at_the_limit_is_accepted(kb: KnowledgeBase) -> None:
    assert read.read_bundle(b.bundle(b.patient("p", "male", "1901-11-23")), AS_OF, kb).birth_date == date(1901, 11, 23)


@pytest.mark.parametrize(
    ("born", "kg", "message"),
    [
        ("2026-11-01", 70, "weight 70 kg is impossible at 0 years 0 months (plausible 0.3-12 kg)"),
        ("2023-06-01", 250, "weight 250 kg is impossible at 3 years 5 months (plausible 1.5-100 kg)"),
        ("1990-01-01", 1.2, "weight 1.2 kg is impossible at 36 years 10 months (plausible 4-400 kg)"),
    ],
)
def test_weight_impossible_at_the_age_is_an_input_error(kb: KnowledgeBase, born: str, kg: float, message: str) -> None:
    bundle = b.bundle(b.patient("p", "male", born), b.weight("w", kg, "2026-11-20"))
    with pytest.raises(InputError, match=re.escape(f"Observation/w valueQuantity: {message}")):
        read.read_bundle(bundle, AS_OF, kb)


@pytest.mark.parametrize(("born", "kg"), [("2026-11-01", 12), ("2023-06-01", 100), ("1990-01-01", 4)])
def test_weight_at_the_band_limit_is_accepted(kb: KnowledgeBase, born: str, kg: float) -> None:
    bundle = b.bundle(b.patient("p", "male", born), b.weight("w", kg, "2026-11-20"))
    assert [w.value for w in read.read_bundle(bundle, AS_OF, kb).weights] == [kg]
