"""The Assessment as one self-contained HTML file, in the Markdown report's order, styled inline,
with the charts as inline SVG and a data table under each. Nothing is loaded from the network (no
scripts, fonts or images). Printed (A4 or Letter), every page carries the patient's identity, the
as-of date and "page N of M" in its margin (CSS paged media)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from igcds.domain.assessment import Assessment
from igcds.domain.record import PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report import charts, sections, wording
from igcds.report.citations import findable_without_url, references
from igcds.report.dose_text import dose_list
from igcds.report.patient_facts import ReportFacts
from igcds.version import __version__


@cache
def templates(package: str) -> Environment:
    """The Jinja templates under `package`/templates, autoescaped and strict about a missing
    value: the reports' here, the web app's pages (igcds.web)."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def environment() -> Environment:
    return templates("igcds.report")


def css_string(text: str) -> Markup:
    """A CSS string literal for a page-margin box; every character outside plain ASCII letters,
    digits and spaces is escaped, so no name can close the string or the <style> element."""
    escaped = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " .,-") else f"\\{ord(ch):06x}" for ch in text)
    return Markup(f'"{escaped}"')  # noqa: S704 (every character that could end the string is escaped above)


def render(
    assessment: Assessment, kb: KnowledgeBase, record: PatientRecord | None = None, policy: Policy | None = None
) -> str:
    """`record`: the patient's identity and laboratory values; `policy`: display units and trough window."""
    facts = ReportFacts.of(assessment, kb, record, policy)
    timeline = assessment.timeline
    return (
        environment()
        .get_template("assessment.html.j2")
        .render(
            a=assessment,
            facts=facts,
            igcds_version=__version__,
            running_header=css_string(facts.header()),
            priority_label=wording.PRIORITY_LABEL,
            actions=sections.actions(assessment),
            evidence=lambda refs: sections.evidence(facts, refs),
            more_evidence=wording.more_evidence,
            extra_lines=lambda rec: sections.extra_lines(assessment, rec),
            notes=sections.divergences(facts),
            dose_list=dose_list(assessment.dose) if assessment.dose else "",
            trough_chart=charts.trough_chart(timeline, facts.number, facts.units) if timeline else None,
            infection_chart=charts.infection_chart(timeline) if timeline else None,
            infection_rates=wording.infection_rates(timeline) if timeline else "",
            no_troughs=wording.no_troughs(facts.policy.trough.trough_window_days),
            references=references(assessment, kb),
            has_identifier=findable_without_url(assessment, kb),
        )
    )
