"""From grams to what is dispensed and given: whole vials, mL, IV rate steps, SC sites, the
HyQvia ramp-up, IV -> SC conversion and the trough model. Worked examples are computed by hand
from the label figures in products.yaml."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igcds.domain.record import Measurement
from igcds.dosing import amount, conversion, infusion, regimen, trough_model, vials, weight
from igcds.dosing.infusion import RateRisk
from igcds.dosing.trough_model import DoseTrough
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy

TEN_PERCENT_VIALS = [vials.VialSpec(g, g * 10) for g in (1, 2.5, 5, 10, 20)]


def plan(kb: KnowledgeBase, policy: Policy, product: str, mg_per_kg: float, interval: int, kg: float, **kw: object):  # type: ignore[no-untyped-def]
    route = "SC" if "IV" not in kb.products[product].routes else kw.pop("route", "IV")
    chosen = regimen.Regimen(route, mg_per_kg, interval, "test", ())  # type: ignore[arg-type]
    recipient = amount.Recipient(kg, **kw)  # type: ignore[arg-type]
    return amount.dose_for(
        chosen, weight.DosingWeight(kg, "actual", ""), Measurement(kg, date(2026, 1, 1), "w"), policy,
        kb.products[product], recipient,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("exact", "expected"),
    [
        (28.0, {20: 1, 5: 1, 1: 3}),  # exact total, fewest vials
        (27.3, {20: 1, 5: 1, 2.5: 1}),  # 27.5 is the nearest whole-vial total
        (6.25, {2.5: 1, 1: 4}),  # 6.0 and 6.5 are equally near: the larger total wins
        (0.3, {1: 1}),  # at least one vial
    ],
)
def test_nearest_vial_combination(exact: float, expected: dict[float, int]) -> None:
    chosen = vials.nearest_vial_combination(exact, TEN_PERCENT_VIALS)
    assert {v.grams: v.count for v in chosen} == expected


@given(st.floats(min_value=0.6, max_value=200))
def test_vial_rounding_is_within_half_the_smallest_vial(exact: float) -> None:
    """With a 1 g vial every whole gram is reachable, so rounding moves the dose at most 0.5 g."""
    chosen = vials.nearest_vial_combination(exact, TEN_PERCENT_VIALS)
    assert abs(vials.total_grams(chosen) - exact) <= 0.5 + 1e-9


@given(st.floats(min_value=1, max_value=60))
def test_rounded_dose_volume_round_trips_through_the_concentration(kb: KnowledgeBase, exact_g: float) -> None:
    policy = make_policy(kb.policy)
    dose = plan(kb, policy, "hizentra", exact_g * 1000 / 50, 7, 50)
    assert dose.volume_ml == pytest.approx(dose.rounded_dose_g * 5, abs=0.05 + 1e-9)  # 20%: 5 mL per gram, to 0.1 mL
    opened = sum(v.grams * v.count for v in dose.vials)
    if dose.part_vial is None:  # whole vials within the site's tolerance
        assert opened == pytest.approx(dose.rounded_dose_g)
    else:  # the exact dose drawn from the vials opened
        assert dose.rounded_dose_g == pytest.approx(exact_g, abs=0.01)
        assert opened == pytest.approx(dose.part_vial.opened_g)
        assert opened >= dose.rounded_dose_g
        assert dose.part_vial.draw_ml == dose.volume_ml
    assert abs(dose.rounding_difference_percent) <= policy.dosing.vial_rounding_max_percent


def test_iv_rate_steps_for_28_g_gammagard_liquid_at_70_kg(kb: KnowledgeBase, policy: Policy) -> None:
    """0.8 mg/kg/min for 30 min (1.68 g), doubling every 30 min to 8: 1.6 (3.36 g), 3.2 (6.72 g),
    6.4 (13.44 g) leave 2.8 g at 8 mg/kg/min = 5 min: 125 min in all."""
    dose = plan(kb, policy, "gammagard-liquid", 400, 28, 70)
    assert dose.iv_infusion is not None
    assert [s.mg_kg_min for s in dose.iv_infusion.steps] == [0.8, 1.6, 3.2, 6.4, 8]
    assert [s.start_minute for s in dose.iv_infusion.steps] == [0, 30, 60, 90, 120]
    assert dose.iv_infusion.steps[0].ml_h == pytest.approx(33.6)  # 0.5 mL/kg/h at 70 kg, as the label
    assert dose.iv_infusion.total_minutes == 125


def test_thrombosis_or_renal_risk_holds_the_rate_down(kb: KnowledgeBase, policy: Policy) -> None:
    """Octagam 5%: its label's renal-risk figure; Privigen (no label figure): the site policy."""
    octagam = plan(kb, policy, "octagam-5", 400, 28, 70, rate_risk=RateRisk(("renal risk",)))
    privigen = plan(kb, policy, "privigen", 400, 28, 70, rate_risk=RateRisk(("thrombosis risk",)))
    unrestricted = plan(kb, policy, "privigen", 400, 28, 70)
    assert octagam.iv_infusion
    assert octagam.iv_infusion.max_rate_mg_kg_min == 3.3
    assert privigen.iv_infusion
    assert privigen.iv_infusion.max_rate_mg_kg_min == policy.products_and_infusion.at_risk_max_rate_mg_kg_min
    assert unrestricted.iv_infusion
    assert privigen.iv_infusion.total_minutes > unrestricted.iv_infusion.total_minutes
    assert any("hydrate" in note for note in privigen.iv_infusion.notes)


