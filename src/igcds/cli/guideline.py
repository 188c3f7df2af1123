"""`igcds guideline`: a condition's treatment guideline rendered from the knowledge base."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from igcds.cli.program import OutputFileOption, emit, guarded


class GuidelineName(StrEnum):
    igm_deficiency = "igm-deficiency"
    hyper_igm = "hyper-igm"


class DocumentFormat(StrEnum):
    markdown = "markdown"
    html = "html"


def guideline(
    name: Annotated[GuidelineName, typer.Argument(help="igm-deficiency or hyper-igm.")],
    output_format: Annotated[DocumentFormat, typer.Option("--format", help="markdown or html.")] = (
        DocumentFormat.markdown
    ),
    output: OutputFileOption = None,
) -> None:
    """The condition's treatment guideline from the knowledge base, every statement cited, with
    where it differs from the source document."""

    def run() -> None:
        from igcds.knowledge import loader
        from igcds.report import guideline as document

        kb = loader.load()
        render = document.html if output_format is DocumentFormat.html else document.markdown
        rendered = render(kb, name.value)
        emit(rendered, output)

    guarded(run)
