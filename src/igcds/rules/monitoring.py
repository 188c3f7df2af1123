"""Monitoring for hyper-IgM: infection diary, trough IgG on IgRT (periodic, not before each
infusion), growth in children, liver and biliary surveillance in CD40L/CD40 deficiency, lymphoid
hyperplasia and autoimmunity in AICDA/UNG deficiency (Leven 2016; AID-deficiency cohort 2013). Possible
hyper-IgM: trough IgG only while IgRT is given or started."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding
from igcds.rules.predicates import cd40_basis, diagnosis_evidence, is_cd40_pathway

LYMPHOID_GENOTYPES = frozenset({"AICDA", "UNG"})


def _trough(ctx: ClinicalContext, dx: Diagnosis) -> Finding:
    trough = ctx.igrt_history.troughs[-1] if ctx.igrt_history.troughs else None
    text = (
        f"last trough {trough.value:g} mg/dL on {trough.effective.isoformat()}" if trough else "no trough IgG on record"
    )
    if ctx.igrt.on_igrt:
        since = ctx.igrt.since.isoformat() if ctx.igrt.since else "an unrecorded date"
        igrt_text, evidence = f"On IgRT since {since}", ctx.igrt.refs
    else:  # IgRT is being started: the first trough comes after it
        igrt_text, evidence = "IgRT is being started now", diagnosis_evidence(dx)
    values = {
        "igrt_text": igrt_text,
        "last_trough_text": text,
        "target": f"{ctx.policy.trough.trough_target_mg_dl:g} mg/dL",
    }
    return Finding("HIGM-TROUGH-01", values, evidence + ((trough.ref,) if trough else ()))


def findings(ctx: ClinicalContext, dx: Diagnosis, *, igrt_planned: bool) -> list[Finding]:
    if dx.code == "possible-hyper-igm-syndrome":
        return [_trough(ctx, dx)] if ctx.igrt.on_igrt or igrt_planned else []
    if dx.code != "hyper-igm-syndrome":
        return []
    evidence = diagnosis_evidence(dx)
    # IgRT is lifelong in hyper-IgM: troughs are monitored from the first infusion on.
    found = [Finding("HIGM-MON-01", {}, evidence), _trough(ctx, dx)]
    if ctx.is_child and ctx.age_years is not None:
        found.append(Finding("HIGM-GROW-01", {"age_years": f"{ctx.age_years:.1f}"}, (ctx.record.ref,)))
    if is_cd40_pathway(dx):
        found.append(Finding("HIGM-LIVER-01", {"basis": cd40_basis(dx)}, evidence))
    if dx.genotype in LYMPHOID_GENOTYPES:
        found.append(Finding("HIGM-LYMPH-01", {"genotype": str(dx.genotype)}, evidence))
    return found
