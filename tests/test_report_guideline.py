"""The guideline as a clinician reads it: a contents list that resolves, a dosing and prophylaxis
table at the top, every recommendation once, and no configuration names (those are in
docs/policy.md)."""

from __future__ import annotations

import re

import pytest

from igcds.knowledge.loader import KnowledgeBase
from igcds.report import guideline

NAMES = ("igm-deficiency", "hyper-igm")


@pytest.mark.parametrize("name", NAMES)
def test_contents_list_links_to_every_section(kb: KnowledgeBase, name: str) -> None:
    for text in (guideline.markdown(kb, name), guideline.html(kb, name)):
        anchors = set(re.findall(r'id="([^"]+)"', text))
        links = re.findall(r"\]\(#([^)]+)\)|href=\"#([^\"]+)\"", text)
        targets = {a or b for a, b in links}
        assert {"at-a-glance", "divergences", "references"} <= targets
        assert {s.anchor for s in guideline.document(kb, name).sections} <= targets
        assert targets <= anchors


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("igm-deficiency", ["IVIG starting dose (mg/kg per interval) | 400 |", "Start antibiotic prophylaxis |"]),
        ("hyper-igm", ["Trough IgG target (mg/dL)", "Start Pneumocystis prophylaxis | Start Pneumocystis jirovecii"]),
    ],
)
def test_dosing_and_prophylaxis_at_a_glance(kb: KnowledgeBase, name: str, rows: list[str]) -> None:
    text = guideline.markdown(kb, name)
    table = text[text.index('<a id="at-a-glance">') : text.index('## <a id="section-1">')]
    for row in rows:
        assert row in table
    assert "| dosing | Weight the IgRT dose is calculated on | actual body weight |" in table


@pytest.mark.parametrize("name", NAMES)
def test_no_policy_key_names_for_clinicians(kb: KnowledgeBase, name: str) -> None:
    for text in (guideline.markdown(kb, name), guideline.html(kb, name)):
        assert [key for key in kb.policy.keys if key in text] == []


@pytest.mark.parametrize("name", NAMES)
def test_each_recommendation_appears_once(kb: KnowledgeBase, name: str) -> None:
    placed = [rec for section in kb.guidelines[name].sections for rec in section.recommendations]
    assert len(placed) == len(set(placed))
    titles = [item.heading for section in guideline.document(kb, name).sections for item in section.items]
    assert len(titles) == len(set(titles))
