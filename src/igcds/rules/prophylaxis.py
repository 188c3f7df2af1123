"""Pneumocystis and Cryptosporidium prevention in known or suspected CD40L/CD40 deficiency
(practice parameter SS41; GeneReviews; EPA/CDC water guidance). Not by default for AICDA, UNG or
IKBKG: the sources describe no opportunistic infections there (AICDA/UNG)."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, listing
from igcds.rules.predicates import cd40_basis, is_cd40_pathway


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if not is_cd40_pathway(dx):
        return []
    basis = cd40_basis(dx)
    current = ctx.medications_in("pjp_prophylaxis")
    if current:
        drug = listing(ctx.kb.medications["pjp_prophylaxis"].first_name_in(m.names) or m.names for m in current)
        pjp = Finding("HIGM-PJP-02", {"basis": basis, "drug": drug}, tuple(m.ref for m in current))
    else:
        pjp = Finding("HIGM-PJP-01", {"basis": basis})
    return [pjp, Finding("HIGM-CRYPTO-01", {"basis": basis})]
