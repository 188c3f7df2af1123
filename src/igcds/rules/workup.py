"""Work-up still missing, by diagnosis (ESID working definition via Janssen 2018/SIMcal; practice
parameter SS37-40, SS105; ESID registry criteria for hyper-IgM and CVID)."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules import scope
from igcds.rules.context import ClinicalContext
from igcds.rules.diagnosis import low_igg2, secondary_cause_refs
from igcds.rules.findings import Finding, listing
from igcds.rules.higm_pattern import HigmPattern, interpretable_age, interpretable_low_igm
from igcds.rules.occasions import occasions
from igcds.rules.predicates import diagnosis_evidence
from igcds.rules.time_windows import months_before

LOW_IGM_STATES = frozenset(
    {"selective-igm-deficiency", "possible-selective-igm-deficiency", "other-antibody-deficiency", "secondary-low-igm"}
)
SIGMD_STATES = frozenset({"selective-igm-deficiency", "possible-selective-igm-deficiency"})


def _immunoglobulins(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    """No IgM on record. Not for hyper-IgM on IgRT: the diagnosis is confirmed and the result would
    change nothing."""
    igm = ctx.labs.latest("igm")
    higm_to_start = dx.code == "hyper-igm-syndrome" and igm is None and not ctx.igrt.on_igrt
    if dx.code != "insufficient-data" and not higm_to_start:
        return []
    why = scope.reasons(ctx)  # which criterion or warning sign put the patient in scope
    refs = tuple(ref for reason in why for ref in reason.refs)
    return [Finding("WU-IG-01", {"in_scope_because": scope.described(why)}, refs)]


def _infant_repeat(ctx: ClinicalContext, higm: HigmPattern, refs: tuple[str, ...]) -> Finding:
    """Results drawn before `higm_interpretable_from_age_months`: repeat them from that age on."""
    months = ctx.policy.diagnosis.higm_interpretable_from_age_months
    born = ctx.record.birth_date
    interpretable = months_before(born, -months) if born is not None else None
    repeat_from = interpretable if interpretable is not None and interpretable > ctx.as_of else None
    values = {"pattern_text": higm.described(), "features_text": higm.features_text(), "months": str(months)}
    return Finding("WU-INFANT-01", values, refs, not_before=repeat_from)


def _repeat_igm(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    igm = ctx.labs.latest("igm")
    if dx.code != "possible-selective-igm-deficiency" or igm is None:
        return []
    if not interpretable_age(ctx, igm):  # physiologically low in infancy: not even a first low result
        return [_infant_repeat(ctx, HigmPattern(ctx), tuple(r.ref for r in ctx.labs.low_igm_results))]
    if len(occasions(interpretable_low_igm(ctx), ctx.policy.diagnosis.igm_repeat_min_days)) >= 2:
        return []
    low, _ = ctx.labs.reference_limits(igm)
    values = {
        "igm_value": f"{igm.value:g} mg/dL",
        "igm_date": igm.effective.isoformat(),
        "lower_limit": f"{low:g} mg/dL" if low is not None else "the lower limit",
    }
    return [Finding("WU-IGM-01", values, (igm.ref,))]


def _hyper_igm_pattern(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    """Possible hyper-IgM: define it urgently; results drawn too young are repeated first."""
    if dx.code != "possible-hyper-igm-syndrome":
        return []
    higm = HigmPattern(ctx)
    pattern = {"pattern_text": higm.described(), "features_text": higm.features_text()}
    found = []
    if higm.drawn_too_young:
        found.append(_infant_repeat(ctx, higm, higm.refs))
    if not higm.drawn_too_young or higm.features:
        refs = higm.refs + tuple(ref for f in higm.features for ref in f.refs)
        found.append(Finding("WU-PHIGM-01", {**pattern, "sex": ctx.record.sex}, refs))
    return found


def _secondary_hyper_igm(ctx: ClinicalContext, dx: Diagnosis, secondary: list[tuple[str, str]]) -> list[Finding]:
    """The hyper-IgM pattern without a genotype may be secondary (congenital rubella, phenytoin,
    T-cell leukaemia or lymphoma): review them, naming any that is recorded. Part of the diagnostic
    work-up: once on IgRT only a recorded cause is raised again."""
    higm = HigmPattern(ctx)
    if dx.code not in ("hyper-igm-syndrome", "possible-hyper-igm-syndrome") or dx.genotype or not higm.present:
        return []
    if (ctx.igrt.on_igrt or (higm.drawn_too_young and not higm.features)) and not secondary:
        return []  # on IgRT the work-up is done; drawn too young the pattern is repeated first
    recorded = f"recorded: {listing(d for d, _ in secondary)}" if secondary else "none of them is recorded"
    values = {"pattern_text": higm.described(), "recorded_text": recorded}
    return [Finding("WU-SEC-03", values, higm.refs + tuple(r for _, r in secondary))]


def _classification(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    """Another antibody deficiency: classify it (ESID criteria); say that CVID is not diagnosed in
    a young child."""
    if dx.code != "other-antibody-deficiency":
        return []
    evidence = diagnosis_evidence(dx)
    igg_low = ctx.labs.judge(ctx.labs.igg_for_diagnosis) == "low"
    facts = HigmPattern(ctx).described()
    igg2 = low_igg2(ctx)
    if igg2 is not None and dx.specific_antibody_response == "impaired":
        facts += f", IgG2 {igg2.value:g} mg/dL on {igg2.effective.isoformat()}, impaired pneumococcal response"
    values = {"label": dx.label, "facts_text": facts}
    found = [Finding("WU-PAD-01", values, evidence, "urgent" if igg_low else None)]
    min_age = ctx.policy.diagnosis.cvid_min_age_years
    months = ctx.age_months_on(ctx.as_of)
    if ctx.has_reached_age(min_age) is False and months is not None:
        values = {"age_text": f"{months // 12} years {months % 12} months", "min_age": f"{min_age:g}"}
        found.append(Finding("WU-YOUNG-01", values, (ctx.record.ref, *evidence)))
    return found


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    found = _immunoglobulins(ctx, dx) + _repeat_igm(ctx, dx) + _hyper_igm_pattern(ctx, dx) + _classification(ctx, dx)
    low_igm = tuple(r.ref for r in ctx.labs.low_igm_results)
    if dx.code in LOW_IGM_STATES and low_igm:
        missing = [
            name
            for name, result in (
                ("IgG", ctx.labs.igg_for_diagnosis),
                ("IgA", ctx.labs.latest("iga")),
                ("IgE", ctx.labs.latest("ige")),
            )
            if result is None
        ]
        if "IgG" in missing or "IgA" in missing:
            found.append(Finding("WU-IGGA-01", {"missing": listing(missing)}, low_igm))
    latest_igm = ctx.labs.latest("igm")
    igm_interpretable = latest_igm is None or interpretable_age(ctx, latest_igm)
    if dx.code in SIGMD_STATES and not ctx.labs.results("igg_subclass") and igm_interpretable:
        found.append(Finding("WU-SUB-01", {}, low_igm))
    if (
        # Not for low IgG: a vaccine challenge would only delay IgRT that is already indicated.
        dx.code in SIGMD_STATES
        and dx.specific_antibody_response == "unknown"
        and not ctx.igrt.on_igrt
        and ctx.has_reached_age(ctx.policy.diagnosis.vaccine_response_min_age_years)
    ):
        found.append(Finding("WU-VAC-01", {"age_years": f"{ctx.age_years:.1f}"}, (ctx.record.ref, *low_igm)))
    lymphocytes_missing = not ctx.labs.performed("lymphocyte_subsets")
    if (dx.code in LOW_IGM_STATES or dx.code == "hyper-igm-syndrome") and lymphocytes_missing:
        found.append(Finding("WU-LYM-01", {}, low_igm or diagnosis_evidence(dx)))
    secondary = secondary_cause_refs(ctx)
    if dx.code == "secondary-low-igm":
        found.append(Finding("WU-SEC-02", {"causes": listing(d for d, _ in secondary)}, tuple(r for _, r in secondary)))
    elif dx.code == "other-antibody-deficiency" and secondary and low_igm:  # name the cause, never "none recorded"
        causes = listing(d for d, _ in secondary)
        found.append(Finding("WU-SEC-02", {"causes": causes}, tuple(r for _, r in secondary) + low_igm))
    elif dx.code in SIGMD_STATES | {"other-antibody-deficiency"} and low_igm:
        found.append(Finding("WU-SEC-01", {}, low_igm))
    found += _secondary_hyper_igm(ctx, dx, secondary)
    if dx.code == "hyper-igm-syndrome" and dx.genotype is None:
        suspected = (
            "suspected CD40L deficiency (X-linked)"
            if dx.suspected_cd40l_deficiency
            else "CD40 or another autosomal form, or a CD40LG variant in a female"
        )
        found.append(Finding("WU-GEN-01", {"sex": ctx.record.sex, "suspected": suspected}, diagnosis_evidence(dx)))
    return found
