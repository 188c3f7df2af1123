"""The core's dose decisions that shells only present: the review of an ordered dose (order-sign
card, record checks), the warnings on a dose from given figures (`igcds dose`), figures named by
the core, and `as_of` applied by the engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from igcds import engine
from igcds.domain.assessment import Dose
from igcds.domain.errors import FigureError, InputError
from igcds.domain.record import MedicationUse, PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

AS_OF = date(2026, 11, 23)
NO_PRODUCT = "no product chosen: vial rounding not applied (rounded to the nearest gram)"


def planned(kb: KnowledgeBase, policy: Policy) -> Dose:
    """400 mg/kg every 28 days at 70 kg with Gammagard Liquid: 28 g."""
    return engine.dose_for_figures(engine.DoseOrder(70, product="gammagard-liquid"), policy, kb, AS_OF)


def order(grams: float | None = None, mg_per_kg: float | None = None) -> MedicationUse:
    return MedicationUse("request", (), "immune globulin", AS_OF, None, True, "MedicationRequest/o1", dose_g=grams,
                         dose_mg_per_kg=mg_per_kg)  # fmt: skip


def test_an_order_within_the_tolerance_needs_no_attention(kb: KnowledgeBase, policy: Policy) -> None:
    dose = planned(kb, policy)
    review = engine.review_dose(order(grams=29), dose, policy)
    assert review is not None
    assert review.difference_percent == pytest.approx(100 / 28)
    assert (review.within_tolerance, review.above_ceiling, review.needs_attention) == (True, False, False)


def test_an_order_beyond_the_tolerance_is_flagged_with_its_difference(kb: KnowledgeBase, policy: Policy) -> None:
    dose = planned(kb, policy)
    # The boundary pair around the default 10% tolerance (+10% is 30.8 g of the planned 28 g).
    assert policy.dosing.order_dose_tolerance_percent == 10
    at_limit = engine.review_dose(order(grams=30.7), dose, policy)
    beyond = engine.review_dose(order(grams=30.9), dose, policy)
    assert at_limit is not None
    assert beyond is not None
    assert at_limit.needs_attention is False
    assert beyond.needs_attention is True
    assert beyond.ordered_mg_per_kg == pytest.approx(30_900 / 70)


def test_an_order_above_the_ceiling_is_flagged_even_within_the_tolerance(kb: KnowledgeBase, policy: Policy) -> None:
    dose = replace(planned(kb, policy), rounded_dose_g=policy.dosing.max_mg_per_kg_4wk * 70 / 1000)
    ceiling_mg_per_kg = policy.dosing.max_mg_per_kg_4wk
    at_ceiling = engine.review_dose(order(mg_per_kg=ceiling_mg_per_kg), dose, policy)
    above = engine.review_dose(order(mg_per_kg=ceiling_mg_per_kg + 1), dose, policy)
    assert at_ceiling is not None
    assert above is not None
    assert at_ceiling.above_ceiling is False
    assert (above.above_ceiling, above.within_tolerance, above.needs_attention) == (True, True, True)


def test_an_order_without_a_dose_is_not_reviewed(kb: KnowledgeBase, policy: Policy) -> None:
    assert engine.review_dose(order(), planned(kb, policy), policy) is None


def test_dose_warnings_come_from_the_core(kb: KnowledgeBase, policy: Policy) -> None:
    without_product = engine.dose_for_figures(engine.DoseOrder(70), policy, kb, AS_OF)
    above = engine.dose_for_figures(engine.DoseOrder(70, mg_per_kg=900, product="privigen"), policy, kb, AS_OF)
    assert NO_PRODUCT in without_product.warnings
    assert not any("ceiling" in w for w in without_product.warnings)
    assert f"above the ceiling of {policy.dosing.max_mg_per_kg_4wk:g} mg/kg per 4 weeks (policy max_mg_per_kg_4wk)" in (
        above.warnings
    )
    assert NO_PRODUCT not in planned(kb, policy).warnings


@pytest.mark.parametrize(
    ("figures", "figure"),
    [
        (engine.DoseOrder(-5), "weight"),
        (engine.DoseOrder(70, mg_per_kg=0), "mg_per_kg"),
        (engine.DoseOrder(70, route="SC", from_iv=True), "from_iv"),
        (engine.DoseOrder(70, product="no-such-product"), "product"),
    ],
)
def test_an_unusable_figure_is_named_by_the_core(
    kb: KnowledgeBase, policy: Policy, figures: engine.DoseOrder, figure: str
) -> None:
    with pytest.raises(FigureError) as raised:
        engine.dose_for_figures(figures, policy, kb, AS_OF)
    assert raised.value.figure == figure
    assert "--" not in str(raised.value)  # option names belong to the CLI


def test_a_shell_names_the_figures_its_own_way(kb: KnowledgeBase, policy: Policy) -> None:
    with pytest.raises(FigureError) as raised:
        engine.dose_for_figures(engine.DoseOrder(70, route="SC", from_iv=True), policy, kb, AS_OF)
    options = {"from_iv": "--from-iv", "route": "--route", "mg_per_kg": "--mg-per-kg", "interval": "--interval-weeks"}
    assert raised.value.named(options) == (
        "--from-iv: needs --route SC, --mg-per-kg and --interval-weeks of the IV regimen"
    )


def test_find_product_rejects_an_unknown_id(kb: KnowledgeBase) -> None:
    assert engine.find_product(kb, "privigen").id == "privigen"
    with pytest.raises(InputError, match="unknown product 'nope'"):
        engine.find_product(kb, "nope")


def test_a_birth_date_after_the_assessment_date_is_an_input_error(kb: KnowledgeBase) -> None:
    record = PatientRecord("p", "Patient/p", "male", date(2027, 1, 1))
    with pytest.raises(InputError, match="Patient/p birthDate"):
        engine.assess(record, AS_OF, kb=kb)
