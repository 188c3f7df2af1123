"""Review of an ordered or recorded immune globulin dose: its mg/kg of the dosing weight, the
regimen ceiling, and how far it is from igcds' dose. The order-sign card, `igcds dose` and record
checks all use these, so a dose is judged the same way everywhere."""

from __future__ import annotations

from dataclasses import replace

from igcds.domain.assessment import Dose, Recommendation
from igcds.domain.igrt_plan import DoseReview
from igcds.domain.record import MedicationUse
from igcds.dosing import regimen
from igcds.knowledge.policy import Policy

CEILING_SLACK_MG_PER_KG = 1e-9
"""Floating-point slack: a dose capped exactly at the ceiling is not above it."""


def exceeds_ceiling(mg_per_kg: float, interval_days: int, policy: Policy) -> bool:
    return mg_per_kg > regimen.ceiling_mg_per_kg(interval_days, policy) + CEILING_SLACK_MG_PER_KG


def ceiling_warning(policy: Policy) -> str:
    return f"above the ceiling of {policy.dosing.max_mg_per_kg_4wk:g} mg/kg per 4 weeks (policy max_mg_per_kg_4wk)"


def review_dose(ordered: MedicationUse, planned: Dose, policy: Policy) -> DoseReview | None:
    """None when the order states no dose. Grams are read per kg of the planned dosing weight."""
    if ordered.dose_mg_per_kg is not None:
        mg_per_kg = ordered.dose_mg_per_kg
    elif ordered.dose_g is not None:
        mg_per_kg = ordered.dose_g * 1000 / planned.dosing_weight_kg
    else:
        return None
    grams = mg_per_kg * planned.dosing_weight_kg / 1000
    difference = (grams - planned.rounded_dose_g) / planned.rounded_dose_g * 100
    return DoseReview(
        ref=ordered.ref,
        ordered_g=grams,
        ordered_mg_per_kg=mg_per_kg,
        planned=planned,
        ceiling_mg_per_kg=regimen.ceiling_mg_per_kg(planned.interval_days, policy),
        above_ceiling=exceeds_ceiling(mg_per_kg, planned.interval_days, policy),
        difference_percent=difference,
        within_tolerance=abs(difference) <= policy.dosing.order_dose_tolerance_percent,
    )


def implausible_recorded_dose(
    current: regimen.Regimen, ref: str, policy: Policy, floor_mg_per_kg_4wk: float, usual_interval_days: int
) -> str | None:
    """Why the recorded dose of `ref` (read as `current`) cannot be continued as given, or None.
    Above the site's ceiling or below the plausibility floor (knowledge/data/plausibility.yaml),
    per 4 weeks, it is a typing or unit error until a clinician says otherwise. The dose is judged
    over the longer of the gap between the last two administrations and the route's usual interval:
    a weekly SC dose given a day early is not an overdose."""
    interval = max(current.interval_days, usual_interval_days)
    per_4wk = current.mg_per_kg * regimen.FOUR_WEEKS_DAYS / interval
    if exceeds_ceiling(current.mg_per_kg, interval, policy):
        why = f"above the ceiling of {policy.dosing.max_mg_per_kg_4wk:g} mg/kg per 4 weeks (policy max_mg_per_kg_4wk)"
    elif per_4wk < floor_mg_per_kg_4wk:
        why = f"below the plausible floor of {floor_mg_per_kg_4wk:g} mg/kg per 4 weeks (a unit slip?)"
    else:
        return None
    return (
        f"{ref}: the recorded immune globulin dose, {current.mg_per_kg:g} mg/kg every {current.interval_days} "
        f"days ({current.per_four_weeks_mg_per_kg:.0f} mg/kg per 4 weeks), is {why}: not continued as recorded; "
        "the dose below is "
        "the starting regimen until the record is checked"
    )


CONTINUING = frozenset({"treatment.igrt-continue", "treatment.igrt-escalate"})


def unverified_recorded_dose(recommendation: Recommendation, implausible: list[str]) -> Recommendation:
    """A continue or escalate recommendation cannot read "continue the current dose" beside a recorded
    dose the review refused: its reason says so, and it is at least urgent until the record is checked."""
    if not implausible or recommendation.code not in CONTINUING:
        return recommendation
    priority = "urgent" if recommendation.priority == "routine" else recommendation.priority
    checked = " Check the recorded dose first: " + " ".join(implausible)
    return replace(recommendation, rationale=recommendation.rationale + checked, priority=priority)
