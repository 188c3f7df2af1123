"""The printable infusion sheet (`igcds dose --format html`): the rate steps on the clock with the
volume given so far, a vital-signs row to tick at every step, self-contained, and one A4 page when
headless Chromium prints it."""

from __future__ import annotations

import itertools
import re
import subprocess
import tempfile
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

from igcds import engine
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report.infusion_steps import iv_steps
from tests.conftest import run_igcds

START = datetime(2026, 12, 1, 9, 0)  # noqa: DTZ001 - the ward's wall clock, as the sheet takes it
GAMMAGARD_70_KG = ("dose", "--weight", "70", "--product", "gammagard-liquid", "--format", "html")


class Cells(HTMLParser):
    """Table rows as lists of cell texts, and every external reference (src, href) on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.external: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        self.external += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parsed(page: str) -> Cells:
    cells = Cells()
    cells.feed(page)
    return cells


def test_steps_run_on_the_clock_and_add_up_to_the_dose(kb: KnowledgeBase, policy: Policy) -> None:
    """28 g of Gammagard Liquid at 70 kg: 0.8 -> 1.6 -> 3.2 -> 6.4 -> 8 mg/kg/min every 30 min."""
    dose = engine.dose_for_figures(engine.DoseOrder(70, product="gammagard-liquid"), policy, kb, date(2026, 12, 1))
    assert dose.iv_infusion is not None
    assert dose.volume_ml == 280
    steps = iv_steps(dose.iv_infusion, dose.volume_ml, START)
    assert [s.start.strftime("%H:%M") for s in steps] == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert [s.step_ml for s in steps[:4]] == [16.8, 33.6, 67.2, 134.4]
    assert steps[-1].cumulative_ml == 280
    assert steps[-1].end.strftime("%H:%M") == "11:05"  # total 125 min
    assert all(a.end == b.start for a, b in itertools.pairwise(steps))


def test_cli_sheet_has_a_vitals_row_per_step_and_nothing_from_the_network() -> None:
    done = run_igcds(*GAMMAGARD_70_KG, "--start", "2026-12-01T09:00")
    assert (done.code, done.err) == (0, "")
    page = parsed(done.out)
    steps = [row for row in page.rows if row and row[0].startswith("Step ")]
    vitals = [row for row in page.rows if row and row[0].startswith("Vital signs at")]
    assert [row[1] for row in steps] == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert [row[-1] for row in steps] == ["16.8", "50.4", "117.6", "252", "280"]
    assert len(vitals) == len(steps) + 1  # one at each step and one at the end
    assert all(label in vitals[0][0] for label in ("BP", "Pulse", "Temp", "Resp", "SpO2", "Initials"))
    assert page.external == []
    assert "supports, and does not replace, clinical judgement" in done.out


def test_a_sheet_past_midnight_says_so() -> None:
    done = run_igcds(*GAMMAGARD_70_KG, "--start", "2026-12-01T23:30")
    assert "01:35 (+1 d)" in done.out


def test_a_hyqvia_sheet_dates_the_ramp_up_and_puts_the_hyaluronidase_first() -> None:
    done = run_igcds("dose", "--weight", "70", "--product", "hyqvia", "--format", "html", "--start", "2026-12-01T09:00")
    assert done.code == 0, done.err
    ramp = [row for row in parsed(done.out).rows if row and row[0].isdigit()]
    assert [(row[2], row[3]) for row in ramp] == [
        ("2026-12-01", "6.88 g"),
        ("2026-12-08", "13.75 g"),
        ("2026-12-22", "20.62 g"),
        ("2027-01-12", "27.5 g"),
    ]
    assert "infuse the hyaluronidase first, 13.75 mL" in done.out


def test_without_a_product_the_sheet_says_how_to_get_one() -> None:
    done = run_igcds("dose", "--weight", "70", "--format", "html", "--start", "09:00")
    assert done.code == 0
    assert "No product was chosen" in done.out
    assert "--product ID" in done.out


def test_an_unreadable_start_is_one_line_and_exit_2() -> None:
    done = run_igcds(*GAMMAGARD_70_KG, "--start", "9 o'clock")
    assert (done.code, done.out) == (2, "")
    assert done.err == 'error: --start: not a time (HH:MM or YYYY-MM-DDTHH:MM): "9 o\'clock"\n'


def test_sheet_prints_on_one_a4_page_in_headless_chromium(tmp_path: Path, chromium: str) -> None:
    page = tmp_path / "sheet.html"
    assert run_igcds(*GAMMAGARD_70_KG, "--start", "09:00", "-o", str(page)).code == 0
    pdf, shot = tmp_path / "sheet.pdf", tmp_path / "sheet.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND"]
    for output in (f"--print-to-pdf={pdf}", f"--screenshot={shot}"):
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [chromium, *flags, "--no-pdf-header-footer", "--window-size=900,1300", f"--user-data-dir={profile}",
                 output, page.as_uri()],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    assert re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()) == [b"/Type /Page"], "the sheet should fit one page"
    histogram = Image.open(shot).convert("L").histogram()
    assert sum(histogram[:200]) > 0.01 * sum(histogram), "the screenshot is blank"
