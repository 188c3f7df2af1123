"""A patient's report in the session: the HTML `igcds assess --format html` writes, with a toolbar
(downloads, print) added outside it, and the JSON and Markdown forms for download. Shared by the
upload page and the SMART launch; nothing about the patient goes into the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.domain.record import PatientRecord
from igcds.report import formats
from igcds.web.app import Web

REPORT_KEY = "report"
DOWNLOADS = (("/assess/report.json", "Download JSON"), ("/assess/report.md", "Download Markdown"))
HEAD_LINKS = '<link rel="stylesheet" href="/static/toolbar.css">'
SCRIPTS = '<script src="/static/print.js"></script>'


@dataclass(frozen=True, slots=True)
class StoredReport:
    html: str
    json: str
    markdown: str
    recommendations: int


def assess(web: Web, record: PatientRecord, as_of: date) -> StoredReport:
    return rendered(web, engine.assess(record, as_of, web.policy, web.kb), record.as_known_on(as_of))


def rendered(web: Web, assessment: Assessment, record: PatientRecord | None = None) -> StoredReport:
    """`record` gives the report the patient's identity and the values behind the criteria; a
    population run's stored assessment has none, and its report says less."""
    return StoredReport(
        html=formats.render("html", assessment, web.kb, record=record, policy=web.policy),
        json=formats.render("json", assessment, web.kb),
        markdown=formats.render("markdown", assessment, web.kb, record=record, policy=web.policy),
        recommendations=len(assessment.recommendations),
    )


def with_toolbar(
    page_html: str,
    back: str,
    back_label: str,
    name: str = "Report",
    downloads: tuple[tuple[str, str], ...] = DOWNLOADS,
) -> str:
    """A page igcds writes as one file (the report, the infusion sheet) unchanged between <body>
    and </body>; the toolbar (downloads, print, back) before it, its styles and the print script
    beside it."""
    links = "".join(f'<a href="{href}" download>{label}</a>' for href, label in downloads)
    toolbar = (
        f'<nav class="toolbar" aria-label="{name}">{links}<button type="button" id="print">Print</button>'
        f'<a href="{back}">{back_label}</a></nav>'
    )
    page = page_html.replace("</head>", HEAD_LINKS + "</head>", 1)
    page = page.replace("<body>", "<body>" + toolbar, 1)
    return page.replace("</body>", SCRIPTS + "</body>", 1)
