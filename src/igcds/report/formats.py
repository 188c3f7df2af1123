"""One door for every caller that renders an assessment (the CLI, the web pages): the format by
name, with the record (identity, laboratory values) and the site policy (display units, trough
window) passed through to the human-readable formats. Renderers are imported only when used."""

from __future__ import annotations

from typing import Literal

from igcds.domain.assessment import Assessment
from igcds.domain.record import PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

Format = Literal["text", "json", "markdown", "html", "summary"]


def render(
    output_format: Format,
    assessment: Assessment,
    kb: KnowledgeBase,
    record: PatientRecord | None = None,
    policy: Policy | None = None,
    colour: bool = False,
) -> str:
    """`colour` applies to text only; JSON is the public contract and takes neither record nor policy."""
    if output_format == "json":
        from igcds.report import json_contract

        return json_contract.render(assessment, kb)
    if output_format == "summary":  # one line per patient, as `make demo` ends
        from igcds.report import summary_line

        return summary_line.render(assessment)
    if output_format == "markdown":
        from igcds.report import markdown

        return markdown.render(assessment, kb, record=record, policy=policy)
    if output_format == "html":
        from igcds.report import html

        return html.render(assessment, kb, record=record, policy=policy)
    from igcds.report import text

    return text.render(assessment, kb, colour=colour, record=record, policy=policy)
