"""The assessment's maintenance dose: from what the treatment rules decided (start, continue or
escalate, and the route) and the patient's dosing facts, to the regimen, the product and the
dose; and, for a patient on IVIG with a reason for SC, the converted SC dose. Whatever stops a
dose being computed is a data gap, never a guess."""

from __future__ import annotations

from dataclasses import replace

from igcds.domain.assessment import DataGap, Dose, TroughModel
from igcds.domain.igrt_plan import IgrtPlan
from igcds.domain.judged import CurrentRegimen
from igcds.domain.record import MedicationUse
from igcds.dosing import amount, catalogue, conversion, facilitated, regimen, review, trough_model, weight
from igcds.dosing.facts import DoseRequest, DosingFacts
from igcds.dosing.infusion import RateRisk
from igcds.dosing.product_choice import chosen_product, none_left, reaction_warnings
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

__all__ = ["DoseRequest", "DosingFacts", "chosen_product", "plan_dose"]


def _regimen(
    plan: IgrtPlan,
    facts: DosingFacts,
    kg: float,
    policy: Policy,
    kb: KnowledgeBase,
    gaps: list[DataGap],
    warnings: list[str],
) -> tuple[regimen.Regimen, TroughModel | None] | None:
    previous = facts.previous_dose
    if plan.intent == "start" and (previous is None or previous.route != plan.route):
        return regimen.starting(plan.route, policy, kb), None
    # Continuing, escalating, or restarting after a lapse: from the last recorded dose.
    last = facts.current_dose if plan.intent != "start" else previous
    current = regimen.current(
        plan.route,
        last.dose_g if last else None,
        last.dose_mg_per_kg if last else None,
        facts.interval_days,
        _weight_of_regimen(facts, last) or kg,
        policy,
    )
    if current is None:
        gaps.append(DataGap("immune globulin dose", "current dose not recorded: no dose computed"))
        return None
    assert last is not None  # a current regimen is read from a recorded dose
    starting = regimen.starting(plan.route, policy, kb)
    floor = kb.plausibility.recorded_dose_min_mg_per_kg_4wk
    absurd = review.implausible_recorded_dose(current, last.ref, policy, floor, starting.interval_days)
    if absurd is not None:  # never continued (or escalated) from a dose no one could have meant
        warnings.append(absurd)
        return starting, None
    then_kg = _weight_of_regimen(facts, last)
    if then_kg is not None and then_kg != kg:
        then = f"{round(current.mg_per_kg, 1):g} mg/kg on {then_kg:g} kg then"
        note = f"{then}, re-dosed on the current weight in pregnancy"
        current = replace(current, basis=f"{current.basis}; {note}")
    if plan.intent == "start":
        return regimen.within_ceiling(current, policy), None
    if plan.intent == "continue":
        return current, None
    model = None
    if plan.trough is not None:
        history = [trough_model.DoseTrough(*point) for point in facts.dose_at_each_trough]
        model = trough_model.trough_model(plan.route, history, plan.trough.value, policy, kb)
    return regimen.escalated(current, policy, kb, model, facts.breakthrough), model


def _weight_of_regimen(facts: DosingFacts, last: MedicationUse | None) -> float | None:
    """In pregnancy, a dose recorded in grams is read per kg of the weight on its day (the last
    weight on or before it), so the regimen's mg/kg is re-dosed on the current weight (IGRT-PREG-01:
    weight-adjusted dosing); otherwise None (grams are read on the current dosing weight)."""
    if not facts.pregnant or last is None or last.dose_mg_per_kg is not None or last.start is None:
        return None
    before = [w for w in facts.weights if w.effective <= last.start]
    return max(before, key=lambda w: w.effective).value if before else None


def _on_record(plan: IgrtPlan, facts: DosingFacts, kg: float, policy: Policy) -> CurrentRegimen | None:
    """The recorded regimen a continued or escalated dose starts from (as `_regimen` read it)."""
    last = facts.current_dose
    if plan.intent == "start" or last is None:
        return None
    read = regimen.current(
        plan.route, last.dose_g, last.dose_mg_per_kg, facts.interval_days, _weight_of_regimen(facts, last) or kg, policy
    )
    if read is None:
        return None
    recorded = facts.interval_days is not None
    mg_per_kg = round(read.mg_per_kg, 1)
    return CurrentRegimen(read.route, last.dose_g, mg_per_kg, read.interval_days, recorded, last.start, last.ref)


