"""Pneumocystis and Cryptosporidium prevention in known or suspected CD40L/CD40 deficiency
(practice parameter SS41; GeneReviews; EPA/CDC water guidance). Not by default for AICDA, UNG or
IKBKG: the sources describe no opportunistic infections there (AICDA/UNG). Possible hyper-IgM:
Pneumocystis prophylaxis only after an opportunistic infection, until the type is defined."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, listing
from igcds.rules.higm_pattern import HigmPattern
from igcds.rules.predicates import cd40_basis, diagnosis_evidence, is_cd40_pathway


def _current_prophylaxis(ctx: ClinicalContext, basis: str) -> Finding | None:
    current = ctx.medications_in("pjp_prophylaxis")
    if not current:
        return None
    drug = listing(ctx.kb.medications["pjp_prophylaxis"].first_name_in(m.names) or m.names for m in current)
    return Finding("HIGM-PJP-02", {"basis": basis, "drug": drug}, tuple(m.ref for m in current))


def _possible(ctx: ClinicalContext) -> list[Finding]:
    infection = HigmPattern(ctx).opportunistic
    if infection is None:
        return []
    basis = f"possible hyper-IgM with {infection.text}, until the type is defined"
    continued = _current_prophylaxis(ctx, basis)
    return [continued or Finding("PHIGM-PJP-01", {"infection_text": infection.text}, infection.refs)]


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if dx.code == "possible-hyper-igm-syndrome":
        return _possible(ctx)
    if not is_cd40_pathway(dx):
        return []
    basis = cd40_basis(dx)
    evidence = diagnosis_evidence(dx)
    pjp = _current_prophylaxis(ctx, basis) or Finding("HIGM-PJP-01", {"basis": basis}, evidence)
    return [pjp, Finding("HIGM-CRYPTO-01", {"basis": basis}, evidence)]
