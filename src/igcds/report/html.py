"""The Assessment as one self-contained HTML file: the Markdown report's content, styled inline,
with the charts as inline SVG. Nothing is loaded from the network (no scripts, fonts or images),
and it prints cleanly on A4 or Letter."""

from __future__ import annotations

from functools import cache
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from igcds.domain.assessment import Assessment
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import charts, wording
from igcds.report.dose_text import dose_statements
from igcds.report.json_contract import format_reference
from igcds.version import __version__


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("igcds.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _dose_list(assessment: Assessment) -> str:
    """Nested <ul> of the dose statements (IV rate steps in a fixed-width font)."""
    if assessment.dose is None:
        return ""
    html, depth = ['<ul class="dose">'], 0
    for level, sentence in dose_statements(assessment.dose):
        while depth < level:
            html.append("<ul>")
            depth += 1
        while depth > level:
            html.append("</ul>")
            depth -= 1
        kind = ' class="step"' if sentence.startswith("from ") else ""
        html.append(f"<li{kind}>{escape(sentence)}</li>")
    html += ["</ul>"] * (depth + 1)
    return "".join(html)


def render(assessment: Assessment, kb: KnowledgeBase) -> str:
    timeline = assessment.timeline
    references = [
        (ref_id, format_reference(kb.references[ref_id]), kb.references[ref_id].url)
        for ref_id in wording.cited(assessment)
    ]
    return (
        environment()
        .get_template("assessment.html.j2")
        .render(
            a=assessment,
            igcds_version=__version__,
            patient_line=wording.patient_line(assessment),
            priority_label=wording.PRIORITY_LABEL,
            divergence=lambda div_id: wording.divergence_sentence(kb.divergences[div_id]),
            dose_list=_dose_list(assessment),
            trough_chart=charts.trough_chart(timeline) if timeline else None,
            infection_chart=charts.infection_chart(timeline) if timeline else None,
            no_troughs=wording.NO_TROUGHS,
            references=references,
        )
    )
