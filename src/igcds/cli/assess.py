"""`igcds assess`: one patient's FHIR Bundle in, the cited plan out as text, JSON, Markdown or HTML."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from igcds.cli.program import OutputFileOption, PolicyOption, emit, guarded, load_policy, parse_as_of, read_input

if TYPE_CHECKING:
    from igcds.domain.assessment import Assessment
    from igcds.knowledge.loader import KnowledgeBase


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


def terminal_has_colour() -> bool:
    """Colour only on a terminal that supports it (https://no-color.org: NO_COLOR turns it off)."""
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM", "") != "dumb"


def render_assessment(
    assessment: Assessment, kb: KnowledgeBase, output_format: ReportFormat, colour: bool = False
) -> str:
    if output_format is ReportFormat.json:
        from igcds.report import json_contract

        return json_contract.render(assessment, kb)
    if output_format is ReportFormat.markdown:
        from igcds.report import markdown

        return markdown.render(assessment, kb)
    if output_format is ReportFormat.html:
        from igcds.report import html

        return html.render(assessment, kb)
    from igcds.report import text

    return text.render(assessment, kb, colour=colour)


def assess(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="FHIR R4 Bundle (JSON), or - for stdin.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date YYYY-MM-DD (default: today).")] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (terminal), json (the contract), markdown or html.")
    ] = ReportFormat.text,
    policy_file: PolicyOption = None,
    output: OutputFileOption = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product id for the dose (default: the patient's own, or policy).")
    ] = None,
) -> None:
    """Assess one patient: diagnosis, work-up, treatment, dose, safety and monitoring, each cited."""

    def run() -> None:
        from igcds import engine
        from igcds.fhir import read
        from igcds.knowledge import loader

        day = parse_as_of(as_of)
        policy = load_policy(policy_file)
        kb = loader.load()
        bundle = read.parse_json(read_input(input_path), "stdin" if input_path == "-" else input_path)
        record = read.read_bundle(bundle, day, kb)
        if product is not None:
            engine.find_product(kb, product)  # an unknown id is an input error before any work
        assessment = engine.assess(record, day, policy, kb, engine.DoseRequest(product))
        rendered = render_assessment(assessment, kb, output_format, colour=output is None and terminal_has_colour())
        emit(rendered, output)

    guarded(run)
