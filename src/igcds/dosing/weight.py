"""Dosing weight: actual, ideal (Devine) and adjusted = IBW + 0.4 x (actual - IBW), as the
Australian NBA BloodSTAR calculator defines them (evidence-hyper-igm-and-igrt.md §7)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from igcds.domain.dose_detail import WeightArithmetic
from igcds.knowledge.policy import Policy

CM_PER_INCH = 2.54
DEVINE_BASE_KG = {"male": 50.0, "female": 45.5}
DEVINE_KG_PER_INCH_OVER_5_FEET = 2.3
ADJUSTMENT_FRACTION = 0.4
# NBA exclusions from adjusted weight: age < 18, height < 152 cm (5 feet), pregnancy.
NBA_ADULT_AGE_YEARS = 18
NBA_MIN_HEIGHT_CM = 152


@dataclass(frozen=True, slots=True)
class DosingWeight:
    kg: float
    basis: Literal["actual", "adjusted", "ideal"]
    note: str
    arithmetic: WeightArithmetic | None = None
    """Actual, ideal and adjusted weight with BMI, whenever height is known."""
    adjusted_kg: float | None = None
    """Adjusted body weight, unrounded, whenever it can be worked out."""
    warnings: tuple[str, ...] = ()
    """What the pharmacist must know about the weight: a height needed to check it, or an
    adjusted-weight option that cannot be computed."""


PREGNANCY_NOTE = (
    "pregnancy: weigh before each infusion and recalculate the dose on the current weight "
    "(weight-adjusted dosing kept IgG exposure steady in the first and second trimesters)"
)


def pregnancy_notes(pregnant: bool) -> list[str]:
    return [PREGNANCY_NOTE] if pregnant else []


def arithmetic(actual_kg: float, height_cm: float, sex: str, policy: Policy) -> WeightArithmetic:
    """BMI always; ideal (Devine) and adjusted weight where the formula applies (sex male or
    female, height from 152 cm)."""
    metres = height_cm / 100
    bmi = actual_kg / metres**2
    steps = [f"BMI = {actual_kg:g} kg / ({metres:g} m)^2 = {bmi:.1f} kg/m2"]
    ideal = adjusted = None
    if sex in DEVINE_BASE_KG and height_cm >= NBA_MIN_HEIGHT_CM:
        ideal = ideal_body_weight_kg(height_cm, sex)
        adjusted = adjusted_body_weight_kg(actual_kg, ideal)
        steps.append(
            f"IBW (Devine, {sex}) = {DEVINE_BASE_KG[sex]:g} + {DEVINE_KG_PER_INCH_OVER_5_FEET:g} x "
            f"({height_cm:g} cm / {CM_PER_INCH:g} - 60 in) = {ideal:.1f} kg"
        )
        steps.append(
            f"adjusted = IBW + {ADJUSTMENT_FRACTION:g} x (actual - IBW) = {ideal:.1f} + {ADJUSTMENT_FRACTION:g} x "
            f"({actual_kg:g} - {ideal:.1f}) = {adjusted:.1f} kg"
        )
    else:
        steps.append("IBW (Devine) needs sex male or female and a height of at least 152 cm")
    return WeightArithmetic(
        actual_kg=actual_kg,
        height_cm=height_cm,
        bmi=round(bmi, 1),
        ideal_kg=round(ideal, 1) if ideal is not None else None,
        adjusted_kg=round(adjusted, 1) if adjusted is not None else None,
        formula="; ".join(steps),
        obese=bmi >= policy.dosing.obesity_bmi,
    )


class WeightUnavailable(ValueError):
    """The policy needs a fact the record lacks (height, sex); the message says which."""


def ideal_body_weight_kg(height_cm: float, sex: str) -> float:
    if sex not in DEVINE_BASE_KG:
        raise WeightUnavailable("sex male or female is needed for ideal body weight (Devine)")
    inches_over_five_feet = height_cm / CM_PER_INCH - 60
    return DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH_OVER_5_FEET * inches_over_five_feet


def adjusted_body_weight_kg(actual_kg: float, ideal_kg: float) -> float:
    return ideal_kg + ADJUSTMENT_FRACTION * (actual_kg - ideal_kg)


def dosing_weight(
    actual_kg: float,
    height_cm: float | None,
    sex: str,
    age_years: float | None,
    pregnant: bool,
    policy: Policy,
) -> DosingWeight:
    chosen = _dosing_weight(actual_kg, height_cm, sex, age_years, pregnant, policy)
    if height_cm is None:
        return replace(chosen, warnings=_height_needed(actual_kg, policy))
    adjusted = None
    if sex in DEVINE_BASE_KG and height_cm >= NBA_MIN_HEIGHT_CM:
        adjusted = adjusted_body_weight_kg(actual_kg, ideal_body_weight_kg(height_cm, sex))
    weights = arithmetic(actual_kg, height_cm, sex, policy)
    return replace(chosen, arithmetic=weights, adjusted_kg=adjusted, warnings=_no_adjusted_option(weights, sex, policy))


def _height_needed(actual_kg: float, policy: Policy) -> tuple[str, ...]:
    """Under the actual-weight policy, a heavy patient without a height: obesity is likely and
    the adjusted-weight option cannot be shown (the other policies need the height anyway)."""
    if policy.dosing.dosing_weight != "actual" or actual_kg < policy.dosing.height_check_weight_kg:
        return ()
    return (
        f"height needed to check the dosing weight: at {actual_kg:g} kg (at or above "
        f"{policy.dosing.height_check_weight_kg:g} kg) obesity is likely; with a height igcds shows the BMI and the "
        "adjusted-weight dose the site may choose",
    )


def _no_adjusted_option(weights: WeightArithmetic, sex: str, policy: Policy) -> tuple[str, ...]:
    """Under the actual-weight policy, an obese patient for whom the adjusted weight is not defined."""
    if policy.dosing.dosing_weight != "actual" or not weights.obese or weights.adjusted_kg is not None:
        return ()
    why = (
        f"the Devine ideal body weight is defined only from {NBA_MIN_HEIGHT_CM} cm (5 feet) and the patient is "
        f"{weights.height_cm:g} cm"
        if weights.height_cm < NBA_MIN_HEIGHT_CM
        else "the Devine ideal body weight needs sex male or female"
    )
    return (
        f"BMI {weights.bmi:g} is at or above {policy.dosing.obesity_bmi:g}, but the adjusted-weight dose cannot be "
        f"computed: {why}; the dose stays on actual weight (site policy)",
    )


def _dosing_weight(
    actual_kg: float,
    height_cm: float | None,
    sex: str,
    age_years: float | None,
    pregnant: bool,
    policy: Policy,
) -> DosingWeight:
    if policy.dosing.dosing_weight == "actual":
        return DosingWeight(actual_kg, "actual", "actual body weight (site policy)")
    if height_cm is None:
        raise WeightUnavailable(f"height is needed for the '{policy.dosing.dosing_weight}' dosing-weight policy")
    if height_cm < NBA_MIN_HEIGHT_CM:
        # The Devine formula starts at 5 feet; below it the ideal weight is not defined, whatever the sex.
        return DosingWeight(actual_kg, "actual", "actual body weight (height under 152 cm: Devine IBW not defined)")
    ideal = ideal_body_weight_kg(height_cm, sex)
    adjusted = adjusted_body_weight_kg(actual_kg, ideal)
    if policy.dosing.dosing_weight == "adjusted-if-obese":
        bmi = actual_kg / (height_cm / 100) ** 2
        if bmi >= policy.dosing.obesity_bmi:
            return DosingWeight(
                adjusted, "adjusted", f"adjusted body weight: BMI {bmi:.1f} >= {policy.dosing.obesity_bmi:g}"
            )
        return DosingWeight(actual_kg, "actual", f"actual body weight: BMI {bmi:.1f} < {policy.dosing.obesity_bmi:g}")
    # australia-nba: adjusted by default, actual in the NBA's exclusions.
    if age_years is None:
        raise WeightUnavailable("age is needed for the 'australia-nba' dosing-weight policy")
    exclusions = [
        ("age under 18", age_years < NBA_ADULT_AGE_YEARS),
        ("pregnancy", pregnant),
        ("actual weight below adjusted weight", actual_kg < adjusted),
    ]
    applying = [name for name, applies in exclusions if applies]
    if applying:
        return DosingWeight(actual_kg, "actual", f"actual body weight (NBA exclusion: {', '.join(applying)})")
    return DosingWeight(adjusted, "adjusted", "adjusted body weight (NBA rule)")
