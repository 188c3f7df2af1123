"""The condition-level guideline as a document, rendered from the knowledge base: a contents list
and a dosing and prophylaxis summary table, then the sections of guidelines.yaml (diagnosis,
first-line options, dosing, route, monitoring, special considerations, complications, long-term
care), every statement with its strength and citations, then each recorded divergence from the
source document with the evidence. Markdown or self-contained HTML. Site-policy figures are shown
as igcds defaults in clinical words; their configuration names stay in docs/policy.md."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.knowledge.loader import KnowledgeBase
from igcds.report.citations import format_reference

PROPHYLAXIS_CODES = ("prophylaxis.", "treatment.antibiotic-prophylaxis")
DEFAULT_WORDS = {
    "us-label": "the product's US label factor",
    "eu-1to1": "1:1 (EU practice)",
    "actual": "actual body weight",
}
FINDING_WORDS = {
    "unverified": "no source found",
    "not-supported": "not supported by the evidence",
    "partial": "partly supported",
    "corrected": "corrected by the evidence",
}


@dataclass(frozen=True, slots=True)
class Item:
    heading: str
    text: str
    grade: str
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    items: tuple[Item, ...]
    anchor: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One line of the dosing and prophylaxis table: what, the figure or regimen, and its sources."""

    kind: str
    topic: str
    figure: str
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    summary: str
    sections: tuple[Section, ...]
    summary_rows: tuple[SummaryRow, ...]
    divergences: tuple[Item, ...]
    references: tuple[tuple[str, str, str], ...]
    disclaimer: str
    knowledge_version: str


def _default(value: str | int | float) -> str:
    return DEFAULT_WORDS.get(str(value), str(value))


def _first_sentence(text: str) -> str:
    sentence = " ".join(text.split()).split(". ")[0]
    return sentence if sentence.endswith(".") else sentence + "."


def _summary_rows(kb: KnowledgeBase, name: str) -> tuple[SummaryRow, ...]:
    sections = kb.guidelines[name].sections
    rows = [
        SummaryRow(
            "dosing",
            kb.policy.keys[key].description.rstrip("."),
            _default(kb.policy.keys[key].default),
            tuple(kb.policy.keys[key].citations),
        )
        for section in sections
        for key in section.policy
    ]
    for section in sections:
        for rec in (kb.recommendations[rec_id] for rec_id in section.recommendations):
            if rec.code.startswith(PROPHYLAXIS_CODES):
                rows.append(SummaryRow("prophylaxis", rec.title, _first_sentence(rec.statement), tuple(rec.citations)))
    return tuple(rows)


def document(kb: KnowledgeBase, name: str) -> Document:
    guideline = kb.guidelines[name]
    sections = []
    for number, section in enumerate(guideline.sections, 1):
        items = [
            Item(
                f"Dosing figure: {kb.policy.keys[key].description}",
                f"igcds default: {_default(kb.policy.keys[key].default)}; a site may set its own. "
                f"{kb.policy.keys[key].basis}",
                "site policy",
                tuple(kb.policy.keys[key].citations),
            )
            for key in section.policy
        ]
        for rec_id in section.recommendations:
            rec = kb.recommendations[rec_id]
            grade = f"{rec.strength}, {rec.evidence_quality} quality; {rec.code} ({rec.id})"
            items.append(Item(rec.title, " ".join(rec.statement.split()), grade, tuple(rec.citations)))
        sections.append(Section(section.title, tuple(items), f"section-{number}"))
    divergences = tuple(
        Item(
            f"“{d.claim}”",
            " ".join(d.igcds_position.split()),
            FINDING_WORDS[d.finding],
            tuple(d.citations),
        )
        for d in kb.divergences.values()
        if d.source_document == guideline.source_document
    )
    cited = dict.fromkeys(c for s in sections for i in s.items for c in i.citations)
    cited.update(dict.fromkeys(c for i in divergences for c in i.citations))
    return Document(
        title=guideline.title,
        summary=" ".join(guideline.summary.split()),
        sections=tuple(sections),
        summary_rows=_summary_rows(kb, name),
        divergences=divergences,
        references=tuple((ref, format_reference(kb.references[ref]), kb.references[ref].url) for ref in cited),
        disclaimer=kb.disclaimer,
        knowledge_version=kb.version.split("+")[0],
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _sources(citations: tuple[str, ...]) -> str:
    return ", ".join(f"[{ref}](#ref-{ref})" for ref in citations) or "igcds default, set locally (no published figure)"


def markdown(kb: KnowledgeBase, name: str) -> str:
    doc = document(kb, name)
    lines = [
        f"<!-- Generated by igcds guideline {name} from the knowledge base; do not edit. -->",
        "",
        f"# {doc.title}",
        "",
        f"> **Decision support.** {doc.disclaimer}",
        "",
        doc.summary,
        "",
        "## Contents",
        "",
        "- [Dosing and prophylaxis at a glance](#at-a-glance)",
        *(f"- [{n}. {section.title}](#{section.anchor})" for n, section in enumerate(doc.sections, 1)),
        "- [Where this differs from the source documents](#divergences)",
        "- [References](#references)",
        "",
        '## <a id="at-a-glance"></a>Dosing and prophylaxis at a glance',
        "",
        "| | what | igcds default or regimen | sources |",
        "|---|---|---|---|",
        *(
            f"| {row.kind} | {_cell(row.topic)} | {_cell(row.figure)} | {_sources(row.citations)} |"
            for row in doc.summary_rows
        ),
        "",
    ]
    for number, section in enumerate(doc.sections, 1):
        lines += [f'## <a id="{section.anchor}"></a>{number}. {section.title}', ""]
        for item in section.items:
            lines += [
                f"**{item.heading.rstrip('.')}.** {item.text}",
                "",
                f"*{item.grade}.* Sources: {_sources(item.citations)}",
                "",
            ]
    lines += ['<a id="divergences"></a>', "", "## Where this differs from the source documents", ""]
    lines += [
        "The source document this guideline replaces is an AI-generated summary. Each of its claims that the",
        "evidence does not support as written is listed here with what igcds does instead.",
        "",
    ]
    for item in doc.divergences:
        lines += [f"- **{item.heading}** ({item.grade}). {item.text} Sources: {_sources(item.citations)}"]
    lines += ["", '<a id="references"></a>', "", "## References", ""]
    for ref, citation, url in doc.references:
        lines.append(f'- <a id="ref-{ref}"></a>**[{ref}]** {citation} <{url}>')
    lines += ["", "---", "", f"Knowledge base {doc.knowledge_version}. {doc.disclaimer}", ""]
    return "\n".join(lines)


def html(kb: KnowledgeBase, name: str) -> str:
    from igcds.report.html import css_string, environment

    doc = document(kb, name)
    header = css_string(f"{doc.title} · igcds knowledge base {doc.knowledge_version}")
    return environment().get_template("guideline.html.j2").render(doc=doc, name=name, running_header=header)
