"""The single entry point: assess(record, as_of, policy) -> Assessment. Pure: no I/O beyond the
packaged knowledge base, no clock. Shells (CLI, hooks, reports, population, web) reach the core
through this module, `igcds.domain`, `igcds.fhir` and `igcds.knowledge`: every name they need
from the rules or dosing is re-exported here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from string import Formatter

from igcds.domain.assessment import (
    PRIORITY_ORDER,
    Assessment,
    DataGap,
    Diagnosis,
    InfectionPoint,
    InfusionPoint,
    PatientSummary,
    Recommendation,
    Timeline,
    TroughPoint,
)
from igcds.domain.errors import InputError, KnowledgeError
from igcds.domain.evidence import capped
from igcds.domain.igrt_plan import DoseReview, IgrtPlan
from igcds.domain.record import PatientRecord
from igcds.dosing.catalogue import product as find_product
from igcds.dosing.order import DoseOrder, dose_for_figures
from igcds.dosing.plan import DoseRequest, DosingFacts, plan_dose
from igcds.dosing.review import review_dose, unverified_recorded_dose
from igcds.dosing.vials import clear_cache as clear_dose_caches
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from igcds.rules import diagnosis, reactions, scope, sequence
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag
from igcds.rules.predicates import SIGMD_PATHWAY
from igcds.rules.time_windows import whole_months_between, within_months, years_between
from igcds.rules.weight_checks import conflict_effect, conflicting_weights
from igcds.version import __version__

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
    if record.birth_date is not None and record.birth_date > as_of:
        raise InputError(record.ref, "birthDate", f"{record.birth_date} is after the assessment date {as_of}")
    if (
        record.birth_date is not None
        and whole_months_between(record.birth_date, as_of) // 12 > kb.plausibility.max_age_years
    ):
        raise InputError(record.ref, "birthDate", f"an age above {kb.plausibility.max_age_years} years on {as_of}")
    record = record.as_known_on(as_of)  # the one place "as of" is applied
    ctx = ClinicalContext(record, kb, policy, as_of)
    dx = diagnosis.diagnose(ctx)
    if dx.code == "not-in-scope":  # nothing to say (DESIGN.md §5): no recommendations, no gaps
        return scope.silent_assessment(ctx, _capped_criteria(dx))
    decided = sequence.decide(ctx, dx)
    found, plan = decided.found, decided.plan
    gaps = _data_gaps(ctx, dx, plan)
    dose = None
    weights_disagree = conflicting_weights(record.weights, kb.plausibility.weight_change) if plan else None
    if weights_disagree is not None:  # dosing on either weight would be a guess
        gaps.append(DataGap("weight", conflict_effect(weights_disagree)))
    record_flags: list[str] = []
    if weights_disagree is None and plan is not None:
        facts = _dosing_facts(ctx, plan, decided)
        dose, dose_gaps, record_flags = plan_dose(plan, facts, dose_request or DoseRequest(), policy, kb)
        gaps += dose_gaps
    recommendations = sorted(
        (unverified_recorded_dose(_recommendation(kb, finding, ctx), record_flags) for finding in found),
        key=lambda r: PRIORITY_ORDER[r.priority],
    )
    warnings = [note.text for note in record.notes] + record_flags
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
        diagnosis=_capped_criteria(dx),
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
    episodes = ctx.infections.episodes
    reference = started or ctx.as_of
    year_before = [e for e in episodes if within_months(e.onset, reference - timedelta(days=1), 12)]
    on_igrt = [e for e in episodes if started is not None and e.onset >= started]
    years_on = years_between(started, ctx.as_of) if started else 0.0
    return Timeline(
        troughs=tuple(TroughPoint(t.effective, t.value, t.ref) for t in ctx.igrt_history.troughs),
        trough_target_mg_dl=ctx.policy.trough.trough_target_mg_dl,
        infusions=tuple(
            InfusionPoint(m.start, m.route, m.dose_g, m.ref) for m in ctx.igrt_history.administrations if m.start
        ),
        infections=tuple(InfectionPoint(e.onset, e.infection.label, e.infection.severity, e.ref) for e in episodes),
        igrt_started=started,
        infections_per_year_before=float(len(year_before)) if episodes or started else None,
        infections_per_year_on_igrt=round(len(on_igrt) / years_on, 2) if years_on > 0 else None,
    )


def _recommendation(kb: KnowledgeBase, finding: Finding, ctx: ClinicalContext) -> Recommendation:
    entry = kb.recommendation(finding.rec_id)
    needed = {name for _, name, _, _ in Formatter().parse(entry.rationale) if name}
    missing = needed - set(finding.values)
    if missing:
        raise KnowledgeError(f"{entry.id}: rationale needs {sorted(missing)} which the rule did not give")
    values: Mapping[str, str] = finding.values
    return capped(
        Recommendation(
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
            due=finding.due,
            not_before=finding.not_before,
            values=ctx.labs.values_of(finding.evidence),
            safety_stop=entry.safety_stop,
        )
    )


def _capped_criteria(dx: Diagnosis) -> Diagnosis:
    return replace(dx, criteria=tuple(capped(c) for c in dx.criteria))


def _data_gaps(ctx: ClinicalContext, dx: Diagnosis, plan: IgrtPlan | None) -> list[DataGap]:
    gaps = []
    if ctx.record.birth_date is None:
        gaps.append(DataGap("birthDate", "age unknown: only the laboratory's own reference ranges can be used"))
    confirmed_higm_on_igrt = dx.code == "hyper-igm-syndrome" and ctx.igrt.on_igrt  # IgM would change nothing
    if ctx.labs.latest("igm") is None:
        if not confirmed_higm_on_igrt:
            gaps.append(DataGap("IgM", "no IgM result: IgM deficiency cannot be assessed"))
    elif ctx.labs.judge(ctx.labs.latest("igm")) == "unknown":
        gaps.append(DataGap("IgM", "no reference range for the IgM result (no lab range and no age)"))
    if dx.code in SIGMD_PATHWAY and dx.specific_antibody_response == "unknown":
        gaps.append(
            DataGap(
                "pneumococcal-response", "specific antibody response unknown: IgRT for impaired response not assessed"
            )
        )
    if dx.code == "hyper-igm-syndrome" and ctx.igrt.on_igrt and not ctx.igrt_history.troughs:
        gaps.append(DataGap("trough IgG", "no trough IgG on IgRT: dose adequacy against the target not assessed"))
    if plan is not None and ctx.weight is None:
        gaps.append(DataGap("weight", "no dose computed"))
    return gaps


def _dosing_facts(ctx: ClinicalContext, plan: IgrtPlan, decided: sequence.Decisions) -> DosingFacts:
    choice = reactions.product_choice(ctx)
    # Any infection on IgRT in the breakthrough window makes an escalation infection-driven (a step at least).
    escalating_for_infections = plan.intent == "escalate" and bool(ctx.infections.breakthrough)
    return DosingFacts(
        weight=ctx.weight,
        height_cm=ctx.height.value if ctx.height else None,
        sex=ctx.record.sex,
        age_years=ctx.age_years,
        pregnant=bool(ctx.conditions_in("pregnancy")),
        current_dose=ctx.igrt.last_dose,
        previous_dose=ctx.igrt_history.previous_dose,
        interval_days=ctx.igrt.interval_days,
        dose_at_each_trough=tuple(ctx.igrt_history.dose_at_each_trough) if plan.intent == "escalate" else (),
        thrombosis_risk=decided.flagged(Flag.THROMBOSIS_RISK),
        renal_risk=decided.flagged(Flag.RENAL_RISK),
        sc_switch_advised=decided.flagged(Flag.SC_ROUTE_ADVISED),
        excluded=choice.excluded,
        preferred_iv=choice.preferred_iv,
        withheld=choice.withheld,
        weights=ctx.record.weights,
        breakthrough=tuple(f"{e.infection.label} {e.onset.isoformat()} ({e.ref})" for e in ctx.infections.breakthrough)
        if escalating_for_infections
        else (),
    )


def untraced(assessment: Assessment, kb: KnowledgeBase | None = None) -> tuple[str, ...]:
    """Ids of recommendations that cite no record fact although the knowledge base does not declare
    them `fires_on_absence` (issue 9 item 12: every other recommendation names the facts it used)."""
    kb = kb or loader.load()
    recommendations = assessment.recommendations
    return tuple(r.id for r in recommendations if not r.evidence and not kb.recommendation(r.id).fires_on_absence)


__all__ = [
    "DoseOrder",
    "DoseRequest",
    "DoseReview",
    "__version__",
    "assess",
    "clear_dose_caches",
    "default_policy",
    "dose_for_figures",
    "find_product",
    "review_dose",
    "untraced",
]
