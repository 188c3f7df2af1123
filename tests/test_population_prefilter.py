"""The candidate pre-filter is derived from the knowledge base and matches the raw NDJSON text the
way both engines will read it (RE2 in DuckDB, java.util.regex in Spark: the same pattern)."""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb
import pytest

from igcds.knowledge.loader import KnowledgeBase
from igcds.population import prefilter


@pytest.fixture(scope="module")
def pattern(kb: KnowledgeBase) -> str:
    return prefilter.signal_pattern(kb)


def matches(pattern: str, line: str) -> bool:
    python = re.search(pattern, line) is not None
    (duck,) = duckdb.execute("SELECT regexp_matches($1, $2)", [line, pattern]).fetchone() or (None,)
    assert duck == python  # one pattern, one answer, in either engine's regex dialect
    return python


@pytest.mark.parametrize(
    "line",
    [
        '{"code":{"coding":[{"system":"http://loinc.org","code":"2472-9"}]}}',  # IgM
        '{"code":{"coding":[{"code": "2469-5"}]}}',  # IgG4 subclass
        '{"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"D80.5"}]}}',
        '{"code":{"coding":[{"code":"d805"}]}}',  # no dot, lower case
        '{"code":{"coding":[{"code":"J18.9"}]}}',  # pneumonia: an infection class
        '{"medicationCodeableConcept":{"text":"PRIVIGEN 10 g"}}',
        '{"code":{"coding":[{"system":"urn:igcds:fact","code":"poor-venous-access"}]}}',
        '{"code":{"coding":[{"code":"69548-6"}]}}',  # a genetic variant
    ],
)
def test_records_igcds_reads_are_signals(pattern: str, line: str) -> None:
    assert matches(pattern, line)


@pytest.mark.parametrize(
    "line",
    [
        '{"code":{"coding":[{"code":"29463-7"}]},"valueQuantity":{"value":70}}',  # body weight
        '{"code":{"coding":[{"code":"12472-9"}]}}',  # a code that merely contains an IgM code
        '{"code":{"coding":[{"code":"I10"}]}}',  # hypertension
        '{"medicationCodeableConcept":{"text":"lisinopril 10 MG Oral Tablet"}}',
    ],
)
def test_everyday_records_are_not_signals(pattern: str, line: str) -> None:
    assert not matches(pattern, line)


def test_the_pattern_follows_the_knowledge_base(kb: KnowledgeBase) -> None:
    """No second list: a code added to an immunoglobulin value set becomes a signal."""
    observations = dict(kb.valuesets.observations)
    observations["igm"] = observations["igm"].model_copy(update={"codes": ["2472-9", "99999-9"]})
    changed = replace(kb, valuesets=kb.valuesets.model_copy(update={"observations": observations}))
    line = '{"code":{"coding":[{"code":"99999-9"}]}}'
    assert not matches(prefilter.signal_pattern(kb), line)
    assert matches(prefilter.signal_pattern(changed), line)
    for code in kb.valuesets.observations["igg_subclass"].codes:
        assert matches(prefilter.signal_pattern(kb), f'"{code}"')
