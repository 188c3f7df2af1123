"""The candidate pre-filter is derived from the knowledge base and matches the raw NDJSON text the
way both engines will read it (RE2 in DuckDB, java.util.regex in Spark: the same pattern)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from importlib import resources

import duckdb
import pytest
import yaml

from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.population import prefilter


@pytest.fixture(scope="module")
def patterns(kb: KnowledgeBase) -> dict[str, prefilter.Conjunctions]:
    return prefilter.signal_patterns(kb)


def signal(patterns: dict[str, prefilter.Conjunctions], line: str) -> bool:
    alternatives = patterns.get(json.loads(line)["resourceType"], ())
    return any(all(matches(p, line) for p in conjunction) for conjunction in alternatives)


def matches(pattern: str, line: str) -> bool:
    python = re.search(pattern, line) is not None
    (duck,) = duckdb.execute("SELECT regexp_matches($1, $2)", [line, pattern]).fetchone() or (None,)
    assert duck == python  # one pattern, one answer, in either engine's regex dialect
    return python


@pytest.mark.parametrize(
    "line",
    [
        '{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"2472-9"}]}}',
        '{"resourceType":"Observation","code":{"coding":[{"code": "2469-5"}]}}',  # IgG4 subclass
        '{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"D80.5"}]}}',
        '{"resourceType":"Condition","code":{"coding":[{"code":"d805"}]}}',  # no dot, lower case
        '{"resourceType":"Condition","code":{"coding":[{"code":"J18.9"}]}}',  # pneumonia: an infection class
        '{"resourceType":"MedicationStatement","medicationCodeableConcept":{"text":"PRIVIGEN 10 g"}}',
        '{"resourceType":"Medication","code":{"text":"Immune Globulin 10%"}}',  # referenced by a statement
        '{"resourceType":"Observation","code":{"coding":[{"system":"urn:igcds:fact","code":"poor-venous-access"}]}}',
        '{"resourceType":"Observation","code":{"coding":[{"code":"69548-6"}]}}',  # a genetic variant
    ],
)
def test_records_igcds_reads_are_signals(patterns: dict[str, prefilter.Conjunctions], line: str) -> None:
    assert signal(patterns, line)


@pytest.mark.parametrize(
    "line",
    [
        '{"resourceType":"Observation","code":{"coding":[{"code":"29463-7"}]},"valueQuantity":{"value":70}}',
        '{"resourceType":"Observation","code":{"coding":[{"code":"12472-9"}]}}',  # contains an IgM code
        '{"resourceType":"Condition","code":{"coding":[{"code":"I10"}]}}',  # hypertension
        '{"resourceType":"Observation","code":{"coding":[{"code":"J18.9"}]}}',  # a pneumonia code, not a Condition
        '{"resourceType":"MedicationRequest","medicationCodeableConcept":{"text":"lisinopril 10 MG Oral Tablet"}}',
        '{"resourceType":"Immunization","vaccineCode":{"text":"immune globulin"}}',  # not a medication record
    ],
)
def test_everyday_records_are_not_signals(patterns: dict[str, prefilter.Conjunctions], line: str) -> None:
    assert not signal(patterns, line)


def test_the_pattern_follows_the_knowledge_base(kb: KnowledgeBase) -> None:
    """No second list: a code added to an immunoglobulin value set becomes a signal, through the
    scope definition that `igcds assess` reads too."""
    data = resources.files("igcds.knowledge").joinpath("data")
    files = {name: yaml.safe_load(data.joinpath(name).read_text(encoding="utf-8")) for name in loader.DATA_FILES}
    files["valuesets.yaml"]["observations"]["igm"]["codes"].append("99999-9")
    changed = loader.build(files, "test")
    line = '{"resourceType":"Observation","code":{"coding":[{"code":"99999-9"}]}}'
    assert not signal(prefilter.signal_patterns(kb), line)
    assert signal(prefilter.signal_patterns(changed), line)
    for code in kb.valuesets.observations["igg_subclass"].codes:
        assert signal(prefilter.signal_patterns(kb), f'{{"resourceType":"Observation","code":"{code}"}}')


def test_a_medication_that_signals_only_when_intravenous(kb: KnowledgeBase) -> None:
    signals = replace(
        prefilter.signals(kb),
        iv_medication_names=frozenset({"ceftriaxone"}),
        iv_route_snomed=frozenset({"47625008"}),
        iv_route_texts=frozenset({"iv", "intravenous"}),
    )
    patterns = signals.patterns()
    given = '{"resourceType":"MedicationAdministration","medicationCodeableConcept":{"text":"Ceftriaxone 1 g"}'
    assert signal(patterns, given + ',"dosage":{"route":{"text":"IV"}}}')
    assert signal(patterns, given + ',"dosage":{"route":{"coding":[{"code":"47625008"}]}}}')
    assert not signal(patterns, given + ',"dosage":{"route":{"text":"oral"}}}')
    assert not signal(patterns, given + ',"status":"active"}')  # "iv" inside a word is not a route
    assert signal(patterns, '{"resourceType":"Medication","code":{"text":"ceftriaxone"}}')
