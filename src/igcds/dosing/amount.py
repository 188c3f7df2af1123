"""From a regimen and a dosing weight to what is dispensed and given: the exact dose, the dose
rounded by policy (whole vials of the chosen product, nearest 5 g, or none), its volume, and the
infusion plan for the product and route."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from igcds.domain.assessment import Dose, IvInfusionPlan, RampUpDose, ScInfusionPlan, TroughModel, VialCount
from igcds.domain.dose_detail import PartVial
from igcds.domain.record import Measurement
from igcds.dosing import facilitated, infusion, vials
from igcds.dosing.infusion import RateRisk
from igcds.dosing.regimen import Regimen
from igcds.dosing.weight import DosingWeight
from igcds.knowledge import schema
from igcds.knowledge.policy import Policy

WEEK_DAYS = 7
DISPLAY_ROUNDING_G = 2
NO_PRODUCT_ROUNDING = "no product chosen: vial rounding not applied (rounded to the nearest gram)"


class ProductRouteMismatch(ValueError):
    """The chosen product is not labelled for the planned route."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Facts about the patient that shape how the dose is given, beyond the dosing weight."""

    actual_weight_kg: float
    age_years: float | None = None
    rate_risk: RateRisk | None = None
    new_to_product: bool = True
    renal_risk: bool = False


def round_dose(dose_g: float, rounding: str, product: schema.Product | None) -> tuple[float, tuple[VialCount, ...]]:
    """`vial`: the nearest whole-vial total of the product (the nearest gram when no product or
    no verified vial sizes: the assessment says so). `nearest-5g`: half up to a multiple of 5 g, at
    least 5 g. `none`: the exact dose as reported (0.01 g)."""
    if rounding == "nearest-5g":
        return max(5.0, math.floor(dose_g / 5 + 0.5) * 5), ()
    if rounding == "vial":
        if product is not None and product.vials:
            specs = [vials.VialSpec(v.grams, v.ml) for v in product.vials]
            chosen = vials.nearest_vial_combination(dose_g, specs)
            return vials.total_grams(chosen), chosen
        return float(max(1, math.floor(dose_g + 0.5))), ()
    return round(dose_g, DISPLAY_ROUNDING_G), ()


ROUNDING_EPSILON_PERCENT = 1e-9


@dataclass(frozen=True, slots=True)
class Dispensed:
    grams: float
    vials: tuple[VialCount, ...]
    part_vial: PartVial | None
    note: str | None
    """Why the exact dose is dispensed rather than a rounded one."""


def dispense(dose_g: float, policy: Policy, product: schema.Product | None) -> Dispensed:
    """The dose rounded by policy when that moves it by no more than `vial_rounding_max_percent`;
    otherwise the exact dose, drawn from the smallest set of vials that holds it. Rounding never
    shifts a dose beyond the site's tolerance (HOPA 10 % for biologics, extrapolated)."""
    rounded, vial_counts = round_dose(dose_g, policy.dosing.rounding, product)
    shift = (rounded - dose_g) / dose_g * 100
    if abs(shift) <= policy.dosing.vial_rounding_max_percent + ROUNDING_EPSILON_PERCENT:
        return Dispensed(rounded, vial_counts, None, None)
    exact = round(dose_g, DISPLAY_ROUNDING_G)
    limit = policy.dosing.vial_rounding_max_percent
    note = (
        f"{policy.dosing.rounding} rounding to {rounded:g} g would move the dose by {shift:+.1f}% "
        f"(site limit {limit:g}%): the exact dose of {exact:g} g is dispensed"
    )
    if product is None or not product.vials or product.concentration_percent is None:
        return Dispensed(exact, (), None, note)
    opened = vials.covering_vial_combination(exact, [vials.VialSpec(v.grams, v.ml) for v in product.vials])
    opened_ml = sum(v.ml * v.count for v in opened)
    draw = infusion.volume_ml(product, exact)
    part = PartVial(vials.total_grams(opened), draw, round(opened_ml - draw, 1), round(shift, 1))
    note += f": open {part.opened_g:g} g of vials and draw {draw:g} mL ({part.left_ml:g} mL left over)"
    return Dispensed(exact, opened, part, note)


def _product_warnings(product: schema.Product, recipient: Recipient) -> list[str]:
    warnings = [f"{product.name}: {note}" for note in product.notes]
    if recipient.renal_risk and product.contains_sucrose is not False:
        found = "contains sucrose" if product.contains_sucrose else "has no verified sucrose content"
        warnings.append(f"{product.name} {found}: avoid sucrose-stabilised products with renal risk")
    return warnings


