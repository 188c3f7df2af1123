"""`igcds assess`: one patient's FHIR Bundle in, the cited plan out as text, JSON, Markdown or HTML."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from igcds.cli.assess_input import far_future_warning, parse_as_of, read_input, refuse_overwriting_input
from igcds.cli.program import OutputFileOption, PolicyOption, emit, guarded, load_policy


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    summary = "summary"


def terminal_has_colour() -> bool:
    """Colour only on a terminal that supports it (https://no-color.org: NO_COLOR turns it off)."""
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM", "") != "dumb"


class DisplayUnits(StrEnum):
    mg_dl = "mg/dL"
    g_l = "g/L"


def assess(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="FHIR R4 Bundle (JSON), or - for stdin.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date YYYY-MM-DD (default: today).")] = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="text (terminal), json (the contract), markdown, html, or summary (one line: diagnosis, "
            "first action, dose).",
        ),
    ] = ReportFormat.text,
    policy_file: PolicyOption = None,
    output: OutputFileOption = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product id for the dose (default: the patient's own, or policy).")
    ] = None,
    units: Annotated[
        DisplayUnits | None,
        typer.Option("--units", help="mg/dL or g/L for IgG, IgA and IgM in reports (default: policy display_units)."),
    ] = None,
) -> None:
    """Assess one patient: diagnosis, work-up, treatment, dose, safety and monitoring, each cited."""

    def run() -> None:
        from dataclasses import replace

        from igcds import engine
        from igcds.fhir import read
        from igcds.knowledge import loader
        from igcds.report import formats

        day = parse_as_of(as_of)
        refuse_overwriting_input(input_path, output)
        policy = load_policy(policy_file)
        if units is not None:
            policy = policy.overridden(display_units=units.value)
        kb = loader.load()
        bundle = read.parse_json(read_input(input_path), "stdin" if input_path == "-" else input_path)
        record = read.read_bundle(bundle, day, kb)
        if product is not None:
            engine.find_product(kb, product)  # an unknown id is an input error before any work
        assessment = engine.assess(record, day, policy, kb, engine.DoseRequest(product))
        future = far_future_warning(day)
        if future is not None:
            assessment = replace(assessment, warnings=(*assessment.warnings, future))
        rendered = formats.render(
            output_format.value,
            assessment,
            kb,
            record=record.as_known_on(day),  # identity and the values behind the criteria, as of that day
            policy=policy,
            colour=output is None and terminal_has_colour(),
        )
        emit(rendered, output)

    guarded(run)
