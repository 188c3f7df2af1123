"""Treatment pathway for hyper-IgM syndromes.

IgRT from diagnosis and lifelong (GeneReviews; Orange 2011 principles); escalate on breakthrough
infections or a trough below the policy target (Orange 2010); never a trial off. CD40L/CD40
deficiency: HSCT referral (SS43; best before 10 years and before liver disease: Ferrua 2019) and
G-CSF for neutropenia (SS42).

Possible hyper-IgM (the pattern without a confirmed diagnosis): no lifelong-IgRT plan. IgRT starts
only when a defining feature already warrants it, and continues when already given, in both cases
"until the type is defined"; otherwise no IgRT while the work-up runs."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis, Priority
from igcds.domain.record import LabResult
from igcds.rules import route
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, IgrtPlan, listing, refs
from igcds.rules.higm_pattern import HigmPattern
from igcds.rules.infection_history import InfectionEpisode
from igcds.rules.predicates import CD40_PATHWAY, is_cd40_pathway


def _trough_text(trough: LabResult | None) -> str:
    if trough is None:
        return "no trough IgG on record"
    return f"trough IgG {trough.value:g} mg/dL on {trough.effective.isoformat()}"


def _igrt(ctx: ClinicalContext, dx: Diagnosis) -> tuple[list[Finding], IgrtPlan]:
    if not ctx.igrt.on_igrt:
        genotype = dx.genotype or ("suspected CD40L deficiency" if dx.suspected_cd40l_deficiency else "no genotype yet")
        plan = IgrtPlan("start", route.start_route(ctx), "hyper-IgM: IgRT from diagnosis")
        diagnostic = tuple(ref for c in dx.criteria if c.met for ref in c.evidence)
        return [Finding("HIGM-IGRT-01", {"genotype_text": genotype}, diagnostic)], plan
    current = route.current_route(ctx)
    trough = ctx.igrt_history.troughs[-1] if ctx.igrt_history.troughs else None
    target = ctx.policy.trough.trough_target_mg_dl
    reasons = []
    evidence: tuple[str, ...] = ()
    on_igrt = ctx.infections.breakthrough  # infections since IgRT began, in the breakthrough window
    if ctx.infections.has_breakthrough:
        reasons.append(
            f"{len(on_igrt)} infection(s) on IgRT in the last "
            f"{ctx.policy.infections.breakthrough_window_months} months: " + _named(on_igrt)
        )
        evidence += refs(on_igrt)
    if trough is not None and trough.value < target:
        below = f"{_trough_text(trough)}, below the target of {target:g} mg/dL"
        if on_igrt and not ctx.infections.has_breakthrough:  # fewer than the count, but named
            below += f", with {_named(on_igrt)} on IgRT"
            evidence += refs(on_igrt)
        reasons.append(below)
        evidence += (trough.ref,)
    if reasons:
        plan = IgrtPlan("escalate", current, "; ".join(reasons), trough)
        return [Finding("HIGM-IGRT-03", {"reason": "; ".join(reasons)}, evidence)], plan
    text = _trough_text(trough)
    values = {"trough_text": text[0].upper() + text[1:], "target": f"{target:g} mg/dL"}
    found = [Finding("HIGM-IGRT-02", values, ctx.igrt.refs + refs([trough]))]
    return found, IgrtPlan("continue", current, "on target", trough)


def _hsct(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if dx.genotype not in CD40_PATHWAY:
        return []
    liver = ctx.conditions_in("liver_disease")
    age = ctx.age_years
    favourable = ctx.has_reached_age(ctx.policy.diagnosis.hsct_preferred_age_years) is False and not liver
    liver_text = (
        f"liver disease recorded ({listing(c.text for c in liver)}): higher transplant risk"
        if liver
        else "no liver disease recorded"
    )
    priority: Priority = "urgent" if favourable else "routine"
    values = {"age_years": f"{age:.1f}" if age is not None else "unknown", "liver_text": liver_text}
    evidence = tuple(ref for c in dx.criteria if c.name.startswith("Pathogenic") for ref in c.evidence)
    return [Finding("HIGM-HSCT-01", values, evidence + tuple(c.ref for c in liver), priority)]


def _neutropenia(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if not is_cd40_pathway(dx):
        return []
    anc = ctx.labs.latest("neutrophils_absolute")
    threshold = ctx.policy.diagnosis.neutropenia_anc_thousands_per_ul
    recorded = ctx.conditions_in("neutropenia")
    texts, evidence = [], []
    if anc is not None and anc.value < threshold:
        texts.append(f"absolute neutrophils {anc.value:g} x10^3/uL on {anc.effective.isoformat()} (< {threshold:g})")
        evidence.append(anc.ref)
    if recorded:
        texts.append("neutropenia recorded")
        evidence += [c.ref for c in recorded]
    if not texts:
        return []
    return [Finding("HIGM-GCSF-01", {"anc_text": "; ".join(texts)}, tuple(evidence))]


def _possible(ctx: ClinicalContext) -> tuple[list[Finding], IgrtPlan | None]:
    higm = HigmPattern(ctx)
    pattern = {"pattern_text": higm.described(), "features_text": higm.features_text()}
    feature_refs = tuple(ref for f in higm.features for ref in f.refs)
    if ctx.igrt.on_igrt:
        since = ctx.igrt.since.isoformat() if ctx.igrt.since else "an unrecorded date"
        plan = IgrtPlan("continue", route.current_route(ctx), "possible hyper-IgM: until the type is defined")
        values = {**pattern, "igrt_since": since}
        return [Finding("PHIGM-IGRT-02", values, ctx.igrt.refs + higm.refs + feature_refs)], plan
    if higm.features:
        plan = IgrtPlan("start", route.start_route(ctx), "possible hyper-IgM with a defining feature")
        return [Finding("PHIGM-IGRT-01", pattern, feature_refs + higm.refs)], plan
    return [Finding("PHIGM-OBS-01", pattern, higm.refs)], None


def findings(ctx: ClinicalContext, dx: Diagnosis) -> tuple[list[Finding], IgrtPlan | None]:
    if dx.code == "possible-hyper-igm-syndrome":
        return _possible(ctx)
    found, plan = _igrt(ctx, dx)
    return found + _hsct(ctx, dx) + _neutropenia(ctx, dx), plan


def _named(episodes: list[InfectionEpisode]) -> str:
    return ", ".join(f"{e.infection.label} ({e.onset.isoformat()})" for e in episodes)
