"""Parts of a dose a pharmacist checks: how the dosing weight was worked out (actual, ideal and
adjusted weight with BMI) and, when whole vials would move the dose too far, the part vial the
exact dose is drawn from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PartVial:
    """Whole vials would shift the dose by more than the site allows (`shift_percent`): the vials
    totalling `opened_g` are opened and `draw_ml` (the exact dose) drawn; `left_ml` is left over."""

    opened_g: float
    draw_ml: float
    left_ml: float
    shift_percent: float
    """What the nearest whole-vial total (or nearest 5 g) would have shifted the dose by."""


@dataclass(frozen=True, slots=True)
class WeightArithmetic:
    """The weights behind the dose whenever height is known: ideal body weight by Devine
    (50 kg men, 45.5 kg women, + 2.3 kg per inch over 5 feet) and adjusted weight
    (IBW + 0.4 x (actual - IBW)); None where the formula does not apply (sex unknown, under 152 cm)."""

    actual_kg: float
    height_cm: float
    bmi: float
    ideal_kg: float | None
    adjusted_kg: float | None
    formula: str
    obese: bool
    """BMI at or above the site's `obesity_bmi`."""
    adjusted_dose_g: float | None = None
    """Dosing on actual weight with BMI at or above `obesity_bmi`: the exact dose on adjusted
    weight, which the site may choose instead."""
