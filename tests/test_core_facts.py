"""Facts the core decides and carries on the Assessment, so the shells present rather than re-derive
them: each recommendation's dates (`due`, `not_before`), the laboratory values each criterion and
recommendation was judged on (with the reference range and its source), and the recorded regimen
a continued or escalated dose starts from (`dose.current`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from igcds import engine
from igcds.domain.assessment import Assessment, Recommendation
from igcds.domain.record import PatientRecord
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report import json_contract, markdown
from tests.conftest import ROOT

AS_OF = date(2026, 11, 23)


def bundle(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def record(kb: KnowledgeBase, data: dict[str, Any], as_of: date = AS_OF) -> PatientRecord:
    return read.read_bundle(data, as_of, kb)


def assess(kb: KnowledgeBase, name: str, as_of: date = AS_OF) -> Assessment:
    return engine.assess(record(kb, bundle(name), as_of), as_of, None, kb)


def rec(a: Assessment, rec_id: str) -> Recommendation:
    return next(r for r in a.recommendations if r.id == rec_id)


# --- due dates ------------------------------------------------------------------------------------


def test_measles_exposure_is_due_by_the_end_of_the_window_and_not_after_it(kb: KnowledgeBase) -> None:
    """Exposure 2026-11-21, window `within_days` (6): on the last day IVIG is still due by that
    day; a day later the window has passed and nothing is due."""
    within = kb.schedules.measles.within_days
    deadline = date(2026, 11, 21) + timedelta(days=within)
    on_last_day = assess(kb, "sigmd-breakthrough-on-ivig", deadline)
    assert rec(on_last_day, "IGRT-MEASLES-01").due == deadline
    assert rec(on_last_day, "IGRT-MEASLES-01").not_before is None
    passed = assess(kb, "sigmd-breakthrough-on-ivig", deadline + timedelta(days=1))
    assert rec(passed, "IGRT-MEASLES-04").due is None


def test_vaccine_after_immune_globulin_is_not_before_the_acip_interval(kb: KnowledgeBase) -> None:
    found = rec(assess(kb, "sigmd-after-ivig-course"), "IGRT-VAX-02")
    assert (found.not_before, found.due) == (date(2027, 3, 6), None)


def test_infant_results_are_repeated_not_before_the_interpretable_age(kb: KnowledgeBase, policy: Policy) -> None:
    """Born 2026-08-20; results count from `higm_interpretable_from_age_months` (6)."""
    assert policy.diagnosis.higm_interpretable_from_age_months == 6
    infant = rec(assess(kb, "possible-higm-infant"), "WU-INFANT-01")
    assert infant.not_before == date(2027, 2, 20)
    # Once that age is reached the repeat is simply due now: no date in the past.
    later = engine.assess(record(kb, bundle("possible-higm-infant")), date(2027, 2, 20), None, kb)
    assert rec(later, "WU-INFANT-01").not_before is None


def test_recommendations_without_a_deadline_carry_none(kb: KnowledgeBase) -> None:
    a = assess(kb, "higm-cd40lg-boy")
    assert all(r.due is None and r.not_before is None for r in a.recommendations)


def test_the_report_shows_the_cores_dates_not_words_found_in_the_rationale(kb: KnowledgeBase) -> None:
    a = assess(kb, "higm-cd40lg-boy")
    first = replace(a.recommendations[0], due=date(2026, 12, 1), rationale="no date here")
    second = replace(a.recommendations[1], rationale="the window closes on 2026-12-31")
    shown = markdown.render(replace(a, recommendations=(first, second, *a.recommendations[2:])), kb)
    assert "| by 2026-12-01 |" in shown
    assert "2026-12-31 |" not in shown


# --- laboratory values and the range they were judged by -------------------------------------------


def test_criteria_carry_the_values_judged_by_the_age_table_without_a_lab_range(kb: KnowledgeBase) -> None:
    a = assess(kb, "higm-suspected-boy-on-ivig")
    igg = next(c for c in a.diagnosis.criteria if c.name.startswith("IgG below"))
    (value,) = igg.values
    # Drawn 2024-02-01 at 5 years 10 months: the band that holds 70 months.
    band = next(b for b in kb.reference_ranges.bands if b.max_age_months is None or 70 < b.max_age_months)
    assert (value.ref, value.value, value.unit, value.date) == ("Observation/igg-pre", 90.0, "mg/dL", date(2024, 2, 1))
    assert (value.reference_low, value.reference_high, value.reference_source) == (*band.igg, "igcds age table")


def test_the_laboratorys_own_range_is_the_one_judged_and_carried(kb: KnowledgeBase) -> None:
    data = bundle("higm-suspected-boy-on-ivig")
    for entry in data["entry"]:
        if entry["resource"].get("id") == "igg-pre":
            entry["resource"]["referenceRange"] = [
                {"low": {"value": 5.0, "unit": "g/L"}, "high": {"value": 15.0, "unit": "g/L"}}
            ]
    a = engine.assess(record(kb, data), AS_OF, None, kb)
    igg = next(c for c in a.diagnosis.criteria if c.name.startswith("IgG below"))
    assert [(v.reference_low, v.reference_high, v.reference_source) for v in igg.values] == [(500.0, 1500.0, "lab")]
    assert igg.met


def test_recommendations_carry_the_lab_values_among_their_evidence(kb: KnowledgeBase) -> None:
    a = assess(kb, "possible-sigmd-child")
    repeat = next(r for r in a.recommendations if r.code == "workup.repeat-igm")
    assert [v.ref for v in repeat.values] == [ref for ref in repeat.evidence if ref.startswith("Observation/")]
    assert all(v.analyte == "igm" and v.reference_source is not None for v in repeat.values)


def test_results_judged_by_a_threshold_carry_no_range(kb: KnowledgeBase) -> None:
    ctx_record = record(kb, bundle("higm-cd40lg-boy"))
    a = engine.assess(ctx_record, AS_OF, None, kb)
    carried = [v for c in a.diagnosis.criteria for v in c.values] + [v for r in a.recommendations for v in r.values]
    assert carried
    for value in carried:
        if value.analyte in ("neutrophils_absolute", "ige"):
            assert value.reference_source is None


# --- the recorded regimen behind a continued or escalated dose ------------------------------------


def test_escalation_carries_the_regimen_on_record(kb: KnowledgeBase) -> None:
    a = assess(kb, "higm-suspected-boy-on-ivig")
    assert "treatment.igrt-escalate" in a.codes()
    assert a.dose is not None
    assert a.dose.current is not None
    current = a.dose.current
    assert (current.route, current.dose_g, current.interval_days, current.interval_recorded) == ("IV", 10.0, 28, True)
    assert (current.given, current.ref) == (date(2026, 10, 26), "MedicationAdministration/ivig-21")
    assert a.dose.rounded_dose_g > current.dose_g
    assert "**New dose: 10 g → 13 g IV every 4 weeks" in markdown.render(a, kb)


def test_a_continued_dose_recorded_in_mg_per_kg_keeps_mg_per_kg(kb: KnowledgeBase) -> None:
    a = assess(kb, "higm-cd40-girl-liver")
    assert a.dose is not None
    assert a.dose.current is not None
    assert (a.dose.current.dose_g, a.dose.current.mg_per_kg) == (None, 500.0)


def test_a_new_start_has_no_current_regimen(kb: KnowledgeBase) -> None:
    a = assess(kb, "sigmd-impaired-response-start")
    assert "treatment.igrt-start" in a.codes()
    assert a.dose is not None
    assert a.dose.current is None


# --- the JSON contract ------------------------------------------------------------------------------


def test_json_carries_the_new_fields_as_plain_values(kb: KnowledgeBase) -> None:
    out = json.loads(json_contract.render(assess(kb, "sigmd-breakthrough-on-ivig"), kb))
    measles = next(r for r in out["recommendations"] if r["id"] == "IGRT-MEASLES-01")
    assert (measles["due"], measles["not_before"]) == ("2026-11-27", None)
    assert all("values" in c for c in out["diagnosis"]["criteria"])
    igm = next(c for c in out["diagnosis"]["criteria"] if c["name"].startswith("IgM below"))
    assert set(igm["values"][0]) == {
        "ref",
        "analyte",
        "loinc",
        "value",
        "comparator",
        "unit",
        "date",
        "reference_low",
        "reference_high",
        "reference_source",
    }
    assert out["dose"]["current"]["given"] == "2026-10-29"


def test_the_documented_excerpt_is_real(kb: KnowledgeBase) -> None:
    text = (ROOT / "docs" / "assessment-json.md").read_text(encoding="utf-8")
    section = text[text.index("## Dates, judged values") :]
    shown = json.loads(section[section.index("```json") + len("```json") : section.index("```\n\n##")])
    out = json.loads(json_contract.render(assess(kb, "sigmd-breakthrough-on-ivig"), kb))
    real = next(r for r in out["recommendations"] if r["id"] == shown["id"])
    assert {key: real[key] for key in shown} == shown
