"""From a regimen and a dosing weight to grams: the exact dose and the dose rounded by policy."""

from __future__ import annotations

import math

from igcds.domain.assessment import Dose
from igcds.domain.record import Measurement
from igcds.dosing.regimen import Regimen
from igcds.dosing.weight import DosingWeight
from igcds.knowledge.policy import Policy

WEEK_DAYS = 7


def round_dose(dose_g: float, rounding: str) -> float:
    """`nearest-5g`: half up to a multiple of 5 g, at least 5 g. `vial` without a chosen product:
    the nearest whole gram (the assessment reports the missing product as a data gap). `none`:
    the exact dose as reported (0.01 g)."""
    if rounding == "nearest-5g":
        return max(5.0, math.floor(dose_g / 5 + 0.5) * 5)
    if rounding == "vial":
        return float(max(1, math.floor(dose_g + 0.5)))
    return round(dose_g, 2)


def dose_for(regimen: Regimen, weight: DosingWeight, measured: Measurement, policy: Policy) -> Dose:
    """Product choice (volume, vials, conversion factors) arrives with dose planning."""
    dose_g = regimen.mg_per_kg * weight.kg / 1000
    return Dose(
        route=regimen.route,
        mg_per_kg=round(regimen.mg_per_kg, 1),
        interval_days=regimen.interval_days,
        weight_basis=weight.basis,
        dosing_weight_kg=round(weight.kg, 1),
        dose_g=round(dose_g, 2),
        rounded_dose_g=round_dose(dose_g, policy.rounding),
        rounding=policy.rounding,
        product=None,
        volume_ml=None,
        weekly_equivalent_mg_per_kg=round(regimen.mg_per_kg * WEEK_DAYS / regimen.interval_days, 1),
        conversion_factor=None,
        basis=f"{regimen.basis}; {weight.note}",
        citations=regimen.citations,
        weight_ref=measured.ref,
    )
