"""Format-neutral contents shared by the Markdown and HTML reports, so both say the same in the
same order: the summary's actions, each piece of evidence as a value with its resource id, the
folded source-document divergences and their appendix numbers."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.domain.assessment import Assessment, Recommendation
from igcds.report import wording
from igcds.report.patient_facts import ReportFacts


@dataclass(frozen=True, slots=True)
class Action:
    number: int
    priority: str
    title: str
    due: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str
    """The value behind the reference, or '' when the resource is not a laboratory result."""
    ref: str


@dataclass(frozen=True, slots=True)
class DivergenceNote:
    label: str
    """Appendix number, e.g. "D2"."""
    anchor: str
    full: str


def actions(a: Assessment) -> list[Action]:
    return [
        Action(n, rec.priority, rec.title, wording.due(rec), f"rec-{rec.id}")
        for n, rec in enumerate(a.recommendations, 1)
    ]


def evidence(facts: ReportFacts, refs: tuple[str, ...]) -> list[Evidence]:
    return [Evidence(*facts.evidence(ref)) for ref in refs]


def divergences(facts: ReportFacts) -> dict[str, DivergenceNote]:
    """Each divergence the recommendations cite, numbered in order of first appearance."""
    ids = dict.fromkeys(d for rec in facts.assessment.recommendations for d in rec.source_divergence)
    notes = {}
    for number, div_id in enumerate(ids, 1):
        entry = facts.kb.divergences[div_id]
        notes[div_id] = DivergenceNote(f"D{number}", div_id, _capital(wording.divergence_sentence(entry)))
    return notes


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def extra_lines(a: Assessment, rec: Recommendation) -> list[str]:
    """What a card adds to the core's words: the new dose on an escalation."""
    if rec.code == "treatment.igrt-escalate" and a.dose:
        return [wording.new_dose(a)]
    return []
