"""What the printed report adds to the assessment: who the patient is (read from Patient), ages in
years and months, laboratory values with the reference range used, the reader's units, deadlines
in the summary, the escalated dose, the infection history before IgRT as a data gap, and the page
header's text escaped for CSS."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from igcds import engine
from igcds.domain.assessment import InfectionPoint, Timeline
from igcds.domain.errors import PolicyError
from igcds.domain.judged import LabValue
from igcds.fhir import identity, read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from igcds.report import formats, html, markdown, wording
from igcds.report.patient_facts import ReportFacts, years_and_months
from tests.conftest import ROOT

AS_OF = date(2026, 11, 23)
MR = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}


def example(kb: KnowledgeBase, name: str, policy: Policy | None = None) -> str:
    bundle = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    record = read.read_bundle(bundle, AS_OF, kb)
    return markdown.render(engine.assess(record, AS_OF, None, kb), kb, record=record, policy=policy)


@pytest.mark.parametrize(
    ("patient", "name", "identifier"),
    [
        (
            {
                "name": [
                    {"use": "usual", "given": ["Bob"]},
                    {"use": "official", "family": "Ray", "given": ["Robert", "J"]},
                ]
            },
            "Robert J Ray",
            "MRN 77",
        ),
        ({"name": [{"text": "  Ana   María López "}]}, "Ana María López", "MRN 77"),
        ({"name": [{"use": "official"}, {"family": "Kim"}]}, "Kim", "MRN 77"),
        ({"name": "not a list"}, None, "MRN 77"),
    ],
)
def test_name_is_the_official_one_and_the_identifier_the_mrn(
    patient: dict[str, Any], name: str | None, identifier: str
) -> None:
    patient["identifier"] = [{"system": "urn:oid:1.2", "value": "X-1"}, {"type": MR, "value": "77"}]
    found = identity.identifier_of(patient)
    assert identity.name_of(patient) == name
    assert found is not None
    assert f"{found.label} {found.value}" == identifier


def test_identifier_without_an_mrn_is_the_first_named_by_its_type_or_system() -> None:
    typed = identity.identifier_of({"identifier": [{"type": {"text": "NHS number"}, "value": "943 476 5919"}]})
    by_system = identity.identifier_of({"identifier": [{"system": "urn:oid:2.16.840", "value": "A7"}]})
    assert typed is not None
    assert (typed.label, typed.value) == ("NHS number", "943 476 5919")
    assert by_system is not None
    assert (by_system.label, by_system.value) == ("urn:oid:2.16.840", "A7")
    assert identity.identifier_of({"identifier": [{"system": "urn:x"}]}) is None


@pytest.mark.parametrize(
    ("born", "words"),
    [
        (date(2018, 3, 15), "8 years 8 months"),
        (date(2025, 11, 23), "1 year"),
        (date(2025, 11, 24), "11 months"),  # a day short of the first birthday
        (date(2026, 6, 23), "5 months"),
        (date(2026, 11, 1), "0 months"),
        (date(1958, 2, 14), "68 years 9 months"),
    ],
)
def test_ages_in_years_and_months(born: date, words: str) -> None:
    assert years_and_months(born, AS_OF) == words


def test_lab_values_are_presented_with_the_range_the_core_judged_them_by(kb: KnowledgeBase) -> None:
    bundle = json.loads((ROOT / "examples" / "higm-suspected-boy-on-ivig.json").read_text(encoding="utf-8"))
    record = read.read_bundle(bundle, AS_OF, kb)
    facts = ReportFacts.of(engine.assess(record, AS_OF, None, kb), kb, record)
    own = LabValue("Observation/x", "igm", "2472-9", 18, None, "mg/dL", date(2026, 1, 5), 40, 230, "lab")
    table = LabValue("Observation/y", "igm", "2472-9", 18, "<", "mg/dL", date(2026, 1, 5), 20, 90, "igcds age table")
    unjudged = replace(own, reference_low=None, reference_high=None, reference_source=None)
    assert facts.lab_text(own) == "IgM 18 mg/dL on 2026-01-05 (reference 40–230 mg/dL, laboratory)"
    assert facts.lab_text(table) == "IgM <18 mg/dL on 2026-01-05 (reference 20–90 mg/dL, igcds age table)"
    assert facts.lab_text(unjudged) == "IgM 18 mg/dL on 2026-01-05 (no reference range)"
    igg2 = LabValue("Observation/z", "igg_subclass", "2467-9", 12, None, "mg/dL", date(2026, 1, 5), 24, 430, "lab")
    assert facts.lab_text(igg2) == "IgG2 12 mg/dL on 2026-01-05 (reference 24–430 mg/dL, laboratory)"
    anc = LabValue(
        "Observation/n", "neutrophils_absolute", "751-8", 0.4, None, "10*3/uL", date(2026, 1, 5), None, None, None
    )
    assert facts.lab_text(anc) == "neutrophils 0.4 x10^3/µL on 2026-01-05"


def test_display_units_g_per_litre(kb: KnowledgeBase, policy: Policy) -> None:
    grams = example(kb, "higm-suspected-boy-on-ivig", policy.overridden(display_units="g/L"))
    assert "IgG 0.9 g/L on 2024-02-01 (reference 3.86–14.7 g/L, igcds age table)" in grams
    assert "| drawn | trough IgG (g/L) |" in grams
    assert "| 2026-10-24 | 4.2 | below |" in grams
    assert "Target: 5 g/L (site policy)." in grams
    assert "IgG 90 mg/dL" in example(kb, "higm-suspected-boy-on-ivig")


def test_display_units_is_a_policy_key_with_two_choices(kb: KnowledgeBase) -> None:
    assert make_policy(kb.policy).report.display_units == "mg/dL"
    assert make_policy(kb.policy, {"display_units": "g/L"}).report.display_units == "g/L"
    with pytest.raises(PolicyError):
        make_policy(kb.policy, {"display_units": "mmol/L"})


def test_summary_states_deadlines_and_the_escalated_dose(kb: KnowledgeBase) -> None:
    breakthrough = example(kb, "sigmd-breakthrough-on-ivig")
    assert "the window closes on 2026-11-27" in breakthrough  # the core's rationale ...
    assert "| Measles exposure on IgRT: IVIG 400 mg/kg within 6 days](#rec-IGRT-MEASLES-01) | by 2026-11-27 |" in (
        breakthrough.replace("| [", "| ")
    )  # ... becomes the action's due date
    assert "| not before 2027-03-06 |" in example(kb, "sigmd-after-ivig-course")
    assert "**New dose: 10 g → 13 g IV every 4 weeks" in example(kb, "higm-suspected-boy-on-ivig")
    summary = breakthrough[breakthrough.index("## Summary") : breakthrough.index("## Diagnosis criteria")]
    assert "**Dose**" in summary  # the dose comes before the details, not after eleven cards


def test_no_infection_history_before_igrt_is_a_data_gap_not_a_zero() -> None:
    started = date(2024, 2, 10)
    later = InfectionPoint(date(2026, 8, 2), "pneumonia", "severe", "Condition/p")
    timeline = Timeline((), 500, (), (later,), started, 0.0, 0.72)
    assert "a data gap, not a zero" in wording.infection_rates(timeline)
    earlier = InfectionPoint(date(2022, 1, 5), "sinusitis", "non-severe", "Condition/s")
    recorded = replace(timeline, infections=(earlier, later))
    assert wording.infection_rates(recorded).startswith(
        "0 infection(s) in the 12 months before IgRT began (2024-02-10)"
    )


def test_page_header_is_escaped_for_css() -> None:
    header = html.css_string('O"Brien \\ </style><script> · 2026')
    assert header.startswith('"')
    assert header.endswith('"')
    inner = header[1:-1]
    assert '"' not in inner
    assert "<" not in inner
    assert "\\0000b7" in inner


REPEATED = re.compile(r"\b([A-Za-z]{3,}(?: [A-Za-z]{2,})*) \1\b", re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "examples").glob("*.json")))
def test_no_words_said_twice_in_a_row(kb: KnowledgeBase, name: str) -> None:
    """'Last trough IgG trough IgG 880' came from a template and a phrase both naming the value."""
    assert [m.group(0) for m in REPEATED.finditer(example(kb, name))] == []


def test_one_door_renders_every_format_with_the_record_and_policy(kb: KnowledgeBase, policy: Policy) -> None:
    bundle = json.loads((ROOT / "examples" / "higm-suspected-boy-on-ivig.json").read_text(encoding="utf-8"))
    record = read.read_bundle(bundle, AS_OF, kb)
    assessment = engine.assess(record, AS_OF, None, kb)
    grams = policy.overridden(display_units="g/L")
    assert "IgG 0.9 g/L on 2024-02-01" in formats.render("markdown", assessment, kb, record, grams)
    assert "IgG 0.9 g/L on 2024-02-01" in formats.render("html", assessment, kb, record, grams)
    assert "IgG 0.9 g/L on 2024-02-01" in " ".join(formats.render("text", assessment, kb, record, grams).split())
    assert json.loads(formats.render("json", assessment, kb, record, grams))["schema"] == "igcds.assessment/1"