def plan_dose(
    plan: IgrtPlan, facts: DosingFacts, request: DoseRequest, policy: Policy, kb: KnowledgeBase
) -> tuple[Dose | None, list[DataGap], list[str]]:
    """The maintenance dose for `plan`, the data gaps met on the way, and warnings about the
    record (a recorded dose that cannot be continued as given)."""
    gaps: list[DataGap] = []
    record_warnings: list[str] = []
    measured = facts.weight
    if measured is None:
        return None, gaps, record_warnings
    try:
        dosing_weight = weight.dosing_weight(
            measured.value, facts.height_cm, facts.sex, facts.age_years, facts.pregnant, policy
        )
    except weight.WeightUnavailable as missing:
        return None, [DataGap("dosing weight", f"{missing}: no dose computed")], record_warnings
    chosen = _regimen(plan, facts, dosing_weight.kg, policy, kb, gaps, record_warnings)
    if chosen is None:
        return None, gaps, record_warnings
    regimen_, model = chosen
    last = facts.current_dose if plan.intent != "start" else facts.previous_dose
    requested = catalogue.product(kb, request.product) if request.product else None
    own = catalogue.recognise(kb, last.names) if last is not None else None
    product = chosen_product(kb, policy, plan.route, requested, own, facts)
    if facilitated.is_facilitated(product) and regimen_ == regimen.starting("SC", policy, kb):
        assert product is not None
        regimen_ = facilitated.starting(product, policy, kb)  # a new start at its 3-4 week interval
    risks = tuple(
        text
        for flagged, text in (
            (facts.thrombosis_risk, "thrombosis risk"),
            (facts.renal_risk, "renal risk"),
            (facts.pregnant, "pregnancy (igcds' choice)"),
        )
        if flagged
    )
    recipient = amount.Recipient(
        actual_weight_kg=measured.value,
        age_years=facts.age_years,
        rate_risk=RateRisk(risks) if risks else None,
        new_to_product=product is None or own is None or own.id != product.id,
        renal_risk=facts.renal_risk,
    )
    if product is None and policy.dosing.rounding == "vial":
        gaps.append(DataGap("product", amount.NO_PRODUCT_ROUNDING))
    if product is None and (facts.withheld or facts.excluded):
        gaps.append(DataGap("product", facts.withheld or none_left(plan.route, facts, kb)))
    if requested is not None and requested is not product:
        if requested.id in dict(facts.excluded):
            gaps.append(DataGap("product", f"{requested.name}: {dict(facts.excluded)[requested.id]}; not planned"))
        elif facts.withheld is None and not (plan.route == "IV" and "SC" in requested.routes):
            gaps.append(DataGap("product", f"{requested.name} is not labelled for {plan.route} use"))
    dose = amount.dose_for(regimen_, dosing_weight, measured, policy, product, recipient, model=model)
    dose = replace(dose, current=_on_record(plan, facts, dosing_weight.kg, policy))
    warnings = reaction_warnings(facts, plan.route, product, kb) + weight.pregnancy_notes(facts.pregnant)
    if own is not None and not own.plannable:
        warnings.append(f"{own.name} on record is recognised only: igcds plans no dose in it; choose a current product")
    if warnings:
        dose = replace(dose, warnings=(*dose.warnings, *warnings))
    sc_product = requested if requested is not None and "SC" in requested.routes else None
    if plan.route == "IV" and (facts.sc_switch_advised or (sc_product is not None and product is not sc_product)):
        switch = _sc_switch(regimen_, dosing_weight, facts, sc_product, own, policy, kb, gaps)
        dose = replace(dose, sc_switch=switch)
    return dose, gaps, record_warnings


def _sc_switch(
    iv: regimen.Regimen,
    dosing_weight: weight.DosingWeight,
    facts: DosingFacts,
    requested: schema.Product | None,
    own: schema.Product | None,
    policy: Policy,
    kb: KnowledgeBase,
    gaps: list[DataGap],
) -> Dose | None:
    """The SC dose converted from the IV regimen, for the recommended or requested switch."""
    product = chosen_product(kb, policy, "SC", requested, None, facts)
    if product is None:
        gaps.append(DataGap("SC product", "no SC product chosen: the IV-to-SC conversion is not computed"))
        return None
    try:
        converted = conversion.iv_to_sc(iv, product, policy)
    except conversion.ConversionUnavailable as why:
        gaps.append(DataGap("SC conversion", str(why)))
        return None
    assert facts.weight is not None
    recipient = amount.Recipient(
        facts.weight.value, facts.age_years, new_to_product=own is None or own.id != product.id
    )
    dose = amount.dose_for(
        converted.regimen,
        dosing_weight,
        facts.weight,
        policy,
        product,
        recipient,
        converted_from=converted.converted_from,
        conversion_factor=converted.factor,
    )
    return replace(dose, warnings=(*dose.warnings, *conversion.SWITCH_NOTES))
