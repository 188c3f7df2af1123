"""Reports a clinician reads and prints: Markdown against golden files, the HTML parsed (charts
present when the record has the data, a sentence when not, a data table under each chart, nothing
loaded from the network, every citation resolving inside the file), the terminal report at 80
columns with colour only when asked, and the HTML rendered by headless Chromium: a picture that is
not blank, and a printed PDF of at most 5 pages whose every page names the patient."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.domain.record import PatientRecord
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import html, markdown, text
from tests.conftest import ROOT, run_igcds

AS_OF = date(2026, 11, 23)
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_EXAMPLES = ("higm-suspected-boy-on-ivig", "sigmd-recurrent-sinusitis", "insufficient-data")
UPDATE = os.environ.get("IGCDS_UPDATE_GOLDEN") == "1"


IDENTIFIED = {"higm-suspected-boy-on-ivig", "sigmd-recurrent-sinusitis", "sigmd-breakthrough-on-ivig"}
"""Examples given a name and a medical record number here (the example files carry neither)."""


def identified(bundle: dict[str, Any]) -> dict[str, Any]:
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["name"] = [{"use": "official", "family": "Quinn", "given": ["Robin", "Ash"]}]
            entry["resource"]["identifier"] = [
                {"system": "urn:oid:2.999.1", "value": "not-this-one"},
                {
                    "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                    "value": "004217",
                },
            ]
    return bundle


def record_of(kb: KnowledgeBase, name: str) -> PatientRecord:
    bundle = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    return read.read_bundle(identified(bundle) if name in IDENTIFIED else bundle, AS_OF, kb)


def assessed(kb: KnowledgeBase, name: str) -> Assessment:
    return engine.assess(record_of(kb, name), AS_OF, None, kb)


def html_of(kb: KnowledgeBase, name: str) -> str:
    record = record_of(kb, name)
    return html.render(engine.assess(record, AS_OF, None, kb), kb, record=record)


@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
def test_markdown_matches_its_golden_file(kb: KnowledgeBase, name: str) -> None:
    """Regenerate after an intended change with IGCDS_UPDATE_GOLDEN=1 and review the diff."""
    # The knowledge version changes with any data edit; the golden file pins the content instead.
    record = record_of(kb, name)
    assessment = engine.assess(record, AS_OF, None, kb)
    rendered = markdown.render(assessment, kb, record=record).replace(kb.version, "KNOWLEDGE-VERSION")
    golden = GOLDEN / f"{name}.md"
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(kb: KnowledgeBase, name: str) -> tuple[Page, str]:
    page = Page()
    document = html_of(kb, name)
    page.feed(document)
    return page, document


@pytest.mark.parametrize(
    ("name", "troughs", "infusions", "infections"),
    [
        ("higm-suspected-boy-on-ivig", True, True, True),  # troughs, infusions and infections on record
        ("sigmd-breakthrough-on-ivig", False, True, True),  # infusions without a trough: still charted
        ("higm-cd40lg-boy", False, False, True),  # not yet on IgRT: two infections
        ("insufficient-data", False, False, True),
        ("not-igm-deficiency", False, False, False),
    ],
)
def test_charts_appear_with_their_data_and_a_table_beneath(
    kb: KnowledgeBase, name: str, troughs: bool, infusions: bool, infections: bool
) -> None:
    page, _ = parsed(kb, name)
    assert ("chart-trough" in page.ids) is (troughs or infusions)
    assert ("trough-table" in page.ids) is troughs
    assert ("no-trough-chart" in page.ids) is not troughs
    assert ("infusion-table" in page.ids) is infusions
    assert ("chart-infections" in page.ids) is infections
    assert ("infection-table" in page.ids) is infections
    assert ("no-infection-chart" in page.ids) is not infections


def test_charts_read_without_a_mouse(kb: KnowledgeBase) -> None:
    """Values and infection types are printed beside their marks, with a legend; an untreated
    patient's chart has no 'IgRT began' line."""
    _, document = parsed(kb, "higm-suspected-boy-on-ivig")
    trough_svg = document[document.index('<svg id="chart-trough"') :]
    assert '<text x="' in trough_svg
    assert ">420</text>" in trough_svg
    assert "trough below target</text>" in trough_svg
    assert "infusion (height: grams)</text>" in trough_svg
    infection_svg = document[document.index('<svg id="chart-infections"') :]
    assert ">pneumonia</text>" in infection_svg
    assert ">acute sinusitis</text>" in infection_svg
    assert ">life-threatening</text>" in infection_svg
    assert "IgRT began 2024-02-10" in infection_svg
    _, untreated = parsed(kb, "higm-cd40lg-boy")
    assert "chart-infections" in untreated
    assert "IgRT began" not in untreated


def test_trough_chart_draws_every_trough_and_infusion(kb: KnowledgeBase) -> None:
    assessment = assessed(kb, "higm-suspected-boy-on-ivig")
    page = Page()
    page.feed(html_of(kb, "higm-suspected-boy-on-ivig"))
    assert assessment.timeline is not None
    circles = [a for tag, a in page.tags if tag == "circle" and "point" in str(a.get("class"))]
    bars = [a for tag, a in page.tags if tag == "rect" and a.get("class") == "infusion"]
    assert len(circles) == len(assessment.timeline.troughs) + 2  # and the legend's two marks
    assert len(bars) == len(assessment.timeline.infusions) + 1  # and the legend's bar
    assert any(tag == "line" and a.get("class") == "target" for tag, a in page.tags)


