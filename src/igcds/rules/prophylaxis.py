"""Pneumocystis and Cryptosporidium prevention in known or suspected CD40L/CD40 deficiency
(practice parameter SS41; GeneReviews; EPA/CDC water guidance). Not by default for AICDA, UNG or
IKBKG: the sources describe no opportunistic infections there (AICDA/UNG). Possible hyper-IgM:
prevention "until the type is defined" when CD40L/CD40 deficiency is suspected (an opportunistic
infection beside the pattern, or a boy with the pattern confirmed on repeat).

The regimen follows age: TMP-SMX from 2 months; below that the paediatric table's dapsone (from
1 month) or atovaquone (1-3 months); below 1 month no verified regimen. An active Pneumocystis
infection is treated before prophylaxis starts."""

from __future__ import annotations

from collections.abc import Mapping

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


def _active_note(ctx: ClinicalContext) -> tuple[str, tuple[str, ...]]:
    active = ctx.conditions_in("pneumocystis_infection")
    if not active:
        return "", ()
    when = listing(c.onset.isoformat() for c in active if c.onset is not None) or "an unrecorded date"
    note = (
        f" Pneumocystis infection is recorded as active (since {when}): prophylaxis doses do not treat it; "
        "treat it first, and start prophylaxis when the treatment course ends."
    )
    return note, tuple(c.ref for c in active)


def _new_pjp(ctx: ClinicalContext, rec_id: str, values: Mapping[str, str], evidence: tuple[str, ...]) -> Finding:
    """Start Pneumocystis prophylaxis with the regimen for the patient's age."""
    note, active_refs = _active_note(ctx)
    schedule = ctx.kb.schedules.pjp_infant
    months = ctx.age_months_on(ctx.as_of)
    born = ctx.record.birth_date
    if months is None or born is None or months >= schedule.tmp_smx_from_age_months:
        return Finding(rec_id, {**values, "active_note": note}, evidence + active_refs)
    weeks = (ctx.as_of - born).days // 7
    old_enough = months >= schedule.alternatives_from_age_months  # dapsone from 1 month, atovaquone 1-3 months
    age_note = schedule.alternatives_note if old_enough else schedule.too_young_note
    infant = {"basis": values["basis"], "age_text": f"{weeks} weeks", "age_note": age_note, "active_note": note}
    return Finding("PJP-INFANT-01", infant, evidence + active_refs + (ctx.record.ref,))


def _possible(ctx: ClinicalContext) -> list[Finding]:
    higm = HigmPattern(ctx)
    infection = higm.opportunistic
    if infection is not None:
        basis = f"possible hyper-IgM with {infection.text}, until the type is defined"
        rec_id, values, refs = "PHIGM-PJP-01", {"infection_text": infection.text, "basis": basis}, infection.refs
    elif higm.suspected_cd40l:
        basis = "suspected CD40L deficiency: a boy with the pattern confirmed on repeat, until the type is defined"
        values = {"pattern_text": higm.described(), "basis": basis}
        rec_id, refs = "PHIGM-PJP-02", higm.confirmation_refs
    else:
        return []
    pjp = _current_prophylaxis(ctx, basis) or _new_pjp(ctx, rec_id, values, refs)
    return [pjp, Finding("PHIGM-CRYPTO-01", {"basis": basis}, refs)]


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    if dx.code == "possible-hyper-igm-syndrome":
        return _possible(ctx)
    if not is_cd40_pathway(dx):
        return []
    basis = cd40_basis(dx)
    evidence = diagnosis_evidence(dx)
    pjp = _current_prophylaxis(ctx, basis) or _new_pjp(ctx, "HIGM-PJP-01", {"basis": basis}, evidence)
    return [pjp, Finding("HIGM-CRYPTO-01", {"basis": basis}, evidence)]
