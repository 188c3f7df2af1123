"""The single entry point: assess(record, as_of, policy) -> Assessment. Pure: no I/O beyond the
packaged knowledge base, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from string import Formatter

from igcds.domain.assessment import (
    PRIORITY_ORDER,
    Assessment,
    DataGap,
    Diagnosis,
    Dose,
    InfectionPoint,
    InfusionPoint,
    PatientSummary,
    Recommendation,
    Timeline,
    TroughPoint,
)
from igcds.domain.errors import KnowledgeError
from igcds.domain.record import Measurement, PatientRecord, Route
from igcds.dosing import amount, catalogue, conversion, regimen, trough_model, weight
from igcds.dosing.infusion import RateRisk
from igcds.knowledge import loader, schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from igcds.rules import (
    diagnosis,
    measles,
    monitoring,
    prophylaxis,
    route,
    safety,
    scope,
    treatment_hyper_igm,
    treatment_igm_deficiency,
    vaccines,
    workup,
)
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, IgrtPlan
from igcds.rules.time_windows import within_months, years_between
from igcds.version import __version__

SIGMD_PATHWAY = frozenset({"selective-igm-deficiency", "possible-selective-igm-deficiency"})
PATHWAY_NOTES = {
    "other-antibody-deficiency": "Low IgM with low IgG or IgA points to another antibody deficiency "
    "(for example CVID); its treatment is outside the igcds pathways: refer to clinical immunology.",
    "secondary-low-igm": "Low IgM with a recorded secondary cause: the IgM-deficiency treatment pathway "
    "does not apply until the cause is addressed and IgM re-tested.",
    "not-igm-deficiency": "The latest IgM is not low: the igcds pathways do not apply.",
}


def default_policy(kb: KnowledgeBase | None = None) -> Policy:
    return make_policy((kb or loader.load()).policy)


def assess(
    record: PatientRecord,
    as_of: date,
    policy: Policy | None = None,
    kb: KnowledgeBase | None = None,
    dose_request: DoseRequest | None = None,
) -> Assessment:
    """`dose_request` fixes what the caller chose for the dose (a product); everything else comes
    from the record, the knowledge base and the site policy."""
    kb = kb or loader.load()
    policy = policy or default_policy(kb)
    ctx = ClinicalContext(record, kb, policy, as_of)
    dx = diagnosis.diagnose(ctx)
    if dx.code == "not-in-scope":  # nothing to say (DESIGN.md §5): no recommendations, no gaps
        return scope.silent_assessment(ctx, dx)

    found = workup.findings(ctx, dx)
    plan: IgrtPlan | None = None
    if dx.code == "hyper-igm-syndrome":
        treatment, plan = treatment_hyper_igm.findings(ctx, dx)
        found += treatment + prophylaxis.findings(ctx, dx)
    elif dx.code in SIGMD_PATHWAY:
        treatment, plan = treatment_igm_deficiency.findings(ctx, dx)
        found += treatment
    vaccine_findings = vaccines.findings(ctx, dx, plan is not None)
    found += vaccine_findings
    found += measles.findings(ctx, dx, plan is not None, bool(vaccine_findings))
    found += route.findings(ctx, plan)
    if plan is not None or ctx.igrt.on_igrt:
        found += safety.findings(ctx, plan.route if plan else route.current_route(ctx))
    found += monitoring.findings(ctx, dx)

    gaps = _data_gaps(ctx, dx, plan)
    dose = _dose(ctx, plan, found, dose_request or DoseRequest(), gaps) if plan is not None else None
    recommendations = sorted(
        (_recommendation(kb, finding) for finding in found), key=lambda r: PRIORITY_ORDER[r.priority]
    )
    warnings = list(record.notes)
    if dx.code in PATHWAY_NOTES:
        warnings.append(PATHWAY_NOTES[dx.code])
    return Assessment(
        as_of=as_of,
        knowledge_version=kb.version,
        patient=PatientSummary(
            id=record.patient_id,
            sex=record.sex,
            age_years=round(ctx.age_years, 2) if ctx.age_years is not None else None,
            weight_kg=round(ctx.weight.value, 2) if ctx.weight else None,
            height_cm=round(ctx.height.value, 1) if ctx.height else None,
        ),
        diagnosis=dx,
        recommendations=tuple(recommendations),
        dose=dose,
        data_gaps=tuple(gaps),
        warnings=tuple(warnings),
        disclaimer=kb.disclaimer,
        timeline=_timeline(ctx),
    )


def _timeline(ctx: ClinicalContext) -> Timeline:
    """Rates: infections in the year before IgRT began (or the last year, if never on IgRT),
    and infections per year since IgRT began."""
    started = ctx.igrt.since
    episodes = ctx.infections
    reference = started or ctx.as_of
    year_before = [e for e in episodes if within_months(e.onset, reference - timedelta(days=1), 12)]
    on_igrt = [e for e in episodes if started is not None and e.onset >= started]
    years_on = years_between(started, ctx.as_of) if started else 0.0
    return Timeline(
        troughs=tuple(TroughPoint(t.effective, t.value, t.ref) for t in ctx.troughs),
        trough_target_mg_dl=ctx.policy.trough_target_mg_dl,
        infusions=tuple(
            InfusionPoint(m.start, m.route, m.dose_g, m.ref) for m in ctx.immune_globulin_administrations if m.start
        ),
        infections=tuple(InfectionPoint(e.onset, e.infection.label, e.infection.severity, e.ref) for e in episodes),
        igrt_started=started,
        infections_per_year_before=float(len(year_before)) if episodes or started else None,
        infections_per_year_on_igrt=round(len(on_igrt) / years_on, 2) if years_on > 0 else None,
    )


def _recommendation(kb: KnowledgeBase, finding: Finding) -> Recommendation:
    entry = kb.recommendation(finding.rec_id)
    needed = {name for _, name, _, _ in Formatter().parse(entry.rationale) if name}
    missing = needed - set(finding.values)
    if missing:
        raise KnowledgeError(f"{entry.id}: rationale needs {sorted(missing)} which the rule did not give")
    values: Mapping[str, str] = finding.values
    return Recommendation(
        code=entry.code,
        id=entry.id,
        priority=finding.priority or entry.priority,
        title=entry.title,
        text=entry.statement,
        rationale=entry.rationale.format_map(values),
        citations=tuple(entry.citations),
        evidence=tuple(dict.fromkeys(finding.evidence)),
        strength=entry.strength,
        evidence_quality=entry.evidence_quality,
        source_divergence=tuple(entry.source_divergence),
    )


def _data_gaps(ctx: ClinicalContext, dx: Diagnosis, plan: IgrtPlan | None) -> list[DataGap]:
    gaps = []
    if ctx.record.birth_date is None:
        gaps.append(DataGap("birthDate", "age unknown: only the laboratory's own reference ranges can be used"))
    if ctx.latest("igm") is None:
        gaps.append(DataGap("IgM", "no IgM result: IgM deficiency cannot be assessed"))
    elif ctx.judge(ctx.latest("igm")) == "unknown":
        gaps.append(DataGap("IgM", "no reference range for the IgM result (no lab range and no age)"))
    if dx.code in SIGMD_PATHWAY and dx.specific_antibody_response == "unknown":
        gaps.append(
            DataGap(
                "pneumococcal-response", "specific antibody response unknown: IgRT for impaired response not assessed"
            )
        )
    if dx.code == "hyper-igm-syndrome" and ctx.igrt.on_igrt and not ctx.troughs:
        gaps.append(DataGap("trough IgG", "no trough IgG on IgRT: dose adequacy against the target not assessed"))
    if plan is not None and ctx.weight is None:
        gaps.append(DataGap("weight", "no dose computed"))
    return gaps


RATE_RISK_FINDINGS = {"IGRT-THR-01": "thrombosis risk", "IGRT-REN-01": "renal risk"}


@dataclass(frozen=True, slots=True)
class DoseRequest:
    """What the caller fixed about the dose: a product id (DESIGN.md §4 `--product`)."""

    product: str | None = None


def _chosen_product(
    ctx: ClinicalContext, route: Route, requested: schema.Product | None, current: schema.Product | None
) -> schema.Product | None:
    """The requested product if it suits the route, else the patient's own, else the site's."""
    for candidate in (requested, current):
        if candidate is not None and route in candidate.routes:
            return candidate
    formulary = ctx.policy.iv_product if route == "IV" else ctx.policy.sc_product
    return ctx.kb.products.get(formulary)


def _dose(
    ctx: ClinicalContext, plan: IgrtPlan, found: list[Finding], request: DoseRequest, gaps: list[DataGap]
) -> Dose | None:
    measured = ctx.weight
    if measured is None:
        return None
    try:
        dosing_weight = weight.dosing_weight(
            measured.value,
            ctx.height.value if ctx.height else None,
            ctx.record.sex,
            ctx.age_years,
            bool(ctx.conditions_in("pregnancy")),
            ctx.policy,
        )
    except weight.WeightUnavailable as missing:
        gaps.append(DataGap("dosing weight", f"{missing}: no dose computed"))
        return None
    previous = ctx.previous_dose
    last = ctx.igrt.last_dose if plan.intent != "start" else previous
    model = None
    if plan.intent == "start" and (previous is None or previous.route != plan.route):
        chosen = regimen.starting(plan.route, ctx.policy, ctx.kb)
    else:
        # Continuing, escalating, or restarting after a lapse: from the last recorded dose.
        current = regimen.current(
            plan.route,
            last.dose_g if last else None,
            last.dose_mg_per_kg if last else None,
            ctx.igrt.interval_days,
            dosing_weight.kg,
            ctx.policy,
        )
        if current is None:
            gaps.append(DataGap("immune globulin dose", "current dose not recorded: no dose computed"))
            return None
        chosen = regimen.within_ceiling(current, ctx.policy) if plan.intent == "start" else current
        if plan.intent == "escalate":
            if plan.trough is not None:
                history = [trough_model.DoseTrough(*point) for point in ctx.dose_at_each_trough]
                model = trough_model.trough_model(plan.route, history, plan.trough.value, ctx.policy, ctx.kb)
            chosen = regimen.escalated(current, ctx.policy, ctx.kb, model)

    requested = catalogue.product(ctx.kb, request.product) if request.product else None
    own = catalogue.recognise(ctx.kb, last.names) if last is not None else None
    product = _chosen_product(ctx, plan.route, requested, own)
    risks = tuple(RATE_RISK_FINDINGS[f.rec_id] for f in found if f.rec_id in RATE_RISK_FINDINGS)
    recipient = amount.Recipient(
        actual_weight_kg=measured.value,
        age_years=ctx.age_years,
        rate_risk=RateRisk(risks) if risks else None,
        new_to_product=product is None or own is None or own.id != product.id,
        renal_risk="renal risk" in risks,
    )
    if product is None and ctx.policy.rounding == "vial":
        gaps.append(DataGap("product", "no product chosen: vial rounding not applied (rounded to the nearest gram)"))
    if requested is not None and requested is not product and not (plan.route == "IV" and "SC" in requested.routes):
        gaps.append(DataGap("product", f"{requested.name} is not labelled for {plan.route} use"))
    dose = amount.dose_for(chosen, dosing_weight, measured, ctx.policy, product, recipient, model=model)
    switching = plan.route == "IV" and any(f.rec_id == "IGRT-SC-01" for f in found)
    sc_product = requested if requested is not None and "SC" in requested.routes else None
    if plan.route == "IV" and (switching or (sc_product is not None and product is not sc_product)):
        sc_switch = _sc_switch(ctx, chosen, dosing_weight, measured, sc_product, own, gaps)
        dose = replace(dose, sc_switch=sc_switch)
    return dose


def _sc_switch(
    ctx: ClinicalContext,
    iv: regimen.Regimen,
    dosing_weight: weight.DosingWeight,
    measured: Measurement,
    requested: schema.Product | None,
    own: schema.Product | None,
    gaps: list[DataGap],
) -> Dose | None:
    """The SC dose converted from the IV regimen, for the recommended or requested switch."""
    product = _chosen_product(ctx, "SC", requested, None)
    if product is None:
        gaps.append(DataGap("SC product", "no SC product chosen: the IV-to-SC conversion is not computed"))
        return None
    try:
        converted = conversion.iv_to_sc(iv, product, ctx.policy)
    except conversion.ConversionUnavailable as why:
        gaps.append(DataGap("SC conversion", str(why)))
        return None
    recipient = amount.Recipient(measured.value, ctx.age_years, new_to_product=own is None or own.id != product.id)
    dose = amount.dose_for(
        converted.regimen,
        dosing_weight,
        measured,
        ctx.policy,
        product,
        recipient,
        converted_from=converted.converted_from,
        conversion_factor=converted.factor,
    )
    return replace(dose, warnings=(*dose.warnings, *conversion.SWITCH_NOTES))


__all__ = ["DoseRequest", "__version__", "assess", "default_policy"]


# The dose calculator's names for the shells (temporary: replaced at merge by the core branch's
# engine-level versions, which the CLI already calls).
from igcds.dosing import order  # noqa: E402

DoseOrder = order.DoseOrder
dose_for_figures = order.dose_for_figures
review_dose = order.above_ceiling
find_product = catalogue.product