@pytest.mark.parametrize("name", ["higm-suspected-boy-on-ivig", "sigmd-breakthrough-on-ivig", "insufficient-data"])
def test_html_is_self_contained(kb: KnowledgeBase, name: str) -> None:
    page, document = parsed(kb, name)
    assert not [tag for tag, _ in page.tags if tag in {"script", "link", "img", "iframe", "object", "embed"}]
    assert not [a for _, a in page.tags if "src" in a]
    assert "@import" not in document
    assert "url(" not in document
    for tag, attributes in page.tags:
        if tag == "a":
            href = str(attributes.get("href"))
            assert href.startswith("#"), href
            assert href[1:] in page.ids, f"dangling link {href}"


def test_html_says_why_and_where_the_evidence_is(kb: KnowledgeBase) -> None:
    """Every recommendation's rationale and every cited reference are in the one file."""
    assessment = assessed(kb, "sigmd-breakthrough-on-ivig")
    page, _ = parsed(kb, "sigmd-breakthrough-on-ivig")
    body = " ".join("".join(page.text).split())
    for rec in assessment.recommendations:
        assert " ".join(rec.rationale.split()) in body
        assert f"rec-{rec.id}" in page.ids
        for ref in rec.citations:
            assert f"ref-{ref}" in page.ids
    assert assessment.disclaimer in body


@pytest.mark.parametrize("example", sorted(p.stem for p in (ROOT / "examples").glob("*.json")))
def test_terminal_report_fits_80_columns(kb: KnowledgeBase, example: str) -> None:
    plain = text.render(assessed(kb, example), kb)
    assert [line for line in plain.splitlines() if len(line) > 80] == []
    assert "\033[" not in plain


def test_terminal_colour_only_when_asked(kb: KnowledgeBase) -> None:
    assert "\033[1;31m" in text.render(assessed(kb, "higm-cd40lg-boy"), kb, colour=True)
    piped = run_igcds("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23")
    assert "\033[" not in piped.out  # not a terminal


@pytest.mark.parametrize("output_format", ["markdown", "html"])
def test_cli_writes_markdown_and_html(tmp_path: Path, output_format: str) -> None:
    target = tmp_path / f"report.{output_format}"
    args = ["assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23", "--format", output_format]
    done = run_igcds(*args, "-o", str(target))
    assert done.code == 0
    content = target.read_text(encoding="utf-8")
    assert "Hyper-IgM syndrome (CD40LG)" in content
    assert "supports, and does not replace, clinical judgement" in content


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: any host lookup fails
    "--window-size=900,1400",
]


def test_html_renders_in_headless_chromium(kb: KnowledgeBase, tmp_path: Path, chromium: str) -> None:
    """The project's setup installs Debian's Chromium (tools/install-debian-tool chromium); a fresh profile."""
    page = tmp_path / "report.html"
    page.write_text(html_of(kb, "higm-suspected-boy-on-ivig"), encoding="utf-8")
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    image = Image.open(shot).convert("L")
    histogram = image.histogram()  # pixel counts by grey level, 0 (black) to 255 (white)
    assert image.size == (900, 1400)
    assert sum(histogram[:200]) > 0.01 * sum(histogram), "the screenshot is blank"
    assert sum(1 for count in histogram if count) > 20, "the screenshot has no text or structure"


def printed(document: str, tmp_path: Path, paper: str) -> PdfReader:
    """The page as Chromium prints it to PDF on `paper` (the printer's size, set as a user would)."""
    page = tmp_path / f"report-{paper}.html"
    page.write_text(document.replace("</head>", f"<style>@page {{ size: {paper}; }}</style></head>"), encoding="utf-8")
    pdf = tmp_path / f"report-{paper}.pdf"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                "chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return PdfReader(pdf)


# The two longest examples, one on each paper size (Letter is shorter, A4 narrower).
@pytest.mark.parametrize(
    ("name", "paper"), [("higm-suspected-boy-on-ivig", "letter"), ("sigmd-breakthrough-on-ivig", "A4")]
)
def test_printed_report_fits_five_pages_and_every_page_names_the_patient(
    kb: KnowledgeBase, tmp_path: Path, name: str, paper: str
) -> None:
    """A loose page two is traceable: name, birth date, MRN and as-of date in its running header."""
    pdf = printed(html_of(kb, name), tmp_path, paper)
    pages = len(pdf.pages)
    assert 2 <= pages <= 5
    second = " ".join(pdf.pages[1].extract_text().split())
    record = record_of(kb, name)
    assert record.birth_date is not None
    for expected in ("Robin Ash Quinn", f"born {record.birth_date.isoformat()}", "MRN 004217", "as of 2026-11-23"):
        assert expected in second.replace(" ·", " · ").replace("· ", "· "), expected
    assert f"page 2 of {pages}" in second


def test_unwritable_output_file_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "report.html"
    done = run_igcds("assess", "examples/higm-cd40lg-boy.json", "--format", "html", "-o", str(target))
    assert done.code == 2
    assert done.err == f"error: {target}: cannot write (No such file or directory)\n"
