"""The Markdown `detail` of a card. With a SMART link to the igcds report, the detail is short (about
`SHORT_DETAIL_CHARACTERS`): the recommendation, why it applies to this patient, one dose line for
IgRT, the source ids and the disclaimer; the evidence, the whole dose plan and the formatted
references are in the report behind the link. Text is cut only between sentences, and what a card
must always say (the first sentence of the recommendation and of its reason, the dose, the dose's
notes, the sources, the disclaimer) is never cut. Without a link the detail is whole: nothing is
hidden where the clinician cannot reach it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from igcds.domain.assessment import Dose, Recommendation
from igcds.knowledge.loader import KnowledgeBase
from igcds.report.dose_text import dose_statements
from igcds.report.json_contract import format_reference
from igcds.report.summary_line import dose_phrase

SHORT_DETAIL_CHARACTERS = 600
TREATMENT_CODES = frozenset({"treatment.igrt-start", "treatment.igrt-continue", "treatment.igrt-escalate"})
# A sentence ends at . ! or ? before a capital, a digit or an opening bracket; not after e.g., i.e., vs.
SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def sentences(text: str) -> list[str]:
    return SENTENCE_END.split(" ".join(text.split()))


def references(kb: KnowledgeBase, citations: Sequence[str]) -> list[str]:
    return [f"- [{ref}] {format_reference(kb.references[ref])} <{kb.references[ref].url}>" for ref in citations]


def full_detail(kb: KnowledgeBase, rec: Recommendation, dose: Dose | None) -> str:
    """Everything: the recommendation, its reason, the evidence, the dose plan, the references."""
    lines = [rec.text, "", f"**Why, for this patient:** {rec.rationale}"]
    if rec.evidence:
        lines += ["", "**Evidence in the record:** " + ", ".join(f"`{ref}`" for ref in rec.evidence)]
    if dose is not None and rec.code in TREATMENT_CODES:
        lines += ["", "**Dose:**", *(f"{'  ' * depth}- {text}" for depth, text in dose_statements(dose))]
    lines += ["", f"**Sources** ({rec.strength}, {rec.evidence_quality} quality):", *references(kb, rec.citations)]
    return "\n".join([*lines, "", f"_{kb.disclaimer}_"])


def dose_line(dose: Dose) -> list[str]:
    """One line for the dose, and the dose's own notes (a safety point is never left off)."""
    notes = [text for depth, text in dose_statements(dose) if depth == 0 and text.startswith("Note: ")]
    line = f"**Dose:** {dose_phrase(dose)}, dosing weight {dose.dosing_weight_kg:g} kg ({dose.weight_basis})."
    return [line, *notes]


def _fit(parts: list[list[str]], fixed: int, budget: int) -> list[str]:
    """Each part keeps its first sentence; further sentences are added, part by part, while the
    whole stays within the budget."""
    kept = [part[:1] for part in parts]
    used = fixed + sum(len(" ".join(k)) for k in kept)
    for part, keep in zip(parts, kept, strict=True):
        for sentence in part[1:]:
            if used + len(sentence) + 1 > budget:
                break
            keep.append(sentence)
            used += len(sentence) + 1
    return [" ".join(keep) for keep in kept]


def _assemble(blocks: list[str]) -> str:
    return "\n\n".join(block for block in blocks if block)


def short_detail(kb: KnowledgeBase, rec: Recommendation, dose: Dose | None) -> str:
    """The recommendation and its reason, cut between sentences to about SHORT_DETAIL_CHARACTERS."""
    dose_block = "\n".join(dose_line(dose)) if dose is not None and rec.code in TREATMENT_CODES else ""
    sources = f"Sources ({rec.strength}, {rec.evidence_quality} quality): {', '.join(rec.citations)}."
    why_label = "**Why, for this patient:** "
    disclaimer = f"_{kb.disclaimer}_"
    fixed = len(_assemble(["-", why_label, dose_block, sources, disclaimer])) - 1
    statement, why = _fit([sentences(rec.text), sentences(rec.rationale)], fixed, SHORT_DETAIL_CHARACTERS)
    return _assemble([statement, why_label + why, dose_block, sources, disclaimer])


def routine_detail(kb: KnowledgeBase, routine: Sequence[Recommendation], short: bool) -> str:
    """The routine recommendations of one info card: whole, or each by its title and code with as
    much of its first sentence as fits."""
    if not short:
        lines = []
        for rec in routine:
            lines += [f"**{rec.title}** (`{rec.code}`): {rec.text}", "", f"_Why:_ {rec.rationale}", ""]
            lines += [f"_Sources:_ {', '.join(rec.citations)}", ""]
        cited = list(dict.fromkeys(c for r in routine for c in r.citations))
        return "\n".join([*lines, "**References:**", *references(kb, cited), "", f"_{kb.disclaimer}_"])
    heads = [f"- **{rec.title}** (`{rec.code}`)" for rec in routine]
    sources = "Sources: " + ", ".join(dict.fromkeys(c for r in routine for c in r.citations)) + "."
    disclaimer = f"_{kb.disclaimer}_"
    used = len(_assemble(["\n".join(heads), sources, disclaimer]))
    for index, rec in enumerate(routine):
        first = sentences(rec.text)[0]
        if used + len(first) + 2 <= SHORT_DETAIL_CHARACTERS:
            heads[index] += f": {first}"
            used += len(first) + 2
    return _assemble(["\n".join(heads), sources, disclaimer])