def test_maltose_product_warns_about_glucose_meters(kb: KnowledgeBase, policy: Policy) -> None:
    dose = plan(kb, policy, "octagam-5", 400, 28, 70)
    assert any("glucose" in w for w in dose.warnings)


def test_sc_sites_follow_the_label_limits(kb: KnowledgeBase, policy: Policy) -> None:
    """Hizentra 10 g = 50 mL: first infusion 15 mL/site -> 4 sites of 12.5 mL at 15 mL/h (50 min);
    later infusions 25 mL/site -> 2 sites of 25 mL at 25 mL/h (60 min)."""
    first = plan(kb, policy, "hizentra", 200, 7, 50, new_to_product=True)
    later = plan(kb, policy, "hizentra", 200, 7, 50, new_to_product=False)
    assert first.sc_infusion
    assert (first.sc_infusion.sites, first.sc_infusion.minutes) == (4, 50)
    assert later.sc_infusion
    assert (later.sc_infusion.sites, later.sc_infusion.minutes) == (2, 60)


def test_sc_dose_beyond_the_site_limit_is_split_over_the_week(kb: KnowledgeBase, policy: Policy) -> None:
    """Cuvitru, 30 kg child, first infusions: 20 mL/site and at most 4 sites = 80 mL at once;
    24 g = 120 mL a week needs two infusions."""
    dose = plan(kb, policy, "cuvitru", 800, 7, 30, new_to_product=True)
    assert dose.sc_infusion is not None
    assert (dose.sc_infusion.infusions_per_week, dose.sc_infusion.sites) == (2, 3)


def test_site_limits_by_age_need_the_age(kb: KnowledgeBase, policy: Policy) -> None:
    """Xembify splits its limits by age: without an age no site plan is guessed."""
    unknown = plan(kb, policy, "xembify", 100, 7, 30)
    child = plan(kb, policy, "xembify", 100, 7, 30, age_years=8)
    assert unknown.sc_infusion is None
    assert any("per-site" in w for w in unknown.warnings)
    assert child.sc_infusion
    assert child.sc_infusion.ml_h_per_site == 25


