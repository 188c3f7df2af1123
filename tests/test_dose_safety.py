"""Dose safety on hard patients (issue 9 items 2-8), below the clinical cases: how reactions are
read from FHIR, the part vial and its tolerance, the breakthrough escalation step, Carimune NF as
a recognised-only product, measles exposure by route, the weight arithmetic, and what
`igcds dose` prints of it. Figures are worked by hand from products.yaml and policy.yaml."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igcds import engine
from igcds.domain.assessment import TroughModel
from igcds.domain.errors import FigureError, KnowledgeError
from igcds.dosing import amount, regimen, vials
from igcds.fhir import read
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from tests.conftest import run_igcds
from tests.fixtures import builder as b
from tests.fixtures.cases_spec.dose_safety import adverse_event, anaphylaxis
from tests.test_knowledge import broken

AS_OF = date(2026, 11, 23)
ROOT_CASES = Path(__file__).parent / "cases"
PRIVIGEN_VIALS = [vials.VialSpec(5, 50), vials.VialSpec(40, 400)]


def record_of(*resources: b.Resource, kb: KnowledgeBase) -> Any:
    return read.read_bundle(b.bundle(b.patient("p", "male", "1990-01-01"), *resources), AS_OF, kb)


# --- reading reactions -------------------------------------------------------------------------


def test_anaphylaxis_allergy_is_severe_and_names_its_product(kb: KnowledgeBase) -> None:
    (reaction,) = record_of(anaphylaxis("a1", "Privigen", "2026-01-05"), kb=kb).reactions
    assert reaction.severe
    assert "privigen" in reaction.text
    assert reaction.when == date(2026, 1, 5)


def test_adverse_event_keeps_the_administration_it_points_at(kb: KnowledgeBase) -> None:
    event = adverse_event("e1", "fever", "2026-02-01", "MedicationAdministration/ivig-9")
    (reaction,) = record_of(event, kb=kb).reactions
    assert reaction.suspects == ("MedicationAdministration/ivig-9",)
    assert not reaction.names_immune_globulin
    assert not reaction.severe


@pytest.mark.parametrize(
    "resource",
    [
        {**anaphylaxis("a2", "Privigen", "2026-01-05"), "verificationStatus": b.concept("x", "refuted", "Refuted")},
        {**adverse_event("e2", "immune globulin reaction", "2026-01-05", "Medication/m"), "actuality": "potential"},
        {**adverse_event("e3", "rash", "2026-01-05", "Device/pump")},
    ],
    ids=["refuted allergy", "potential event", "points at a device"],
)
def test_what_is_not_a_reaction(resource: b.Resource, kb: KnowledgeBase) -> None:
    assert record_of(resource, kb=kb).reactions == ()


# --- rounding within tolerance ---------------------------------------------------------------


def test_covering_combination_is_the_smallest_total_that_holds_the_dose() -> None:
    assert vials.total_grams(vials.covering_vial_combination(3.2, PRIVIGEN_VIALS)) == 5
    assert vials.total_grams(vials.covering_vial_combination(12, PRIVIGEN_VIALS)) == 15
    assert vials.total_grams(vials.covering_vial_combination(40, PRIVIGEN_VIALS)) == 40


@given(st.floats(min_value=0.3, max_value=150), st.sampled_from(["privigen", "gammagard-liquid", "hizentra"]))
def test_rounding_never_moves_a_dose_beyond_the_tolerance(dose_g: float, product_id: str) -> None:
    kb = loader.load()
    policy = make_policy(kb.policy)
    dispensed = amount.dispense(dose_g, policy, kb.products[product_id])
    shift = abs(dispensed.grams - dose_g) / dose_g * 100
    assert shift <= policy.dosing.vial_rounding_max_percent + 0.5  # the exact dose is shown to 0.01 g
    if dispensed.part_vial is not None:
        assert vials.total_grams(dispensed.vials) >= dispensed.grams


def test_a_site_may_set_a_tighter_tolerance(kb: KnowledgeBase) -> None:
    strict = make_policy(kb.policy, {"vial_rounding_max_percent": 5})
    # 5.5 g: one 5 g vial is -9.1 %: within 10 %, beyond 5 %.
    assert amount.dispense(5.5, make_policy(kb.policy), kb.products["privigen"]).part_vial is None
    assert amount.dispense(5.5, strict, kb.products["privigen"]).part_vial is not None


def test_the_rate_plan_infuses_the_drawn_dose(kb: KnowledgeBase, policy: Policy) -> None:
    dose = engine.dose_for_figures(engine.DoseOrder(weight_kg=8, product="privigen"), policy, kb, AS_OF)
    assert dose.rounded_dose_g == 3.2
    assert dose.iv_infusion is not None
    steps = dose.iv_infusion.steps
    # mg infused over the plan, step by step, is the drawn 3.2 g, not the 5 g vial.
    minutes = [s.start_minute for s in steps] + [dose.iv_infusion.total_minutes]
    infused_mg = sum(s.mg_kg_min * 8 * (minutes[i + 1] - s.start_minute) for i, s in enumerate(steps))
    assert infused_mg == pytest.approx(3200, rel=0.05)


# --- escalation after breakthrough infections --------------------------------------------------


def _model(trough: float) -> TroughModel:
    return TroughModel("population", 121, 0, 500, trough, "", ())


@pytest.mark.parametrize(
    ("trough", "breakthrough", "expected"),
    [(450, ("pneumonia",), 500), (350, ("pneumonia",), 524), (450, (), 441.3)],
    ids=["step beats the trough model", "trough model beats the step", "trough only"],
)
def test_escalation_step(
    kb: KnowledgeBase, policy: Policy, trough: float, breakthrough: tuple[str, ...], expected: float
) -> None:
    current = regimen.Regimen("IV", 400, 28, "current", ())
    raised = regimen.escalated(current, policy, kb, _model(trough), breakthrough)
    assert raised.mg_per_kg == pytest.approx(expected, abs=0.1)
    if breakthrough:
        assert "pneumonia" in raised.basis


# --- Carimune NF: recognised, never planned ----------------------------------------------------


def test_carimune_is_recognised_only(kb: KnowledgeBase, policy: Policy) -> None:
    carimune = kb.products["carimune-nf"]
    assert not carimune.plannable
    assert carimune.contains_sucrose is True
    with pytest.raises(FigureError, match="not used for dose planning"):
        engine.dose_for_figures(engine.DoseOrder(weight_kg=70, product="carimune-nf"), policy, kb, AS_OF)


def test_a_product_without_concentration_may_not_carry_vials() -> None:
    def give_vials(files: dict[str, Any]) -> None:
        carimune = next(p for p in files["products.yaml"]["products"] if p["id"] == "carimune-nf")
        carimune["vials"] = [{"grams": 6, "ml": 100}]

    with pytest.raises(KnowledgeError, match="no verified concentration"):
        loader.build(broken(give_vials), "test")


# --- what igcds dose shows ---------------------------------------------------------------------


def test_dose_shows_ideal_and_adjusted_weight_for_an_obese_man() -> None:
    done = run_igcds("dose", "--weight", "100", "--height", "175", "--sex", "male", "--format", "json")
    assert done.code == 0
    arithmetic = json.loads(done.out)["dose"]["weight_arithmetic"]
    assert (arithmetic["bmi"], arithmetic["ideal_kg"], arithmetic["adjusted_kg"]) == (32.7, 70.5, 82.3)
    assert arithmetic["adjusted_dose_g"] == 32.91
    text = " ".join(run_igcds("dose", "--weight", "100", "--height", "175", "--sex", "male").out.split())
    assert "ideal (Devine) 70.5 kg; adjusted 82.3 kg" in text
    assert "the site may choose it" in text


def test_dose_text_says_how_many_ml_to_draw() -> None:
    done = run_igcds("dose", "--weight", "8", "--product", "privigen")
    assert done.code == 0
    flat = " ".join(done.out.split())
    assert "open 5 g of vials, draw 32 mL (18 mL left over)" in flat


def test_carimune_on_record_with_ckd_is_named_and_not_continued(kb: KnowledgeBase) -> None:
    case = json.loads((ROOT_CASES / "safety.renal-risk" / "in-carimune-with-ckd.json").read_text(encoding="utf-8"))
    record = read.read_bundle(case["bundle"], AS_OF, kb)
    result = engine.assess(record, AS_OF, kb=kb)
    renal = next(r for r in result.recommendations if r.id == "IGRT-REN-01")
    assert "Carimune NF" in renal.rationale
    assert "sucrose-free" in renal.rationale
    assert "carimune-nf-label" in renal.citations
    assert result.dose is not None
    assert result.dose.product is None
    assert any("recognised only" in w for w in result.dose.warnings)


def test_escalation_names_the_infection_on_igrt_in_its_reason() -> None:
    """Issue 9 item 4: a pneumonia on IgRT is named in the escalation's reason, not only in the dose
    basis, even when it is fewer than the breakthrough count."""
    done = run_igcds("assess", "examples/higm-breakthrough-pneumonia.json", "--as-of", "2026-11-23", "--format", "json")
    escalation = next(r for r in json.loads(done.out)["recommendations"] if r["code"] == "treatment.igrt-escalate")
    assert "pneumonia" in escalation["rationale"]
    assert "Condition/" in " ".join(escalation["evidence"])


def test_continue_never_reads_as_continue_the_recorded_dose_when_the_review_refused_it() -> None:
    """10 g/kg weekly on record: the continue card says to check the recorded dose, and is urgent."""
    case = json.loads(
        Path("tests/cases/dose.recorded-dose/in-10-g-per-kg-weekly-is-not-continued.json").read_text(encoding="utf-8")
    )
    done = run_igcds("assess", "-", "--as-of", case["as_of"], "--format", "json", stdin=json.dumps(case["bundle"]))
    cont = next(r for r in json.loads(done.out)["recommendations"] if r["code"] == "treatment.igrt-continue")
    assert "Check the recorded dose first" in cont["rationale"]
    assert cont["priority"] != "routine"
