"""The Assessment as Markdown: the same content as the terminal report (diagnosis and criteria,
recommendations critical first with their reasons, the dose plan, data gaps, references, the
knowledge version and the decision-support statement), plus the charted series as tables."""

from __future__ import annotations

from igcds.domain.assessment import Assessment, Recommendation, Timeline
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import wording
from igcds.report.dose_text import dose_statements
from igcds.report.json_contract import format_reference


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _sources(citations: tuple[str, ...]) -> str:
    return ", ".join(f"[{ref}](#ref-{ref})" for ref in citations)


def _recommendation(number: int, rec: Recommendation, kb: KnowledgeBase) -> list[str]:
    lines = [
        f"### {number}. {wording.PRIORITY_LABEL[rec.priority]}: {rec.title}",
        "",
        f"`{rec.code}` · {rec.id} · {rec.strength}, {rec.evidence_quality} quality",
        "",
        rec.text,
        "",
        f"**Why, for this patient:** {rec.rationale}",
        "",
        f"**Evidence in the record:** {', '.join(f'`{ref}`' for ref in rec.evidence) or 'none specific'}",
        "",
        f"**Sources:** {_sources(rec.citations)}",
    ]
    for divergence in rec.source_divergence:
        entry = kb.divergences[divergence]
        lines += ["", f"**Differs from the source document:** {wording.divergence_sentence(entry)}"]
    return [*lines, ""]


def _timeline(timeline: Timeline) -> list[str]:
    lines = ["## Trough IgG and infusions", ""]
    if timeline.troughs:
        lines += [f"Target: {timeline.trough_target_mg_dl:g} mg/dL (site policy).", ""]
        lines += ["| drawn | trough IgG (mg/dL) | against target | record |", "|---|---|---|---|"]
        for point in timeline.troughs:
            verdict = "below" if point.mg_dl < timeline.trough_target_mg_dl else "at or above"
            lines.append(f"| {point.day.isoformat()} | {point.mg_dl:g} | {verdict} | `{point.ref}` |")
    else:
        lines.append(wording.NO_TROUGHS)
    lines.append("")
    if timeline.infusions:
        last = timeline.infusions[-1]
        dose = f"{last.dose_g:g} g" if last.dose_g is not None else "dose not recorded"
        lines.append(
            f"{len(timeline.infusions)} immune globulin infusion(s) on record, the last on "
            f"{last.day.isoformat()} ({last.route or 'route not recorded'}, {dose})."
        )
        lines.append("")
    lines += ["## Infections", "", wording.infection_rates(timeline), ""]
    if timeline.infections:
        lines += ["| onset | infection | severity | record |", "|---|---|---|---|"]
        lines += [f"| {e.day.isoformat()} | {_cell(e.label)} | {e.severity} | `{e.ref}` |" for e in timeline.infections]
        lines.append("")
    return lines


def render(assessment: Assessment, kb: KnowledgeBase) -> str:
    a, dx = assessment, assessment.diagnosis
    lines = [
        f"# igcds assessment: patient {a.patient.id}",
        "",
        f"{wording.patient_line(a)}; assessed as of {a.as_of.isoformat()}.",
        "",
        f"> **Decision support.** {a.disclaimer}",
        "",
        f"## Diagnosis: {dx.label}",
        "",
        f"`{dx.code}` ({dx.source}); genotype {dx.genotype or 'not established'}; specific antibody "
        f"response {dx.specific_antibody_response}.",
        "",
    ]
    for criterion in dx.criteria:
        evidence = f" ({', '.join(f'`{ref}`' for ref in criterion.evidence)})" if criterion.evidence else ""
        lines.append(f"- [{'x' if criterion.met else ' '}] {criterion.name}{evidence}")
    lines += ["", "## Recommendations (critical first)", ""]
    for number, rec in enumerate(a.recommendations, 1):
        lines += _recommendation(number, rec, kb)
    if a.dose:
        lines += ["## Dose", ""]
        lines += [f"{'  ' * depth}- {sentence}" for depth, sentence in dose_statements(a.dose)]
        lines.append("")
    if a.timeline:
        lines += _timeline(a.timeline)
    if a.data_gaps:
        lines += ["## Data gaps", ""]
        lines += [f"- **{gap.field}**: {gap.effect}" for gap in a.data_gaps]
        lines.append("")
    if a.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {warning}" for warning in a.warnings]
        lines.append("")
    lines += ["## References", ""]
    for ref_id in wording.cited(a):
        ref = kb.references[ref_id]
        lines.append(f'- <a id="ref-{ref_id}"></a>**[{ref_id}]** {format_reference(ref)} <{ref.url}>')
    lines += ["", "---", "", f"Knowledge base {a.knowledge_version}. {a.disclaimer}", ""]
    return "\n".join(lines)
