"""Which regimen (mg/kg every N days) applies: the starting regimen, the patient's current one, or
an escalation of it. Every figure comes from site policy, whose defaults cite their sources."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.domain.assessment import TroughModel
from igcds.domain.record import Route
from igcds.dosing import trough_model
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

FOUR_WEEKS_DAYS = 28
SC_DEFAULT_INTERVAL_DAYS = 7


@dataclass(frozen=True, slots=True)
class Regimen:
    route: Route
    mg_per_kg: float
    interval_days: int
    basis: str
    citations: tuple[str, ...]

    @property
    def per_four_weeks_mg_per_kg(self) -> float:
        return self.mg_per_kg * FOUR_WEEKS_DAYS / self.interval_days


def _citations(kb: KnowledgeBase, *keys: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for key in keys for c in kb.policy.keys[key].citations))


def starting(route: Route, policy: Policy, kb: KnowledgeBase) -> Regimen:
    if route == "SC":
        return Regimen(
            "SC",
            policy.dosing.scig_start_mg_per_kg_week,
            SC_DEFAULT_INTERVAL_DAYS,
            f"SCIG starting dose {policy.dosing.scig_start_mg_per_kg_week:g} mg/kg weekly",
            _citations(kb, "scig_start_mg_per_kg_week"),
        )
    interval = policy.dosing.ivig_interval_weeks * 7
    return Regimen(
        "IV",
        policy.dosing.ivig_start_mg_per_kg,
        interval,
        f"IVIG starting dose {policy.dosing.ivig_start_mg_per_kg:g} mg/kg "
        f"every {policy.dosing.ivig_interval_weeks} weeks",
        _citations(kb, "ivig_start_mg_per_kg", "ivig_interval_weeks"),
    )


def current(
    route: Route,
    dose_g: float | None,
    dose_mg_per_kg: float | None,
    interval_days: int | None,
    weight_kg: float,
    policy: Policy,
) -> Regimen | None:
    """The regimen the patient is on, from the last recorded dose (grams are read per kg of the
    dosing weight, so continuing reproduces the same grams); None when no dose is recorded."""
    if dose_mg_per_kg is None and dose_g is None:
        return None
    mg_per_kg = dose_mg_per_kg if dose_mg_per_kg is not None else (dose_g or 0) * 1000 / weight_kg
    if interval_days is None:
        interval = SC_DEFAULT_INTERVAL_DAYS if route == "SC" else policy.dosing.ivig_interval_weeks * 7
        when = f"interval not recorded, taken as {interval} days"
    else:
        interval = interval_days
        when = f"every {interval} days, the usual interval between recent administrations"
    recorded = f"{dose_g:g} g" if dose_g is not None else f"{mg_per_kg:g} mg/kg"
    return Regimen(route, mg_per_kg, interval, f"current dose {recorded} ({when})", ())


def ceiling_mg_per_kg(interval_days: int, policy: Policy) -> float:
    return policy.dosing.max_mg_per_kg_4wk * interval_days / FOUR_WEEKS_DAYS


def within_ceiling(regimen: Regimen, policy: Policy) -> Regimen:
    """The regimen, lowered to the ceiling if above it (a resumed dose is checked like a new one)."""
    ceiling = ceiling_mg_per_kg(regimen.interval_days, policy)
    if regimen.mg_per_kg <= ceiling:
        return regimen
    return Regimen(
        regimen.route, ceiling, regimen.interval_days, f"{regimen.basis}; capped at the ceiling", regimen.citations
    )


def escalated(
    regimen: Regimen, policy: Policy, kb: KnowledgeBase, model: TroughModel | None, breakthrough: tuple[str, ...] = ()
) -> Regimen:
    """Raise the dose, never above the ceiling. After breakthrough infections: at least the policy
    step (a substantive move toward a higher trough), or more when the trough model needs more to
    reach the target. Otherwise, with a trough below target: what the trough model says."""
    scale = regimen.interval_days / FOUR_WEEKS_DAYS
    step = policy.dosing.escalation_step_mg_per_kg_4wk * scale
    to_target = 0.0
    citations: tuple[str, ...] = ()
    if model is not None and model.last_trough_mg_dl < model.target_mg_dl:
        to_target = trough_model.increase_to_target(model) * scale
        citations = (*model.citations, *_citations(kb, "trough_target_mg_dl"))
    model_text = (
        f"{model.model} trough model: +{model.mg_dl_per_100_mg_kg_4wk:g} mg/dL per +100 mg/kg per 4 weeks; "
        f"trough {model.last_trough_mg_dl:g} -> target {model.target_mg_dl:g} mg/dL"
        if model is not None
        else ""
    )
    if breakthrough:
        increase = max(step, to_target)
        how = (
            f"breakthrough infection(s) on IgRT ({'; '.join(breakthrough)}): a step of "
            f"{policy.dosing.escalation_step_mg_per_kg_4wk:g} mg/kg per 4 weeks toward a higher trough"
        )
        if to_target > step:
            how += f", raised further by the {model_text}"
        citations = (*_citations(kb, "escalation_step_mg_per_kg_4wk"), *citations)
    elif to_target > 0:
        increase, how = to_target, model_text
    else:
        increase = step
        how = f"step of {policy.dosing.escalation_step_mg_per_kg_4wk:g} mg/kg per 4 weeks"
        citations = _citations(kb, "escalation_step_mg_per_kg_4wk")
    ceiling = ceiling_mg_per_kg(regimen.interval_days, policy)
    proposed = min(regimen.mg_per_kg + increase, ceiling)
    capped = " (capped at the ceiling)" if proposed == ceiling else ""
    return Regimen(
        regimen.route,
        proposed,
        regimen.interval_days,
        f"{regimen.basis}; raised by {how}{capped}",
        tuple(dict.fromkeys((*citations, *_citations(kb, "max_mg_per_kg_4wk")))),
    )
