"""The Assessment as Markdown, in the printed report's order: who and when; a summary (diagnosis,
actions with their deadlines, the dose with its pump rates); the diagnosis criteria with the
laboratory values behind them; each recommendation with its reasons; the charted series as
tables; data gaps and warnings; then the appendices (source-document divergences, references)."""

from __future__ import annotations

from igcds.domain.assessment import Assessment, Recommendation, Timeline
from igcds.domain.record import PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report import sections, wording
from igcds.report.citations import references
from igcds.report.dose_text import dose_statements
from igcds.report.patient_facts import ReportFacts
from igcds.report.sections import DivergenceNote, Evidence


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _sources(citations: tuple[str, ...]) -> str:
    return ", ".join(f"[{ref}](#ref-{ref})" for ref in citations)


def _evidence(found: list[Evidence]) -> str:
    return "; ".join(f"{e.text} (`{e.ref}`)" if e.text else f"`{e.ref}`" for e in found)


def _summary(facts: ReportFacts) -> list[str]:
    a, dx = facts.assessment, facts.assessment.diagnosis
    lines = [
        "## Summary",
        "",
        f"**Diagnosis: {dx.label}** (`{dx.code}`, {dx.source}); genotype {dx.genotype or 'not established'}; "
        f"specific antibody response {dx.specific_antibody_response}.",
        "",
    ]
    if a.recommendations:
        lines += ["| # | priority | action | due |", "|---|---|---|---|"]
        lines += [
            f"| {x.number} | {wording.PRIORITY_LABEL[x.priority]} | [{_cell(x.title)}](#{x.anchor}) | {x.due or '—'} |"
            for x in sections.actions(a)
        ]
        lines.append("")
    if a.dose:
        lines += ["**Dose**", ""]
        lines += [f"{'  ' * depth}- {sentence}" for depth, sentence in dose_statements(a.dose)]
        lines.append("")
    return lines


def _recommendation(
    number: int, rec: Recommendation, facts: ReportFacts, notes: dict[str, DivergenceNote]
) -> list[str]:
    lines = [
        f'### <a id="rec-{rec.id}"></a>{number}. {wording.PRIORITY_LABEL[rec.priority]}: {rec.title}',
        "",
        f"`{rec.code}` · {rec.id} · {rec.strength}, {rec.evidence_quality} quality",
        "",
        rec.text,
        "",
        f"**Why, for this patient:** {rec.rationale}",
        "",
    ]
    lines += [f"**{line}**\n" for line in sections.extra_lines(facts.assessment, rec)]
    lines += [
        f"**Evidence in the record:** {_evidence(sections.evidence(facts, rec.evidence)) or 'none specific'}"
        + wording.more_evidence(rec),
        "",
        f"**Sources:** {_sources(rec.citations)}",
    ]
    if rec.source_divergence:
        labels = ", ".join(f"[{notes[d].label}](#{notes[d].anchor})" for d in rec.source_divergence)
        lines += ["", f"**Differs from the source document:** {labels} (appendix)."]
    return [*lines, ""]


def _timeline(facts: ReportFacts, timeline: Timeline) -> list[str]:
    lines = ["## Trough IgG and infusions", ""]
    if timeline.troughs:
        target = facts.level(timeline.trough_target_mg_dl)
        lines += [f"Target: {target} (site policy).", ""]
        lines += [f"| drawn | trough IgG ({facts.units}) | against target | record |", "|---|---|---|---|"]
        for point in timeline.troughs:
            verdict = "below" if point.mg_dl < timeline.trough_target_mg_dl else "at or above"
            lines.append(f"| {point.day.isoformat()} | {facts.number(point.mg_dl)} | {verdict} | `{point.ref}` |")
    else:
        lines.append(wording.no_troughs(facts.policy.trough.trough_window_days))
    lines.append("")
    if timeline.infusions:
        lines += ["| given | route | dose | record |", "|---|---|---|---|"]
        for infusion in timeline.infusions:
            dose = f"{infusion.dose_g:g} g" if infusion.dose_g is not None else "not recorded"
            lines.append(
                f"| {infusion.day.isoformat()} | {infusion.route or 'not recorded'} | {dose} | `{infusion.ref}` |"
            )
        lines.append("")
    lines += ["## Infections", "", wording.infection_rates(timeline), ""]
    if timeline.infections:
        lines += ["| onset | infection | severity | record |", "|---|---|---|---|"]
        lines += [f"| {e.day.isoformat()} | {_cell(e.label)} | {e.severity} | `{e.ref}` |" for e in timeline.infections]
        lines.append("")
    return lines


def render(
    assessment: Assessment, kb: KnowledgeBase, record: PatientRecord | None = None, policy: Policy | None = None
) -> str:
    """`record`: the patient's identity and laboratory values; `policy`: display units and trough window."""
    facts = ReportFacts.of(assessment, kb, record, policy)
    a, dx = assessment, assessment.diagnosis
    lines = [
        f"# igcds assessment: {facts.name}",
        "",
        f"**{facts.header()}**",
        "",
        f"{facts.patient_line()}. Knowledge base {a.knowledge_version}.",
        "",
        f"> **Decision support.** {a.disclaimer}",
        "",
        *_summary(facts),
        "## Diagnosis criteria",
        "",
    ]
    for criterion in dx.criteria:
        found = _evidence(sections.evidence(facts, criterion.evidence))
        found += wording.more_evidence(criterion)
        lines.append(f"- [{'x' if criterion.met else ' '}] {criterion.name}{f': {found}' if found else ''}")
    notes = sections.divergences(facts)
    lines += ["", "## Recommendations (critical first)", ""]
    for number, rec in enumerate(a.recommendations, 1):
        lines += _recommendation(number, rec, facts, notes)
    if a.timeline:
        lines += _timeline(facts, a.timeline)
    if a.data_gaps:
        lines += ["## Data gaps", ""]
        lines += [f"- **{gap.field}**: {gap.effect}" for gap in a.data_gaps]
        lines.append("")
    if a.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {warning}" for warning in a.warnings]
        lines.append("")
    if notes:
        lines += ["## Appendix: where this differs from the source documents", ""]
        lines += [f'- <a id="{n.anchor}"></a>**{n.label}.** {n.full}' for n in notes.values()]
        lines.append("")
    lines += ["## Appendix: references", ""]
    for ref_id, citation, url in references(a, kb):
        lines.append(f'- <a id="ref-{ref_id}"></a>**[{ref_id}]** {citation} <{url}>')
    lines += ["", "---", "", f"Knowledge base {a.knowledge_version}. {a.disclaimer}", ""]
    return "\n".join(lines)
