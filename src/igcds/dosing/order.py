"""A dose for given patient figures and an optional regimen: what `igcds dose` computes. The same
functions as the assessment's dose, so the two always agree."""

from __future__ import annotations

from datetime import date

from igcds.domain.assessment import Dose
from igcds.domain.errors import InputError
from igcds.domain.record import Measurement, Route
from igcds.dosing import amount, regimen, weight
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy


def dose_for_figures(
    *,
    weight_kg: float,
    height_cm: float | None,
    sex: str,
    age_years: float | None,
    route: Route,
    mg_per_kg: float | None,
    interval_days: int | None,
    policy: Policy,
    kb: KnowledgeBase,
    measured_on: date,
) -> Dose:
    """The starting regimen for the route unless mg/kg or the interval is given; the input names
    the option at fault (`--weight`, `--height`, …) when a figure is unusable."""
    for option, value in (("--weight", weight_kg), ("--height", height_cm), ("--mg-per-kg", mg_per_kg)):
        if value is not None and value <= 0:
            raise InputError(option, None, f"must be positive, got {value:g}")
    if age_years is not None and age_years < 0:
        raise InputError("--age", None, f"must not be negative, got {age_years:g}")
    if interval_days is not None and interval_days <= 0:
        raise InputError("--interval-weeks", None, "must be positive")
    start = regimen.starting(route, policy, kb)
    chosen = regimen.Regimen(
        route,
        mg_per_kg if mg_per_kg is not None else start.mg_per_kg,
        interval_days if interval_days is not None else start.interval_days,
        start.basis if mg_per_kg is None and interval_days is None else "regimen as ordered",
        start.citations if mg_per_kg is None and interval_days is None else (),
    )
    try:
        dosing_weight = weight.dosing_weight(weight_kg, height_cm, sex, age_years, False, policy)
    except weight.WeightUnavailable as missing:
        option = "--height" if "height" in str(missing) else "--sex" if "sex" in str(missing) else "--age"
        raise InputError(option, None, str(missing)) from None
    return amount.dose_for(chosen, dosing_weight, Measurement(weight_kg, measured_on, "--weight"), policy)


def above_ceiling(dose: Dose, policy: Policy) -> bool:
    return dose.mg_per_kg > regimen.ceiling_mg_per_kg(dose.interval_days, policy) + 1e-9
