"""Limits the core keeps (issue 10): evidence lists capped in the output (a record of thousands of
results names the most recent 20 and counts the rest), and an impossible age refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from igcds import engine
from igcds.domain.assessment import Criterion
from igcds.domain.errors import InputError
from igcds.domain.evidence import EVIDENCE_SHOWN, capped
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import formats, json_contract
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)


def test_a_long_evidence_list_keeps_the_last_twenty_and_the_count() -> None:
    refs = tuple(f"Observation/igm-{i}" for i in range(1000))
    criterion = capped(Criterion("IgM low on at least two occasions", True, refs))
    assert criterion.evidence == refs[-EVIDENCE_SHOWN:]
    assert criterion.evidence_total == 1000


def test_a_short_evidence_list_is_whole() -> None:
    criterion = capped(Criterion("IgM low", True, ("Observation/a", "Observation/b")))
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


@pytest.mark.parametrize("output_format", ["text", "markdown", "html"])
def test_a_capped_evidence_list_says_how_many_more_in_every_report(
    kb: KnowledgeBase, output_format: formats.Format
) -> None:
    """A clinician reading the report must not take the 20 references shown for all there are."""
    first = AS_OF - timedelta(days=2000)
    results = [b.ig(f"igm-{i}", "igm", 15, (first + timedelta(days=i)).isoformat()) for i in range(2000)]
    record = read.read_bundle(b.bundle(b.patient("p", "female", "1980-01-01"), *results), AS_OF, kb)
    assessment = engine.assess(record, AS_OF, None, kb)
    shown = formats.render(output_format, assessment, kb, record=record.as_known_on(AS_OF))
    assert "1980 more in the record" in " ".join(shown.split())


def test_an_impossible_age_is_refused_by_the_core_too(kb: KnowledgeBase) -> None:
    """A record read without an assessment date (the population run, the Python API) is still
    checked when assessed: an age above 125 on `as_of` is an input error, not a plan."""
    record = read.read_bundle(b.bundle(b.patient("p", "female", "1901-01-01")), None, kb)
    with pytest.raises(InputError, match=r"Patient/p birthDate: an age above 125 years on 2027-01-02"):
        engine.assess(record, date(2027, 1, 2), None, kb)
    assert engine.assess(record, date(2026, 12, 31), None, kb).patient.age_years is not None
