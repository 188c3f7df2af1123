"""Predicates on the diagnosis that several rule groups share (treatment, prophylaxis,
monitoring, work-up), kept here so rule modules do not import each other."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis

SIGMD_PATHWAY = frozenset({"selective-igm-deficiency", "possible-selective-igm-deficiency"})
HIGM_PATHWAY = frozenset({"hyper-igm-syndrome", "possible-hyper-igm-syndrome"})
CD40_PATHWAY = frozenset({"CD40LG", "CD40"})


def is_cd40_pathway(dx: Diagnosis) -> bool:
    """Known CD40L/CD40 deficiency, or suspected: hyper-IgM without a genotype (a male is
    suspected CD40L-deficient; a female may have CD40 deficiency)."""
    return dx.code == "hyper-igm-syndrome" and (dx.genotype in CD40_PATHWAY or dx.genotype is None)


def cd40_basis(dx: Diagnosis) -> str:
    if dx.genotype in CD40_PATHWAY:
        return f"{dx.genotype} deficiency"
    if dx.suspected_cd40l_deficiency:
        return "suspected CD40L deficiency (male with hyper-IgM, no genotype yet)"
    return "possible CD40 or CD40L deficiency (hyper-IgM, no genotype yet)"


def diagnosis_evidence(dx: Diagnosis) -> tuple[str, ...]:
    """The record facts behind the diagnosis (every met criterion), for recommendations that rest
    on the diagnosis itself (liver surveillance, live-vaccine advice)."""
    seen: dict[str, None] = {}
    for criterion in dx.criteria:
        if criterion.met:
            seen.update(dict.fromkeys(criterion.evidence))
    return tuple(seen)