def _ramp_up(product: schema.Product, dose_g: float, interval_days: int) -> tuple[tuple[RampUpDose, ...], list[str]]:
    if product.sc is None or not product.sc.ramp_up:
        return (), []
    weeks = interval_days // WEEK_DAYS
    ramp = infusion.ramp_up(product, dose_g / weeks, weeks)
    if not ramp:
        return (), [f"{product.name}: ramp up as the label directs (no verified table for every {weeks} weeks)"]
    return ramp, []


def dose_for(
    regimen: Regimen,
    weight: DosingWeight,
    measured: Measurement,
    policy: Policy,
    product: schema.Product | None = None,
    recipient: Recipient | None = None,
    *,
    model: TroughModel | None = None,
    converted_from: str | None = None,
    conversion_factor: float | None = None,
) -> Dose:
    recipient = recipient or Recipient(measured.value)
    if product is not None and regimen.route not in product.routes:
        raise ProductRouteMismatch(f"{product.name} is not labelled for {regimen.route} use")
    dose_g = regimen.mg_per_kg * weight.kg / 1000
    arithmetic = weight.arithmetic
    if (
        arithmetic is not None
        and policy.dosing.dosing_weight == "actual"
        and arithmetic.obese
        and weight.adjusted_kg is not None
        and weight.adjusted_kg < weight.kg
    ):
        alternative = regimen.mg_per_kg * weight.adjusted_kg / 1000
        arithmetic = replace(arithmetic, adjusted_dose_g=round(alternative, DISPLAY_ROUNDING_G))
    dispensed = dispense(dose_g, policy, product)
    rounded, vial_counts = dispensed.grams, dispensed.vials
    difference = (rounded - dose_g) / dose_g * 100
    warnings = [dispensed.note] if dispensed.note else []
    warnings += weight.warnings
    if arithmetic is not None and arithmetic.adjusted_dose_g is not None:
        warnings.append(
            f"BMI {arithmetic.bmi:g} is at or above {policy.dosing.obesity_bmi:g}: "
            "the site may choose to dose on adjusted "
            f"body weight ({arithmetic.adjusted_kg:g} kg): {arithmetic.adjusted_dose_g:g} g instead of "
            f"{round(dose_g, DISPLAY_ROUNDING_G):g} g on actual weight (a site policy choice)"
        )
    iv_plan: IvInfusionPlan | None = None
    sc_plan: ScInfusionPlan | None = None
    ramp: tuple[RampUpDose, ...] = ()
    if product is not None:
        warnings += _product_warnings(product, recipient)
        if regimen.route == "IV" and product.iv is not None:
            iv_plan = infusion.iv_plan(product, rounded, weight.kg, recipient.rate_risk, policy)
        elif regimen.route == "IV":
            warnings.append(f"{product.name}: infusion rates not in igcds' verified catalogue: follow the label")
        else:
            sc_plan = infusion.sc_plan(
                product, rounded, recipient.actual_weight_kg, recipient.age_years, recipient.new_to_product
            )
            if facilitated.is_facilitated(product):
                warnings += facilitated.notes(product, rounded, regimen.interval_days)
            elif sc_plan is None:
                warnings.append(f"{product.name}: no verified per-site limits for this patient: follow the label")
            if recipient.new_to_product:
                ramp, note = _ramp_up(product, rounded, regimen.interval_days)
                warnings += note
    return Dose(
        route=regimen.route,
        mg_per_kg=round(regimen.mg_per_kg, 1),
        interval_days=regimen.interval_days,
        weight_basis=weight.basis,
        dosing_weight_kg=round(weight.kg, 1),
        dose_g=round(dose_g, DISPLAY_ROUNDING_G),
        rounded_dose_g=rounded,
        rounding=policy.dosing.rounding,
        product=product.id if product else None,
        volume_ml=infusion.volume_ml(product, rounded) if product else None,
        weekly_equivalent_mg_per_kg=round(regimen.mg_per_kg * WEEK_DAYS / regimen.interval_days, 1),
        conversion_factor=conversion_factor,
        basis=f"{regimen.basis}; {weight.note}",
        citations=tuple(
            dict.fromkeys(
                (
                    *regimen.citations,
                    *((product.label,) if product else ()),
                    *((infusion.INFUSION_EFFECTS_CITATION,) if iv_plan else ()),
                )
            )
        ),
        weight_ref=measured.ref,
        product_name=product.name if product else None,
        rounding_difference_percent=round(difference, 1),
        vials=vial_counts,
        part_vial=dispensed.part_vial,
        weight_arithmetic=arithmetic,
        iv_infusion=iv_plan,
        sc_infusion=sc_plan,
        ramp_up=ramp,
        trough_model=model,
        converted_from=converted_from,
        warnings=tuple(warnings),
    )