def test_hyqvia_ramp_up_matches_the_label_example(kb: KnowledgeBase, policy: Policy) -> None:
    """The label's example for 30 g every 4 weeks: 7.5, 15, 22.5 and 30 g at weeks 1, 2, 4, 7."""
    dose = plan(kb, policy, "hyqvia", 300, 28, 100, new_to_product=True)
    assert dose.rounded_dose_g == 30
    assert [(r.week, r.dose_g) for r in dose.ramp_up] == [(1, 7.5), (2, 15), (4, 22.5), (7, 30)]


def test_hyqvia_every_3_weeks_reaches_the_full_dose_at_week_4(kb: KnowledgeBase, policy: Policy) -> None:
    """The label's table read for a 3-week interval: the 1-, 2- and 3-week doses at weeks 1, 2 and 4
    (its fourth infusion, the 4-week dose, is given "if required": for a 4-week interval)."""
    dose = plan(kb, policy, "hyqvia", 300, 21, 100, new_to_product=True)
    assert [(r.week, r.dose_g) for r in dose.ramp_up] == [(1, 10), (2, 20), (4, 30)]
    assert not any("ramp up as the label directs" in w for w in dose.warnings)


def test_hyqvia_outside_the_label_intervals_says_so_and_plans_no_ramp_up(kb: KnowledgeBase, policy: Policy) -> None:
    dose = plan(kb, policy, "hyqvia", 300, 14, 100, new_to_product=True)
    assert dose.ramp_up == ()
    assert any("the label gives intervals of 3 or 4 weeks, not every 14 days" in w for w in dose.warnings)
    assert any("ramp up as the label directs" in w for w in dose.warnings)


def test_hyqvia_gives_the_hyaluronidase_step_and_states_the_site_gap(kb: KnowledgeBase, policy: Policy) -> None:
    """30 g: 15 mL of hyaluronidase (the kits' 0.5 mL per g), then the immune globulin within 10 minutes."""
    dose = plan(kb, policy, "hyqvia", 300, 28, 100, new_to_product=True)
    hyaluronidase = [w for w in dose.warnings if "hyaluronidase first" in w]
    assert len(hyaluronidase) == 1
    assert "15 mL for 30 g" in hyaluronidase[0]
    assert "within 10 minutes" in hyaluronidase[0]
    assert any("per-site volume and pump rates are not in igcds' verified catalogue" in w for w in dose.warnings)


@pytest.mark.parametrize(
    ("product", "scig_conversion", "weekly_mg_per_kg", "factor"),
    [
        ("hizentra", "us-label", 400 * 1.37 / 4, 1.37),
        ("cuvitru", "us-label", 400 * 1.30 / 4, 1.30),
        ("hizentra", "eu-1to1", 100, 1.0),
    ],
)
def test_iv_to_sc_conversion(
    kb: KnowledgeBase, product: str, scig_conversion: str, weekly_mg_per_kg: float, factor: float
) -> None:
    policy = make_policy(kb.policy, {"scig_conversion": scig_conversion})
    converted = conversion.iv_to_sc(regimen.Regimen("IV", 400, 28, "iv", ()), kb.products[product], policy)
    assert (converted.regimen.route, converted.regimen.interval_days) == ("SC", 7)
    assert converted.regimen.mg_per_kg == pytest.approx(weekly_mg_per_kg)
    assert converted.factor == factor


def test_hyqvia_keeps_the_iv_dose_and_interval(kb: KnowledgeBase, policy: Policy) -> None:
    converted = conversion.iv_to_sc(regimen.Regimen("IV", 400, 21, "iv", ()), kb.products["hyqvia"], policy)
    assert (converted.regimen.mg_per_kg, converted.regimen.interval_days, converted.factor) == (400, 21, 1.0)


def test_no_us_label_factor_is_not_guessed(kb: KnowledgeBase, policy: Policy) -> None:
    with pytest.raises(conversion.ConversionUnavailable, match="Xembify"):
        conversion.iv_to_sc(regimen.Regimen("IV", 400, 28, "iv", ()), kb.products["xembify"], policy)


