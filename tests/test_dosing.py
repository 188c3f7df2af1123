"""Dosing arithmetic: weights, regimens, rounding and the ceiling."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igcds.domain.record import Measurement
from igcds.dosing import amount, regimen, trough_model, weight
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy


def test_ideal_and_adjusted_weight_match_the_nba_worked_example() -> None:
    """A 100 kg, 175 cm man: IBW 70.4 kg, adjusted 82.2 kg as public calculators print them
    (they truncate; unrounded the figures are 70.47 and 82.28)."""
    ideal = weight.ideal_body_weight_kg(175, "male")
    assert ideal == pytest.approx(70.47, abs=0.01)
    assert weight.adjusted_body_weight_kg(100, ideal) == pytest.approx(82.28, abs=0.01)


def test_adjusted_if_obese_switches_at_the_bmi_threshold(kb: KnowledgeBase) -> None:
    policy = make_policy(kb.policy, {"dosing_weight": "adjusted-if-obese", "obesity_bmi": 30})
    at_threshold = 30 * 1.75**2  # BMI exactly 30
    assert weight.dosing_weight(at_threshold, 175, "male", 40, False, policy).basis == "adjusted"
    assert weight.dosing_weight(at_threshold - 0.1, 175, "male", 40, False, policy).basis == "actual"


def test_nba_policy_uses_actual_weight_for_children_and_short_adults(kb: KnowledgeBase) -> None:
    policy = make_policy(kb.policy, {"dosing_weight": "australia-nba"})
    assert weight.dosing_weight(100, 175, "male", 17.9, False, policy).basis == "actual"
    assert weight.dosing_weight(100, 151, "male", 40, False, policy).basis == "actual"
    assert weight.dosing_weight(100, 175, "male", 40, True, policy).basis == "actual"
    assert weight.dosing_weight(100, 175, "male", 40, False, policy).kg == pytest.approx(82.28, abs=0.01)


def test_policy_needing_height_reports_it_instead_of_guessing(kb: KnowledgeBase) -> None:
    policy = make_policy(kb.policy, {"dosing_weight": "adjusted-if-obese"})
    with pytest.raises(weight.WeightUnavailable, match="height"):
        weight.dosing_weight(100, None, "male", 40, False, policy)


def test_obese_patient_without_an_adjusted_option_is_told_why(kb: KnowledgeBase, policy: Policy) -> None:
    """BMI >= obesity_bmi under the actual-weight policy, but the Devine formula does not apply."""
    (no_sex,) = weight.dosing_weight(130, 170, "unknown", 40, False, policy).warnings
    assert "BMI 45 is at or above 30, but the adjusted-weight dose cannot be computed" in no_sex
    assert "needs sex male or female" in no_sex
    assert weight.dosing_weight(130, 170, "female", 40, False, policy).warnings == ()
    assert weight.dosing_weight(55, 142, "female", 40, False, policy).warnings == ()  # BMI 27.3: not obese
    nba = make_policy(kb.policy, {"dosing_weight": "australia-nba"})
    assert weight.dosing_weight(130, 142, "female", 40, False, nba).warnings == ()  # its basis says why


def test_height_needed_above_the_site_weight_under_the_actual_policy(kb: KnowledgeBase, policy: Policy) -> None:
    assert (
        weight.dosing_weight(120, None, "female", 40, False, policy)
        .warnings[0]
        .startswith("height needed to check the dosing weight: at 120 kg")
    )
    assert weight.dosing_weight(119.9, None, "female", 40, False, policy).warnings == ()
    assert weight.dosing_weight(250, 190, "female", 40, False, policy).warnings == ()
    lower = make_policy(kb.policy, {"height_check_weight_kg": 100})
    assert weight.dosing_weight(100, None, "unknown", None, False, lower).warnings


def test_starting_iv_dose_for_a_20_kg_child(kb: KnowledgeBase, policy: Policy) -> None:
    start = regimen.starting("IV", policy, kb)
    dose = amount.dose_for(start, weight.DosingWeight(20, "actual", ""), Measurement(20, date(2026, 1, 1), "w"), policy)
    assert (dose.mg_per_kg, dose.interval_days, dose.dose_g, dose.weekly_equivalent_mg_per_kg) == (400, 28, 8.0, 100)
    assert dose.citations, "a starting dose must carry its citations"


@pytest.mark.parametrize(
    ("rounding", "exact", "rounded"),
    [
        ("nearest-5g", 27.4, 25),
        ("nearest-5g", 27.5, 30),
        ("nearest-5g", 1.2, 5),
        ("vial", 8.5, 9),
        ("none", 8.444, 8.44),
    ],
)
def test_rounding_policies(rounding: str, exact: float, rounded: float) -> None:
    assert amount.round_dose(exact, rounding, None)[0] == rounded


@given(st.floats(min_value=0.5, max_value=500))
def test_nearest_5g_rounding_is_bounded(exact: float) -> None:
    assert abs(amount.round_dose(exact, "nearest-5g", None)[0] - exact) <= max(2.5, 5 - exact)


@given(st.floats(min_value=2, max_value=250), st.floats(min_value=2, max_value=250))
def test_dose_is_monotonic_in_weight(kb: KnowledgeBase, a: float, b: float) -> None:
    policy = make_policy(kb.policy)
    start = regimen.starting("IV", policy, kb)
    light, heavy = sorted((a, b))
    doses = [
        amount.dose_for(
            start, weight.DosingWeight(w, "actual", ""), Measurement(w, date(2026, 1, 1), "w"), policy
        ).dose_g
        for w in (light, heavy)
    ]
    assert doses[0] <= doses[1]


@given(
    st.floats(min_value=100, max_value=800),
    st.sampled_from([7, 14, 21, 28]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1500)),
)
def test_escalation_never_exceeds_the_ceiling(
    kb: KnowledgeBase, mg_per_kg: float, interval: int, trough: float | None
) -> None:
    policy = make_policy(kb.policy)
    ceiling = regimen.ceiling_mg_per_kg(interval, policy)
    current = regimen.Regimen("IV", min(mg_per_kg, ceiling), interval, "current", ())
    model = trough_model.trough_model("IV", [], trough, policy, kb) if trough is not None else None
    raised = regimen.escalated(current, policy, kb, model)
    assert current.mg_per_kg <= raised.mg_per_kg <= ceiling + 1e-9


def test_trough_model_proposes_the_published_slope(kb: KnowledgeBase, policy: Policy) -> None:
    """Trough 379 mg/dL, target 500: +121 mg/dL per +100 mg/kg/month means +100 mg/kg per 4 weeks."""
    current = regimen.Regimen("IV", 400, 28, "current", ())
    model = trough_model.trough_model("IV", [], 379, policy, kb)
    raised = regimen.escalated(current, policy, kb, model)
    assert raised.mg_per_kg == pytest.approx(500)
    assert model.model == "population"
    assert "121" in raised.basis


def test_devine_ideal_weight_is_not_used_below_five_feet(kb: KnowledgeBase) -> None:
    """Devine starts at 60 inches: a 96 cm child would get a negative ideal weight."""
    policy = make_policy(kb.policy, {"dosing_weight": "adjusted-if-obese"})
    chosen = weight.dosing_weight(30, 96, "male", 3, False, policy)
    assert (chosen.basis, chosen.kg) == ("actual", 30)
    assert "152 cm" in chosen.note
