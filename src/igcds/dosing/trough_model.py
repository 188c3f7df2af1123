"""How much a dose change moves the trough: from the patient's own dose-trough history when it
spans enough doses, otherwise the published population slope (Berger 2013), with its
uncertainty. Doses are mg/kg per 4 weeks; a month is taken as 4 weeks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from igcds.domain.assessment import TroughModel
from igcds.domain.record import Route
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

PER_100_MG_KG = 100


@dataclass(frozen=True, slots=True)
class DoseTrough:
    """A trough and the dose (mg/kg per 4 weeks) the patient was on when it was drawn."""

    mg_kg_4wk: float
    trough_mg_dl: float
    drawn: date


def _slope(points: Sequence[DoseTrough]) -> float:
    """Least-squares slope of trough on dose, mg/dL per mg/kg per 4 weeks."""
    n = len(points)
    mean_dose = sum(p.mg_kg_4wk for p in points) / n
    mean_trough = sum(p.trough_mg_dl for p in points) / n
    spread = sum((p.mg_kg_4wk - mean_dose) ** 2 for p in points)
    return sum((p.mg_kg_4wk - mean_dose) * (p.trough_mg_dl - mean_trough) for p in points) / spread


def individual(history: Sequence[DoseTrough], policy: Policy) -> tuple[float | None, str]:
    """The patient's own slope (mg/dL per 100 mg/kg per 4 weeks), or None with the reason."""
    if len(history) < policy.trough.individual_model_min_points:
        return None, f"{len(history)} dose-trough pair(s) on record, {policy.trough.individual_model_min_points} needed"
    doses = [p.mg_kg_4wk for p in history]
    if max(doses) - min(doses) < policy.trough.individual_model_min_dose_spread_mg_kg_4wk:
        return None, (
            f"doses on record span {max(doses) - min(doses):.0f} mg/kg per 4 weeks, "
            f"{policy.trough.individual_model_min_dose_spread_mg_kg_4wk:g} needed"
        )
    slope = _slope(history) * PER_100_MG_KG
    if slope <= 0:
        return None, "the patient's troughs did not rise with the dose"
    return slope, ""


def trough_model(
    route: Route,
    history: Sequence[DoseTrough],
    last_trough_mg_dl: float,
    policy: Policy,
    kb: KnowledgeBase,
) -> TroughModel:
    own, why_not = individual(history, policy)
    target = policy.trough.trough_target_mg_dl
    if own is not None:
        first, last = history[0].drawn, history[-1].drawn
        return TroughModel(
            model="individual",
            mg_dl_per_100_mg_kg_4wk=round(own, 1),
            points=len(history),
            target_mg_dl=target,
            last_trough_mg_dl=last_trough_mg_dl,
            uncertainty=(
                f"fitted to this patient's {len(history)} dose-trough pairs ({first.isoformat()} to "
                f"{last.isoformat()}); infections, protein loss or a product change alter the response: "
                "recheck the trough"
            ),
            # The fit is arithmetic on the patient's own data; what is cited is the target it aims at.
            citations=tuple(kb.policy.keys["trough_target_mg_dl"].citations),
        )
    key = "trough_slope_sc_mg_dl_per_100mg_kg_month" if route == "SC" else "trough_slope_iv_mg_dl_per_100mg_kg_month"
    slope = policy.value(key)
    return TroughModel(
        model="population",
        mg_dl_per_100_mg_kg_4wk=slope,
        points=len(history),
        target_mg_dl=target,
        last_trough_mg_dl=last_trough_mg_dl,
        uncertainty=(
            f"population figure ({why_not}); a meta-regression of newer IVIG studies found a smaller rise "
            "(+73 mg/dL per +100 mg/kg, Lee 2020), so the trough may stay below target: recheck it"
        ),
        citations=(*kb.policy.keys[key].citations, "lee-2020"),
    )


def increase_to_target(model: TroughModel) -> float:
    """mg/kg per 4 weeks to add so the trough reaches the target (0 when already there)."""
    gap = model.target_mg_dl - model.last_trough_mg_dl
    return max(0.0, gap / model.mg_dl_per_100_mg_kg_4wk * PER_100_MG_KG)
