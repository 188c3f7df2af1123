"""Measles after an exposure on IgRT, in the words a clinician reads (rules/measles.py): the
post-exposure dose given after the exposure is recognised, an SC schedule that is not weekly is
judged on the dose over the 14 days and said plainly, and the usual interval of the regimen does
not move when one dose is given a day early. The codes of each case are in tests/cases/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from igcds import engine
from igcds.domain.assessment import Assessment, Recommendation
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT

CASES = Path(__file__).parent / "cases" / "prophylaxis.measles-exposure"


def assess_case(kb: KnowledgeBase, stem: str) -> Assessment:
    case = json.loads((CASES / f"{stem}.json").read_text(encoding="utf-8"))
    as_of = date.fromisoformat(case["as_of"])
    return engine.assess(read.read_bundle(case["bundle"], as_of, kb), as_of, None, kb)


def measles(a: Assessment) -> Recommendation:
    (found,) = [r for r in a.recommendations if r.code == "prophylaxis.measles-exposure"]
    return found


def test_ivig_after_the_exposure_is_the_post_exposure_dose(kb: KnowledgeBase) -> None:
    found = measles(assess_case(kb, "in-ivig-400-3-days-after-exposure"))
    assert found.id == "IGRT-MEASLES-05"
    assert "IVIG 400 mg/kg on 2026-11-18, day 3 after the exposure" in found.rationale
    assert "MedicationAdministration/ivig-pep" in found.evidence
    assert "window has passed" not in found.rationale


def test_a_dose_after_the_window_is_named_and_not_counted(kb: KnowledgeBase) -> None:
    found = measles(assess_case(kb, "boundary-ivig-400-7-days-after-exposure"))
    assert found.id == "IGRT-MEASLES-04"
    assert "day 7 after the exposure: after the 6-day window" in found.rationale


def test_an_sc_dose_after_the_exposure_is_not_the_post_exposure_dose(kb: KnowledgeBase) -> None:
    found = measles(assess_case(kb, "out-scig-after-exposure-is-not-post-exposure"))
    assert "SCIG 400 mg/kg on 2026-11-22, day 1 after the exposure: not a post-exposure dose" in found.rationale


def test_scig_every_two_weeks_is_judged_over_14_days_and_said_plainly(kb: KnowledgeBase) -> None:
    found = measles(assess_case(kb, "in-scig-400-every-2-weeks"))
    assert found.id == "IGRT-MEASLES-03"
    assert "SCIG 400 mg/kg in total over the 14 days before the exposure (400 mg/kg on 2026-11-20)" in found.rationale
    assert "200 mg/kg a week" in found.rationale
    assert "the record's SC schedule is every 14 days, not weekly" in found.rationale
    assert ", 0 mg/kg" not in found.rationale


def test_below_the_weekly_level_names_each_dose(kb: KnowledgeBase) -> None:
    found = measles(assess_case(kb, "boundary-scig-199-two-weeks"))
    assert "SCIG 398 mg/kg in total over the 14 days before the exposure (199 mg/kg on 2026-11-13" in found.rationale
    assert "199 mg/kg a week, below the 200 needed" in found.rationale
    assert "not weekly" not in found.rationale


def test_one_dose_a_day_early_keeps_the_weekly_interval(kb: KnowledgeBase) -> None:
    example = json.loads((ROOT / "examples" / "higm-measles-exposure-on-scig.json").read_text(encoding="utf-8"))
    as_of = date(2026, 11, 23)
    a = engine.assess(read.read_bundle(example, as_of, kb), as_of, None, kb)
    assert a.dose is not None
    assert (a.dose.interval_days, a.dose.weekly_equivalent_mg_per_kg) == (7, 200.0)
    assert "every 7 days, the usual interval between recent administrations" in a.dose.basis
