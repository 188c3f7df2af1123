"""The guideline documents: rendered from the knowledge base, every statement cited, every
recommendation of a pathway placed in its guideline, every divergence from the source document
listed, and the checked-in copies under docs/ current (see test_docs)."""

from __future__ import annotations

import pytest

from igcds.knowledge.loader import KnowledgeBase
from igcds.report import guideline
from tests.conftest import run_igcds

PATHWAYS = {"igm-deficiency": {"igm-deficiency", "igrt"}, "hyper-igm": {"hyper-igm", "igrt"}}
# In hyper-IgM every live vaccine is contraindicated (HIGM-VAX-01), so the IgRT vaccine advice for
# antibody deficiency and ACIP's interval (which applies only where live vaccines are allowed) do not.
NOT_APPLICABLE = {"hyper-igm": {"IGRT-VAX-01", "IGRT-VAX-02"}, "igm-deficiency": set()}


@pytest.mark.parametrize("name", sorted(PATHWAYS))
def test_every_statement_is_cited(kb: KnowledgeBase, name: str) -> None:
    document = guideline.document(kb, name)
    for section in document.sections:
        for item in section.items:
            assert item.citations, f"{section.title}: {item.heading}"
    cited = {ref for ref, _, _ in document.references}
    assert cited <= set(kb.references)


@pytest.mark.parametrize("name", sorted(PATHWAYS))
def test_every_pathway_recommendation_is_in_its_guideline(kb: KnowledgeBase, name: str) -> None:
    placed = {rec for section in kb.guidelines[name].sections for rec in section.recommendations}
    wanted = {rec.id for rec in kb.recommendations.values() if rec.pathway in PATHWAYS[name]}
    assert wanted - placed == NOT_APPLICABLE[name]


@pytest.mark.parametrize("name", sorted(PATHWAYS))
def test_every_divergence_of_the_source_document_is_listed(kb: KnowledgeBase, name: str) -> None:
    listed = guideline.document(kb, name).divergences
    recorded = [d for d in kb.divergences.values() if d.source_document == kb.guidelines[name].source_document]
    assert len(listed) == len(recorded) > 0
    text = guideline.markdown(kb, name)
    assert "## Where this differs from the source documents" in text
    for divergence in recorded:
        assert " ".join(divergence.claim.split()) in text


@pytest.mark.parametrize("output_format", ["markdown", "html"])
def test_guideline_command(output_format: str) -> None:
    done = run_igcds("guideline", "hyper-igm", "--format", output_format)
    assert done.code == 0
    assert "Hyper-IgM syndromes" in done.out
    assert "Where this differs from the source documents" in done.out


def test_unknown_guideline_is_a_usage_error() -> None:
    done = run_igcds("guideline", "cvid")
    assert done.code == 2
