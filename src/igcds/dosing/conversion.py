"""IVIG -> SCIG: weekly SC dose = IV dose x factor / weeks between IV doses, with the product's
US-label factor or 1:1 (EU practice); products given at the IV interval (HyQvia) keep the IV dose
and interval."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.dosing.regimen import Regimen
from igcds.knowledge import schema
from igcds.knowledge.policy import Policy

DAYS_PER_WEEK = 7
EU_FACTOR = 1.0
SWITCH_NOTES = (
    "give the first SC dose one week after the last IV infusion (labels)",
    "check the trough IgG 2-3 months after the switch (labels)",
)


class ConversionUnavailable(ValueError):
    """The product has no verified US-label factor; the message says what to do instead."""


@dataclass(frozen=True, slots=True)
class Conversion:
    regimen: Regimen
    factor: float
    converted_from: str


def iv_to_sc(iv: Regimen, product: schema.Product, policy: Policy) -> Conversion:
    if product.sc is None:
        raise ConversionUnavailable(f"{product.name} is not a subcutaneous product")
    weeks = iv.interval_days / DAYS_PER_WEEK
    source = f"IV {iv.mg_per_kg:.0f} mg/kg every {iv.interval_days} days"
    if product.sc.frequency == "as-iv":
        regimen = Regimen(
            "SC",
            iv.mg_per_kg,
            iv.interval_days,
            f"{product.name}: the IV dose and interval unchanged (label, after ramp-up); from {source}",
            (product.label,),
        )
        return Conversion(regimen, EU_FACTOR, source)
    if policy.dosing.scig_conversion == "eu-1to1":
        factor, why, cited = EU_FACTOR, "1:1 (EU practice, site policy)", ("krishnarajah-2016",)
    elif product.sc.conversion_factor is None:
        raise ConversionUnavailable(
            f"{product.name} has no verified US-label conversion factor: choose another product or the eu-1to1 policy"
        )
    else:
        factor = product.sc.conversion_factor
        why, cited = f"US-label factor {factor:g} for {product.name}", (product.label,)
    weekly = iv.mg_per_kg * factor / weeks
    regimen = Regimen(
        "SC",
        weekly,
        DAYS_PER_WEEK,
        f"weekly SC = {iv.mg_per_kg:.0f} mg/kg x {factor:g} / {weeks:g} weeks ({why}); from {source}",
        cited,
    )
    return Conversion(regimen, factor, source)
