"""How a dose is given: IV rate steps from the label's initial to its maximum rate, and SC sites,
volumes and times from the label's per-site limits. Rates are per kg of the dosing weight."""

from __future__ import annotations

import math
from dataclasses import dataclass

from igcds.domain.assessment import IvInfusionPlan, RampUpDose, RateStep, ScInfusionPlan
from igcds.knowledge import schema
from igcds.knowledge.policy import Policy

MINUTES_PER_HOUR = 60
MG_PER_ML_PER_PERCENT = 10  # a 10% solution holds 100 mg/mL
MAX_INFUSIONS_PER_WEEK = 7  # SC labels allow up to daily infusions
INFUSION_EFFECTS_NOTE = (
    "Check vital signs during the infusion: headache (the commonest), fever and chills are mostly "
    "rate-related and settle when the rate is slowed or the infusion paused (Berger 2013; labels)."
)
INFUSION_EFFECTS_CITATION = "berger-2013"


def mg_per_ml(product: schema.Product) -> float:
    if product.concentration_percent is None:  # recognised-only products never reach the dose plan
        raise ValueError(f"{product.name}: concentration not verified")
    return product.concentration_percent * MG_PER_ML_PER_PERCENT


def volume_ml(product: schema.Product, grams: float) -> float:
    return round(grams * 1000 / mg_per_ml(product), 1)


@dataclass(frozen=True, slots=True)
class RateRisk:
    """Why the infusion rate is held lower (thrombosis or renal risk), for the plan's notes."""

    reasons: tuple[str, ...]


def iv_plan(
    product: schema.Product, dose_g: float, weight_kg: float, risk: RateRisk | None, policy: Policy
) -> IvInfusionPlan:
    """The label's initial rate for its initial period, then the rate multiplied by the site's
    step factor every step interval up to the maximum, until the dose is in."""
    assert product.iv is not None
    limits = product.iv
    initial_minutes = limits.initial_minutes or policy.products_and_infusion.iv_rate_step_minutes
    notes = [
        f"Start at {limits.initial_rate_mg_kg_min:g} mg/kg/min for {initial_minutes} min and raise "
        "only if tolerated; slow or stop for adverse events and resume at a lower tolerated rate.",
        INFUSION_EFFECTS_NOTE,
    ]
    maximum = limits.max_rate_mg_kg_min
    if risk is not None:
        at_risk = limits.at_risk_max_rate_mg_kg_min or policy.products_and_infusion.at_risk_max_rate_mg_kg_min
        source = "label" if limits.at_risk_max_rate_mg_kg_min else "site policy"
        maximum = min(maximum, at_risk)
        notes.append(
            f"Rate held at or below {maximum:g} mg/kg/min ({source}) for {', '.join(risk.reasons)}: "
            "the minimum practicable rate; hydrate before the infusion."
        )
    to_ml_h = weight_kg * MINUTES_PER_HOUR / mg_per_ml(product)
    remaining_mg = dose_g * 1000
    steps: list[RateStep] = []
    minute, rate, period = 0.0, min(limits.initial_rate_mg_kg_min, maximum), initial_minutes
    while True:
        steps.append(RateStep(round(minute), round(rate, 2), round(rate * to_ml_h, 1)))
        mg_this_step = rate * weight_kg * period
        if rate >= maximum or mg_this_step >= remaining_mg:
            minute += remaining_mg / (rate * weight_kg)
            break
        remaining_mg -= mg_this_step
        minute += period
        rate, period = (
            min(rate * policy.products_and_infusion.iv_rate_step_factor, maximum),
            policy.products_and_infusion.iv_rate_step_minutes,
        )
    return IvInfusionPlan(tuple(steps), maximum, math.ceil(minute), round(weight_kg, 1), tuple(notes))


def _site_limit(
    sc: schema.ScInfusion, first: bool, weight_kg: float, age_years: float | None
) -> tuple[schema.SiteLimit, str] | None:
    """The label limits for these infusions and this patient. For later infusions with no
    matching limit, the first-infusion limits (the label's most cautious figures)."""
    found = _matching(sc, ("first", "all") if first else ("later", "all"), weight_kg, age_years)
    if found is None and not first:
        found = _matching(sc, ("first",), weight_kg, age_years)
    return found


