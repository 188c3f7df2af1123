"""The single entry point: assess(record, as_of, policy) -> Assessment. Pure: no I/O beyond the
packaged knowledge base, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from string import Formatter

from igcds.domain.assessment import (
    PRIORITY_ORDER,
    Assessment,
    DataGap,
    Diagnosis,
    Dose,
    PatientSummary,
    Recommendation,
)
from igcds.domain.errors import KnowledgeError
from igcds.domain.record import PatientRecord
from igcds.dosing import amount, regimen, weight
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from igcds.rules import (
    diagnosis,
    monitoring,
    prophylaxis,
    route,
    safety,
    treatment_hyper_igm,
    treatment_igm_deficiency,
    vaccines,
    workup,
)
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, IgrtPlan
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
) -> Assessment:
    kb = kb or loader.load()
    policy = policy or default_policy(kb)
    ctx = ClinicalContext(record, kb, policy, as_of)
    dx = diagnosis.diagnose(ctx)

    found = workup.findings(ctx, dx)
    plan: IgrtPlan | None = None
    if dx.code == "hyper-igm-syndrome":
        treatment, plan = treatment_hyper_igm.findings(ctx, dx)
        found += treatment + prophylaxis.findings(ctx, dx)
    elif dx.code in SIGMD_PATHWAY:
        treatment, plan = treatment_igm_deficiency.findings(ctx, dx)
        found += treatment
    found += vaccines.findings(ctx, dx, plan is not None)
    found += route.findings(ctx, plan)
    if plan is not None or ctx.igrt.on_igrt:
        found += safety.findings(ctx, plan.route if plan else route.current_route(ctx))
    found += monitoring.findings(ctx, dx)

    gaps = _data_gaps(ctx, dx, plan)
    dose = _dose(ctx, plan, gaps) if plan is not None else None
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


def _dose(ctx: ClinicalContext, plan: IgrtPlan, gaps: list[DataGap]) -> Dose | None:
    measured = ctx.weight
    if measured is None:
        return None
    pregnant = bool(ctx.conditions_in("pregnancy"))
    try:
        dosing_weight = weight.dosing_weight(
            measured.value,
            ctx.height.value if ctx.height else None,
            ctx.record.sex,
            ctx.age_years,
            pregnant,
            ctx.policy,
        )
    except weight.WeightUnavailable as missing:
        gaps.append(DataGap("dosing weight", f"{missing}: no dose computed"))
        return None
    previous = ctx.previous_dose
    if plan.intent == "start" and (previous is None or previous.route != plan.route):
        chosen = regimen.starting(plan.route, ctx.policy, ctx.kb)
    else:
        # Continuing, escalating, or restarting after a lapse: from the last recorded dose.
        last = ctx.igrt.last_dose if plan.intent != "start" else previous
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
            chosen = regimen.escalated(current, ctx.policy, ctx.kb, plan.trough.value if plan.trough else None)
    if ctx.policy.rounding == "vial":
        gaps.append(DataGap("product", "no product chosen: vial rounding not applied (rounded to the nearest gram)"))
    return amount.dose_for(chosen, dosing_weight, measured, ctx.policy)


__all__ = ["__version__", "assess", "default_policy"]
