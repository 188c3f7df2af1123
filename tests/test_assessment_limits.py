"""Evidence lists are capped in the output: a record of thousands of results names the most recent
20 and counts the rest, instead of printing every reference (issue 10, item 10)."""

from __future__ import annotations

from datetime import date, timedelta

from igcds import engine
from igcds.domain.assessment import EVIDENCE_SHOWN, Criterion
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import json_contract
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def test_a_long_evidence_list_keeps_the_last_twenty_and_the_count() -> None:
    refs = tuple(f"Observation/igm-{i}" for i in range(1000))
    criterion = Criterion("IgM low on at least two occasions", True, refs)
    assert criterion.evidence == refs[-EVIDENCE_SHOWN:]
    assert criterion.evidence_total == 1000


def test_a_short_evidence_list_is_whole() -> None:
    criterion = Criterion("IgM low", True, ("Observation/a", "Observation/b"))
    assert (criterion.evidence, criterion.evidence_total) == (("Observation/a", "Observation/b"), 2)


def test_two_thousand_low_igm_results_print_twenty_references(kb: KnowledgeBase) -> None:
    first = AS_OF - timedelta(days=2000)
    results = [b.ig(f"igm-{i}", "igm", 15, (first + timedelta(days=i)).isoformat()) for i in range(2000)]
    bundle = b.bundle(b.patient("p", "female", "1980-01-01"), *results)
    assessment = engine.assess(read.read_bundle(bundle, AS_OF, kb), AS_OF, None, kb)
    criteria = json_contract.to_dict(assessment, kb)["diagnosis"]["criteria"]
    twice = next(c for c in criteria if c["name"] == "IgM low on at least two occasions")
    assert twice["evidence_total"] == 2000
    assert twice["evidence"] == [f"Observation/igm-{i}" for i in range(1980, 2000)]
    assert all("evidence_total" not in c for c in criteria if c is not twice)