def _matching(
    sc: schema.ScInfusion, wanted: tuple[str, ...], weight_kg: float, age_years: float | None
) -> tuple[schema.SiteLimit, str] | None:
    for limit in sc.site_limits:
        if limit.infusions not in wanted:
            continue
        if limit.min_weight_kg is not None and weight_kg < limit.min_weight_kg:
            continue
        if limit.max_weight_kg is not None and weight_kg >= limit.max_weight_kg:
            continue
        if limit.min_age_years is not None or limit.max_age_years is not None:
            if age_years is None:
                continue
            if limit.min_age_years is not None and age_years < limit.min_age_years:
                continue
            if limit.max_age_years is not None and age_years >= limit.max_age_years:
                continue
        return limit, _describe(limit, sc.first_infusions)
    return None


def _describe(limit: schema.SiteLimit, first_infusions: int) -> str:
    parts = {
        "first": "the first infusion" if first_infusions == 1 else f"the first {first_infusions} infusions",
        "later": "later infusions",
        "all": "all infusions",
    }
    text = parts[limit.infusions]
    if limit.min_weight_kg is not None:
        text += f", weight {limit.min_weight_kg:g} kg or more"
    if limit.max_weight_kg is not None:
        text += f", weight under {limit.max_weight_kg:g} kg"
    if limit.min_age_years is not None:
        text += f", age {limit.min_age_years:g} or more"
    if limit.max_age_years is not None:
        text += f", age under {limit.max_age_years:g}"
    return text


def sc_plan(
    product: schema.Product,
    dose_g: float,
    weight_kg: float,
    age_years: float | None,
    first: bool,
) -> ScInfusionPlan | None:
    """Sites from the per-site volume limit; a weekly dose needing more sites than the label
    allows is split over more infusions a week. None when no label limit fits the patient."""
    assert product.sc is not None
    sc = product.sc
    found = _site_limit(sc, first, weight_kg, age_years)
    if found is None:
        return None
    limit, limits_for = found
    volume = dose_g * 1000 / mg_per_ml(product)
    weekly = sc.frequency == "weekly"
    per_week = 1
    while weekly and per_week < MAX_INFUSIONS_PER_WEEK:
        if sc.max_sites is None or math.ceil(volume / per_week / limit.ml_per_site) <= sc.max_sites:
            break
        per_week += 1
    per_infusion = volume / per_week
    sites = max(1, math.ceil(per_infusion / limit.ml_per_site))
    per_site = per_infusion / sites
    hours = per_site / limit.ml_h_per_site
    if limit.max_ml_h_all_sites is not None:
        hours = max(hours, per_infusion / limit.max_ml_h_all_sites)
    notes = []
    if per_week > 1:
        notes.append(
            f"{volume:.0f} mL needs more than {sc.max_sites} sites at once: split into {per_week} infusions a week"
        )
    if sc.max_sites is not None and sites > sc.max_sites:
        notes.append(f"{sites} sites exceed the label's {sc.max_sites}: give the dose on more days")
    return ScInfusionPlan(
        infusions_per_week=per_week if weekly else None,
        dose_per_infusion_g=round(dose_g / per_week, 2),
        volume_per_infusion_ml=round(per_infusion, 1),
        sites=sites,
        ml_per_site=round(per_site, 1),
        ml_h_per_site=limit.ml_h_per_site,
        minutes=math.ceil(hours * MINUTES_PER_HOUR),
        limits_for=limits_for,
        notes=tuple(notes),
    )


def ramp_up(product: schema.Product, weekly_dose_g: float, interval_weeks: int) -> tuple[RampUpDose, ...]:
    """The label's ramp-up (HyQvia): each infusion gives `dose_weeks` weeks of the maintenance
    dose until the full interval is reached. Empty when the product has none for this interval."""
    if product.sc is None or interval_weeks not in product.sc.ramp_up:
        return ()
    return tuple(
        RampUpDose(
            step.week, round(weekly_dose_g * step.dose_weeks, 2), volume_ml(product, weekly_dose_g * step.dose_weeks)
        )
        for step in product.sc.ramp_up[interval_weeks]
    )
