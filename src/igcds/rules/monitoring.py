"""Monitoring for hyper-IgM: infection diary, trough IgG on IgRT (periodic, not before each
infusion), growth in children, liver and biliary surveillance in CD40L/CD40 deficiency."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding
from igcds.rules.predicates import cd40_basis, is_cd40_pathway


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if dx.code != "hyper-igm-syndrome":
        return []
    found = [Finding("HIGM-MON-01")]
    # IgRT is lifelong in hyper-IgM: troughs are monitored from the first infusion on.
    trough = ctx.igrt_history.troughs[-1] if ctx.igrt_history.troughs else None
    text = (
        f"last trough {trough.value:g} mg/dL on {trough.effective.isoformat()}" if trough else "no trough IgG on record"
    )
    target = f"{ctx.policy.trough_target_mg_dl:g} mg/dL"
    found.append(
        Finding("HIGM-TROUGH-01", {"last_trough_text": text, "target": target}, (trough.ref,) if trough else ())
    )
    if ctx.is_child and ctx.age_years is not None:
        found.append(Finding("HIGM-GROW-01", {"age_years": f"{ctx.age_years:.1f}"}, (ctx.record.ref,)))
    if is_cd40_pathway(dx):
        found.append(Finding("HIGM-LIVER-01", {"basis": cd40_basis(dx)}))
    return found
