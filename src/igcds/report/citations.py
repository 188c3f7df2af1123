"""References as every output shows them: one citation format, and the ids an assessment cites in
order of first use (recommendations, then the dose and its trough model)."""

from __future__ import annotations

from igcds.domain.assessment import Assessment
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.schema import Reference


def format_reference(ref: Reference) -> str:
    """Vancouver-like one-line citation from the verified fields only."""
    parts = [ref.authors or "", ref.title]
    source = ref.journal or ""
    if ref.year:
        source = f"{source} {ref.year}".strip()
    if ref.volume:
        source += f";{ref.volume}"
        if ref.issue:
            source += f"({ref.issue})"
    if ref.pages:
        source += f":{ref.pages}"
    parts.append(source)
    if ref.doi:
        parts.append(f"doi:{ref.doi}")
    if ref.pmid:
        parts.append(f"PMID {ref.pmid}")
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip()) + "."


def cited(a: Assessment) -> list[str]:
    """Every reference the assessment cites, in order of first use."""
    ids = [c for r in a.recommendations for c in r.citations]
    if a.dose:
        ids += a.dose.cited()
    return list(dict.fromkeys(ids))


def references(a: Assessment, kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(id, formatted citation, url) for each cited reference."""
    return [(ref_id, format_reference(kb.references[ref_id]), kb.references[ref_id].url) for ref_id in cited(a)]


def findable_without_url(a: Assessment, kb: KnowledgeBase) -> set[str]:
    """References a DOI or PMID identifies, so a printed page can leave their address out."""
    return {ref_id for ref_id in cited(a) if kb.references[ref_id].doi or kb.references[ref_id].pmid}