def test_trough_model_uses_the_patients_own_history_when_it_spans_doses(kb: KnowledgeBase, policy: Policy) -> None:
    """Troughs 500, 600, 700 at 400, 500, 600 mg/kg per 4 weeks: +100 mg/dL per +100 mg/kg. To go
    from 700 to a target of 800 needs +100 mg/kg per 4 weeks (the population slope would say 83)."""
    site = make_policy(kb.policy, {"trough_target_mg_dl": 800})
    history = [DoseTrough(400, 500, date(2025, 1, 1)), DoseTrough(500, 600, date(2025, 6, 1))]
    history.append(DoseTrough(600, 700, date(2026, 1, 1)))
    model = trough_model.trough_model("IV", history, 700, site, kb)
    assert (model.model, model.mg_dl_per_100_mg_kg_4wk, model.points) == ("individual", 100, 3)
    assert trough_model.increase_to_target(model) == pytest.approx(100)


@pytest.mark.parametrize(
    ("history", "why"),
    [
        ([(400, 500), (500, 600)], "2 dose-trough pair(s) on record, 3 needed"),
        ([(400, 500), (410, 520), (420, 540)], "span 20 mg/kg"),
        ([(400, 700), (500, 600), (600, 500)], "did not rise with the dose"),
    ],
)
def test_trough_model_falls_back_to_the_population_slope(
    kb: KnowledgeBase, policy: Policy, history: list[tuple[float, float]], why: str
) -> None:
    points = [DoseTrough(dose, trough, date(2025, 1, 1 + i)) for i, (dose, trough) in enumerate(history)]
    model = trough_model.trough_model("IV", points, 450, policy, kb)
    assert model.model == "population"
    assert why in model.uncertainty
    assert model.mg_dl_per_100_mg_kg_4wk == policy.trough.trough_slope_iv_mg_dl_per_100mg_kg_month
    assert "lee-2020" in model.citations


@given(st.floats(min_value=5, max_value=150))
def test_infusion_time_is_positive_and_rates_never_exceed_the_label(kb: KnowledgeBase, kg: float) -> None:
    policy = make_policy(kb.policy)
    for product in ("gammagard-liquid", "privigen", "gamunex-c", "octagam-5"):
        dose = plan(kb, policy, product, 600, 28, kg)
        assert dose.iv_infusion is not None
        limits = kb.products[product].iv
        assert limits is not None
        assert all(s.mg_kg_min <= limits.max_rate_mg_kg_min for s in dose.iv_infusion.steps)
        assert dose.iv_infusion.total_minutes > 0


def test_volume_is_per_the_concentration(kb: KnowledgeBase, policy: Policy) -> None:
    assert infusion.volume_ml(kb.products["octagam-5"], 10) == 200
    assert infusion.volume_ml(kb.products["cutaquig"], 1.65) == 10


def test_a_very_large_dose_is_still_rounded_to_the_nearest_total() -> None:
    """Above 20 of the largest vial the excess is taken in largest vials first (a typing error
    such as 1,000,000 mg/kg must not hang the search); the total is still the nearest one."""
    chosen = vials.nearest_vial_combination(10_000.3, TEN_PERCENT_VIALS)
    assert vials.total_grams(chosen) == 10_000.5
    assert chosen[0].grams == 20
    assert chosen[0].count >= 480


def test_renal_risk_flags_a_product_whose_sucrose_content_is_not_verified(kb: KnowledgeBase, policy: Policy) -> None:
    risk = RateRisk(("renal risk",))
    unknown = plan(kb, policy, "gamunex-c", 400, 28, 70, rate_risk=risk, renal_risk=True)
    free = plan(kb, policy, "privigen", 400, 28, 70, rate_risk=risk, renal_risk=True)
    assert any("no verified sucrose content" in w for w in unknown.warnings)
    assert not any("sucrose" in w for w in free.warnings)
