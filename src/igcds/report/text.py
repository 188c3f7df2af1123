"""The Assessment for a terminal: plain text, 80 columns, critical first."""

from __future__ import annotations

import textwrap

from igcds.domain.assessment import Assessment
from igcds.domain.record import PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report import wording
from igcds.report.citations import cited, format_reference
from igcds.report.dose_text import dose_lines
from igcds.report.patient_facts import ReportFacts

WIDTH = 80
MARK = {"critical": "!!!", "urgent": "!! ", "routine": "-  "}


def _wrap(text: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


ANSI = {"critical": "\033[1;31m", "urgent": "\033[33m", "routine": "", "heading": "\033[1m"}
RESET = "\033[0m"


def _paint(line: str, style: str, colour: bool) -> str:
    return f"{ANSI[style]}{line}{RESET}" if colour and ANSI[style] else line


def render(
    assessment: Assessment,
    kb: KnowledgeBase,
    colour: bool = False,
    record: PatientRecord | None = None,
    policy: Policy | None = None,
) -> str:
    """`colour`: ANSI styles for headings and priorities (the CLI decides from the terminal);
    `record`: identity and laboratory values; `policy`: display units."""
    a, dx = assessment, assessment.diagnosis
    facts = ReportFacts.of(a, kb, record, policy)
    p = a.patient
    lines = textwrap.wrap(
        f"igcds assessment — patient {p.id} ({facts.patient_line()}) as of {a.as_of.isoformat()}", WIDTH
    )
    if facts.named:
        lines += textwrap.wrap(facts.header(), WIDTH)
    diagnosis = textwrap.wrap(f"DIAGNOSIS  {dx.label}  [{dx.code}; {dx.source}]", WIDTH, subsequent_indent="  ")
    lines += ["", *(_paint(line, "heading", colour) for line in diagnosis)]
    if dx.genotype:
        lines.append(f"  genotype: {dx.genotype}")
    lines.append(f"  specific antibody response: {dx.specific_antibody_response}")
    for criterion in dx.criteria:
        if criterion.met:
            found = [f"{text} [{ref}]" if text else ref for text, ref in map(facts.evidence, criterion.evidence)]
            evidence = ": " + "; ".join(found) + wording.more_evidence(criterion) if found else ""
            lines += _wrap(f"[x] {criterion.name}{evidence}", "  ")
    lines += ["", _paint("RECOMMENDATIONS (critical first)", "heading", colour)]
    for rec in a.recommendations:
        heading = f"{MARK[rec.priority]} [{rec.priority}] {rec.code} ({rec.id}): {rec.title}"
        lines += [
            _paint(line, rec.priority, colour) for line in textwrap.wrap(heading, WIDTH, subsequent_indent="    ")
        ]
        lines += _wrap(rec.text)
        lines += _wrap(f"Why: {rec.rationale}")
        lines += _wrap(
            f"Evidence in the record: {', '.join(rec.evidence) or 'none specific'}{wording.more_evidence(rec)}"
        )
        lines += _wrap(f"Sources: {', '.join(rec.citations)} ({rec.strength}, {rec.evidence_quality} quality)")
    if a.dose:
        lines += ["", _paint("DOSE", "heading", colour)]
        lines += dose_lines(a.dose)
    if a.data_gaps:
        lines += ["", _paint("DATA GAPS", "heading", colour)]
        for gap in a.data_gaps:
            lines += _wrap(f"- {gap.field}: {gap.effect}", "  ")
    if a.warnings:
        lines += ["", _paint("WARNINGS", "heading", colour)]
        for warning in a.warnings:
            lines += _wrap(f"- {warning}", "  ")
    if cited(a):
        lines += ["", _paint("REFERENCES", "heading", colour)]
        for ref_id in cited(a):
            lines += _wrap(f"[{ref_id}] {format_reference(kb.references[ref_id])}", "  ")
    lines += ["", f"Knowledge base {a.knowledge_version}."]
    lines += textwrap.wrap(a.disclaimer, WIDTH)
    return "\n".join(lines) + "\n"
