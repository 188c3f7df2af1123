"""A dose for given patient figures and an optional regimen and product: what `igcds dose`
computes. The same functions as the assessment's dose, so the two always agree. A figure igcds
cannot use is a `FigureError` naming it ('weight', 'mg_per_kg', …); shells name their own options."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from igcds.domain.assessment import Dose
from igcds.domain.errors import FigureError
from igcds.domain.record import Measurement, Route
from igcds.dosing import amount, catalogue, conversion, facilitated, regimen, review, weight
from igcds.dosing.infusion import RateRisk
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.plausibility import Plausibility
from igcds.knowledge.policy import Policy


@dataclass(frozen=True, slots=True)
class DoseOrder:
    """The figures of a dose calculation (`igcds dose`, the web calculator)."""

    weight_kg: float
    height_cm: float | None = None
    sex: str = "unknown"
    age_years: float | None = None
    route: Route | None = None
    """None: the product's route when it has only one (Hizentra: SC), else IV."""
    mg_per_kg: float | None = None
    interval_days: int | None = None
    product: str | None = None
    from_iv: bool = False
    """`mg_per_kg` and `interval_days` are the patient's IV regimen, to convert to SC."""
    risks: tuple[str, ...] = ()
    """'thrombosis' and/or 'renal': hold the IV rate down (and no sucrose with renal risk)."""
    new_to_product: bool = True


def _check(order: DoseOrder, plausible: Plausibility) -> None:
    numbers = (("weight", order.weight_kg), ("height", order.height_cm), ("mg_per_kg", order.mg_per_kg))
    for figure, value in (*numbers, ("age", order.age_years)):
        if value is not None and not math.isfinite(value):
            raise FigureError(figure, f"must be a number, got {value:g}")
    for figure, value in numbers:
        if value is not None and value <= 0:
            raise FigureError(figure, f"must be positive, got {value:g}")
    if order.mg_per_kg is not None and order.mg_per_kg > plausible.max_single_dose_mg_per_kg:
        raise FigureError(
            "mg_per_kg",
            f"{order.mg_per_kg:g} mg/kg is not an immune globulin dose "
            f"(at most {plausible.max_single_dose_mg_per_kg:g} mg/kg, plausibility.yaml)",
        )
    for measure, value in (("weight", order.weight_kg), ("height", order.height_cm)):
        problem = plausible.body_problem(measure, value) if value is not None else None
        if problem:
            raise FigureError(measure, problem)
    if order.age_years is not None and order.age_years < 0:
        raise FigureError("age", f"must not be negative, got {order.age_years:g}")
    if order.interval_days is not None and order.interval_days <= 0:
        raise FigureError("interval", "must be positive")
    if order.from_iv and (order.route != "SC" or order.mg_per_kg is None or order.interval_days is None):
        raise FigureError("from_iv", "needs {route} SC, {mg_per_kg} and {interval} of the IV regimen")


def _check_age(order: DoseOrder, plausible: Plausibility) -> None:
    """An impossible age, or a weight impossible at the age (knowledge/data/plausibility.yaml)."""
    if order.age_years is None:
        return
    if order.age_years > plausible.max_age_years:
        raise FigureError("age", f"{order.age_years:g} years is above {plausible.max_age_years}")
    band = plausible.weight_band(int(order.age_years * 12))
    if order.weight_kg is not None and not band.low_kg <= order.weight_kg <= band.high_kg:
        raise FigureError(
            "weight",
            f"{order.weight_kg:g} kg is impossible at {{age}} {order.age_years:g} "
            f"(plausible {band.low_kg:g}-{band.high_kg:g} kg)",
        )


def dose_for_figures(order: DoseOrder, policy: Policy, kb: KnowledgeBase, measured_on: date) -> Dose:
    """The starting regimen for the route unless mg/kg or the interval is given. The dose's
    warnings say when vial rounding could not apply and when the regimen is above the ceiling."""
    product = catalogue.product(kb, order.product) if order.product else None
    route: Route = order.route or (product.routes[0] if product is not None and len(product.routes) == 1 else "IV")
    order = replace(order, route=route)
    _check(order, kb.plausibility)
    _check_age(order, kb.plausibility)
    if product is not None and route not in product.routes:
        raise FigureError("product", f"{product.name} is not labelled for {route} use")
    if route == "SC" and not order.from_iv and product is not None and facilitated.is_facilitated(product):
        start = facilitated.starting(product, policy, kb)
    else:
        start = regimen.starting("IV" if order.from_iv else route, policy, kb)
    as_ordered = order.mg_per_kg is not None or order.interval_days is not None
    chosen = regimen.Regimen(
        "IV" if order.from_iv else route,
        order.mg_per_kg if order.mg_per_kg is not None else start.mg_per_kg,
        order.interval_days if order.interval_days is not None else start.interval_days,
        "regimen as ordered" if as_ordered else start.basis,
        () if as_ordered else start.citations,
    )
    factor = converted_from = None
    if order.from_iv:
        if product is None:
            raise FigureError("product", "an SC product is needed to convert from IV")
        try:
            converted = conversion.iv_to_sc(chosen, product, policy)
        except conversion.ConversionUnavailable as why:
            raise FigureError("product", str(why)) from None
        chosen, factor, converted_from = converted.regimen, converted.factor, converted.converted_from
    try:
        dosing_weight = weight.dosing_weight(
            order.weight_kg, order.height_cm, order.sex, order.age_years, False, policy
        )
    except weight.WeightUnavailable as missing:
        text = str(missing)
        figure = "height" if "height" in text else "sex" if "sex" in text else "age"
        raise FigureError(figure, text) from None
    recipient = amount.Recipient(
        actual_weight_kg=order.weight_kg,
        age_years=order.age_years,
        rate_risk=RateRisk(tuple(f"{risk} risk" for risk in order.risks)) if order.risks else None,
        new_to_product=order.new_to_product,
        renal_risk="renal" in order.risks,
    )
    dose = amount.dose_for(
        chosen,
        dosing_weight,
        Measurement(order.weight_kg, measured_on, "weight"),
        policy,
        product,
        recipient,
        converted_from=converted_from,
        conversion_factor=factor,
    )

    warnings = []
    if policy.dosing.rounding == "vial" and product is None:
        warnings.append(amount.NO_PRODUCT_ROUNDING)
    if review.exceeds_ceiling(dose.mg_per_kg, dose.interval_days, policy):
        warnings.append(review.ceiling_warning(policy))
    return replace(dose, warnings=(*dose.warnings, *warnings)) if warnings else dose
