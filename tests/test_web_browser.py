"""The web app in a real browser: Playwright drives Debian's Chromium (the one `make test`
installs, launched by its path) against `igcds.web` under uvicorn, beside a test EHR (Authlib
authorization server and FHIR endpoint). One browser for the module; each test a fresh context."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from igcds.knowledge.loader import KnowledgeBase
from igcds.web.app import create_web_app
from igcds.web.report_page import with_toolbar
from tests.conftest import run_igcds
from tests.web_fixtures import AS_OF, EXAMPLES, ROOT, population_out, settings
from tests.web_smart_server import CLIENT_ID, LAUNCH_CONTEXT, FakeEhr, Running, example_ehr

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


@dataclass
class Site:
    base: str
    ehr: FakeEhr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Site]:
    ehr = example_ehr(ROOT / "examples" / "higm-cd40lg-boy.json")
    ehr_server = Running(ehr)
    folder = population_out(tmp_path_factory.mktemp("population"), kb)
    web_settings = settings(folder)
    web_settings.smart_client_id = CLIENT_ID
    web_settings.smart_issuers = (f"{ehr.base}/fhir",)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_web_app(web_settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    ehr.redirect_uri = base + "/smart/callback"
    yield Site(base, ehr)
    server.should_exit = True
    thread.join(5)
    ehr_server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(5000)
    errors: list[str] = []
    # Scripts and CSP violations; a page's own 4xx status (a refused upload) is not an error here.
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "the server responded with a status of 4" not in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert not errors, f"browser console errors (a CSP violation?): {errors}"


# ---- the calculator equals `igcds dose` ---------------------------------------------------------

# (form fields, `igcds dose` options, dosing-weight policy)
CASES: list[tuple[dict[str, str], list[str], str]] = [
    ({"weight": "14.2"}, ["--weight", "14.2"], "actual"),  # a 3-year-old starting IVIG
    (
        {"weight": "9.8", "age": "1.5", "product": "hizentra"},  # the product implies SC
        ["--weight", "9.8", "--age", "1.5", "--product", "hizentra"],
        "actual",
    ),
    (
        {"weight": "22", "height": "118", "sex": "female", "age": "6", "product": "gamunex-c"},
        ["--weight", "22", "--height", "118", "--sex", "female", "--age", "6", "--product", "gamunex-c"],
        "australia-nba",
    ),
]
OBESE = {"weight": "100", "height": "175", "sex": "male", "age": "45"}
OBESE_CLI = ["--weight", "100", "--height", "175", "--sex", "male", "--age", "45"]
CASES += [
    (dict(OBESE, product="privigen"), [*OBESE_CLI, "--product", "privigen"], rule)
    for rule in ("actual", "adjusted-if-obese", "australia-nba")
]
CASES += [
    ({"weight": "70", "product": product, "route": "IV"}, ["--weight", "70", "--product", product], "actual")
    for product in ("gammagard-liquid", "privigen", "gamunex-c", "octagam-5", "gammagard-sd")
]
CASES += [
    (
        {"weight": "70", "age": "40", "product": product, "route": "SC"},
        ["--weight", "70", "--age", "40", "--product", product, "--route", "SC"],
        "actual",
    )
    for product in ("gammagard-liquid", "gamunex-c", "hizentra", "cuvitru", "xembify", "cutaquig")
]
CASES += [
    (
        {"weight": "70", "age": "40", "route": "SC", "product": "hyqvia", "interval_weeks": "4"},
        ["--weight", "70", "--age", "40", "--route", "SC", "--product", "hyqvia", "--interval-weeks", "4"],
        "actual",
    ),
    (
        {
            "weight": "64",
            "route": "SC",
            "product": "hizentra",
            "mg_per_kg": "400",
            "interval_weeks": "4",
            "from_iv": "1",
        },
        [
            "--weight",
            "64",
            "--route",
            "SC",
            "--product",
            "hizentra",
            "--mg-per-kg",
            "400",
            "--interval-weeks",
            "4",
            "--from-iv",
        ],
        "actual",
    ),
    (
        {"weight": "80", "product": "privigen", "mg_per_kg": "600", "interval_weeks": "3", "risk": "thrombosis"},
        [
            "--weight",
            "80",
            "--product",
            "privigen",
            "--mg-per-kg",
            "600",
            "--interval-weeks",
            "3",
            "--risk",
            "thrombosis",
        ],
        "actual",
    ),
    (
        {"weight": "58", "age": "30", "route": "SC", "product": "cuvitru", "continuing": "1"},
        ["--weight", "58", "--age", "30", "--route", "SC", "--product", "cuvitru", "--continuing"],
        "actual",
    ),
    (
        {"weight": "120", "height": "160", "sex": "female", "age": "52", "product": "octagam-5", "risk": "renal"},
        [
            "--weight",
            "120",
            "--height",
            "160",
            "--sex",
            "female",
            "--age",
            "52",
            "--product",
            "octagam-5",
            "--risk",
            "renal",
        ],
        "adjusted-if-obese",
    ),
]


def cli_dose(options: list[str], rule: str, tmp_path: Path) -> dict[str, Any]:
    policy = tmp_path / f"{rule}.toml"
    policy.write_text(f'dosing_weight = "{rule}"\n', encoding="utf-8")
    done = run_igcds("dose", *options, "--policy", str(policy), "--format", "json")
    assert done.code == 0, done.err
    dose: dict[str, Any] = json.loads(done.out)["dose"]
    return dose


def fill(page: Page, fields: dict[str, str], rule: str) -> None:
    """As a user would: select and type into each field (the page updates itself)."""
    page.locator("#f-dosing_weight").select_option(rule)
    page.locator(f'input[name=route][value="{fields.get("route", "")}"]').check()
    for name in ("weight", "height", "age", "mg_per_kg", "interval_weeks"):
        page.locator(f"#f-{name}").fill(fields.get(name, ""))
    page.locator("#f-sex").select_option(fields.get("sex", ""))
    page.locator("#f-product").select_option(fields.get("product", ""))
    for box in ("from_iv", "continuing"):
        page.locator(f"input[name={box}]").set_checked(box in fields)
    for risk in ("thrombosis", "renal"):
        page.locator(f"input[name=risk][value={risk}]").set_checked(fields.get("risk") == risk)


SET_FORM = """([fields, rule]) => {
  const form = document.getElementById('dose-form');
  for (const name of ['weight', 'height', 'age', 'mg_per_kg', 'interval_weeks', 'sex', 'product']) {
    form.elements[name].value = fields[name] || '';
  }
  form.elements['dosing_weight'].value = rule;
  for (const radio of form.querySelectorAll('input[name=route]')) {
    radio.checked = radio.value === (fields.route || '');
  }
  for (const name of ['from_iv', 'continuing']) { form.elements[name].checked = name in fields; }
  for (const box of form.querySelectorAll('input[name=risk]')) { box.checked = box.value === fields.risk; }
  form.elements['weight'].dispatchEvent(new Event('input', {bubbles: true}));
}"""


def set_form(page: Page, fields: dict[str, str], rule: str) -> None:
    """All fields at once, then one input event (the many-case comparison; other tests type)."""
    page.evaluate(SET_FORM, [fields, rule])


def settled(page: Page) -> None:
    page.wait_for_function(
        "() => document.getElementById('dose-form').dataset.sent === document.getElementById('result').dataset.shown"
    )


def dose_sentences(page: Page) -> list[str]:
    """The dose statements the calculator shows, each without the statements nested under it."""
    found: list[str] = page.locator("#result ul.dose li").evaluate_all(
        "items => items.map(item => item.firstChild.textContent)"
    )
    return [" ".join(sentence.split()) for sentence in found]


def shown_figures(page: Page) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(page.locator("#dose-figures").text_content() or "null")
    return shown


def test_calculator_gives_the_figures_of_igcds_dose(site: Site, page: Page, tmp_path: Path) -> None:
    assert len(CASES) >= 20
    page.goto(site.base + "/dose")
    for fields, options, rule in CASES:
        set_form(page, fields, rule)
        settled(page)
        expected = cli_dose(options, rule, tmp_path)
        assert shown_figures(page) == expected, (fields, rule)
        # What the reader sees is what `igcds dose` prints: the same sentences, and its pump rates.
        policy = tmp_path / f"{rule}.toml"
        printed = " ".join(run_igcds("dose", *options, "--policy", str(policy)).out.split())
        assert all(sentence in printed for sentence in dose_sentences(page)), (fields, rule)
        rates = page.locator("#rates tr.step td:nth-child(5)").all_inner_texts()
        if expected["iv_infusion"] and expected["volume_ml"]:
            assert rates == [f"{step['ml_h']:g}" for step in expected["iv_infusion"]["steps"]]
        else:  # SC: all sites at once, one row; no product: no rates
            assert len(rates) == (1 if expected["sc_infusion"] else 0)


def test_obese_adult_arithmetic_and_clock_times(site: Site, page: Page) -> None:
    page.goto(site.base + "/dose")
    fill(page, dict(OBESE, product="privigen", start_time=""), "adjusted-if-obese")
    page.locator("#f-start_time").fill("13:30")
    settled(page)
    assert "on 82.3 kg (adjusted)" in dose_sentences(page)[0]
    assert "BMI 32.7" in page.locator("#result").inner_text()
    first_row = page.locator("#rates tbody tr").first.locator("td").all_inner_texts()
    assert first_row[0] == "13:30"
    last = page.locator("#rates tbody tr").last.locator("td").all_inner_texts()
    assert last[-1] == f"{shown_figures(page)['volume_ml']:g}"  # the column adds up to the bag


def test_an_unusable_figure_is_one_message_on_its_field(site: Site, page: Page) -> None:
    page.goto(site.base + "/dose")
    page.locator("#f-weight").fill("-3")
    settled(page)
    assert page.locator("#dose-error").inner_text() == "Weight (kg): must be positive, got -3"
    page.locator("#f-weight").fill("70")
    page.locator("#f-product").select_option("hizentra")  # labelled for SC only: the route follows
    settled(page)
    assert shown_figures(page)["route"] == "SC"
    page.locator("input[name=route][value=IV]").check()  # overruled by hand: the core says why not
    settled(page)
    assert "not labelled for IV use" in page.locator("#dose-error").inner_text()
    assert page.locator("#dose-error").get_attribute("data-field") == "product"


def test_calculator_works_as_a_plain_form_without_scripts(site: Site, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.base + "/dose")
    page.locator("#f-weight").fill("14.2")
    page.locator("#calculate").click()
    page.wait_for_load_state()
    assert page.url == site.base + "/dose"  # posted, not put in the URL
    assert " = 5.68 g;" in dose_sentences(page)[0]
    context.close()


def test_print_button_gives_the_infusion_sheet_on_one_page(site: Site, page: Page) -> None:
    """The sheet's HTML is `igcds dose --format html`'s (tests/test_web_dose.py); here it is
    opened from the button and printed."""
    page.goto(site.base + "/dose")
    fill(page, {"weight": "70", "product": "privigen"}, "actual")
    page.locator("#f-start_time").fill("08:00")
    settled(page)
    with page.context.expect_page() as opened:
        page.locator("#sheet").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    rows = sheet.locator("table.steps tbody tr.step")
    assert rows.count() == page.locator("#rates tbody tr").count()
    assert rows.first.locator("td").first.inner_text() == "08:00"
    assert rows.last.locator("td").last.inner_text() == "300"  # cumulative mL: the whole bag
    assert sheet.locator("table.steps tr.vitals").count() == rows.count() + 1  # each step and the end
    sheet.emulate_media(media="print")
    assert not sheet.locator("nav.toolbar").is_visible()
    pdf = sheet.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "the sheet should print on one page"


def test_keyboard_alone_reaches_every_field_with_visible_focus(site: Site, page: Page) -> None:
    page.goto(site.base + "/dose")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.id || e.name || e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }"
        )
        order.append(focused[0])
        assert focused[1] != "none", f"no visible focus on {focused[0]}"
        assert focused[2] != "0px", f"no visible focus on {focused[0]}"
        if focused[0] == "f-weight":
            page.keyboard.type("14.2")
        if focused[0] == "sheet":
            break
    for field in (
        "f-weight",
        "f-height",
        "f-sex",
        "f-age",
        "f-mg_per_kg",
        "f-interval_weeks",
        "f-product",
        "calculate",
        "sheet",
    ):
        assert field in order
    settled(page)
    assert " = 5.68 g;" in dose_sentences(page)[0]


# ---- the patient report ----------------------------------------------------------------------------


def test_upload_gives_the_report_of_igcds_assess_for_every_example(site: Site, page: Page, tmp_path: Path) -> None:
    for example in EXAMPLES:
        page.goto(site.base + "/assess")
        page.locator("#f-bundle_file").set_input_files(str(example))
        page.locator("#f-as_of").fill(AS_OF.isoformat())
        page.locator("#assess").click()
        page.wait_for_url(site.base + "/assess/report")
        served = page.request.get(site.base + "/assess/report").text()
        expected = run_igcds("assess", str(example), "--as-of", AS_OF.isoformat(), "--format", "html").out
        assert with_toolbar(expected, "/assess", "Assess another patient") == served, example.name
        assert page.locator("nav.toolbar a").first.is_visible()
    with page.expect_download() as download:
        page.locator("a[href='/assess/report.json']").click()
    saved = tmp_path / "report.json"
    download.value.save_as(saved)
    cli_json = run_igcds("assess", str(EXAMPLES[-1]), "--as-of", AS_OF.isoformat(), "--format", "json").out
    assert json.loads(saved.read_text()) == json.loads(cli_json)
    markdown = page.request.get(site.base + "/assess/report.md").text()
    assert markdown == run_igcds("assess", str(EXAMPLES[-1]), "--as-of", AS_OF.isoformat(), "--format", "markdown").out


def test_a_bad_file_is_the_one_line_message(site: Site, page: Page, tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"resourceType": "Patient", "id": "p1"}')
    page.goto(site.base + "/assess")
    page.locator("#f-bundle_file").set_input_files(str(bad))
    page.locator("#assess").click()
    assert page.locator("#assess-error").inner_text() == "input: not a FHIR Bundle (resourceType 'Patient')"
    page.locator("#f-bundle_text").fill("{not json")
    page.locator("#f-bundle_file").set_input_files([])
    page.locator("#assess").click()
    assert page.locator("#assess-error").inner_text().startswith("pasted text: not JSON")


# ---- SMART App Launch ----------------------------------------------------------------------------


def test_smart_ehr_launch_end_to_end(site: Site, page: Page) -> None:
    site.ehr.code_lifetime_seconds = 60
    site.ehr.requests_seen.clear()
    page.goto(f"{site.base}/smart/launch?iss={site.ehr.base}/fhir&launch={LAUNCH_CONTEXT}")
    page.wait_for_url(site.base + "/assess/report")
    assert "patient " + site.ehr.patient in page.locator("h1").first.inner_text().lower()
    assert "Hyper-IgM" in page.locator("body").inner_text() or "hyper-IgM" in page.locator("body").inner_text()
    # The patient's data was read with the prefetch's queries, for the patient in the token.
    assert any(
        seen.startswith(f"/fhir/Observation?patient={site.ehr.patient}&code=") for seen in site.ehr.requests_seen
    )
    assert site.ehr.patient not in page.url


def test_smart_standalone_launch(site: Site, page: Page) -> None:
    site.ehr.code_lifetime_seconds = 60
    page.goto(f"{site.base}/smart/launch?iss={site.ehr.base}/fhir")
    page.wait_for_url(site.base + "/assess/report")
    assert site.ehr.patient in page.locator("h1").first.inner_text()


def test_smart_patient_that_is_not_a_fhir_id_never_reaches_a_url(site: Site, page: Page) -> None:
    """The token's patient goes into the FHIR search URLs: anything but a FHIR id is refused."""
    real, site.ehr.patient = site.ehr.patient, "higm-boy&_include=*"
    site.ehr.requests_seen.clear()
    try:
        page.goto(f"{site.base}/smart/launch?iss={site.ehr.base}/fhir&launch={LAUNCH_CONTEXT}")
        page.wait_for_url(f"{site.base}/smart/callback*")
        assert "not a FHIR id" in page.locator("p.error").inner_text()
        assert not any(seen.startswith("/fhir/Observation") for seen in site.ehr.requests_seen)
    finally:
        site.ehr.patient = real


def test_smart_callback_with_a_wrong_state_is_refused(site: Site, page: Page) -> None:
    page.goto(f"{site.base}/smart/launch?iss={site.ehr.base}/fhir&launch={LAUNCH_CONTEXT}")
    page.wait_for_url(site.base + "/assess/report")
    page.goto(f"{site.base}/smart/callback?code=anything&state=forged")
    assert "does not match a launch from this browser" in page.locator("p.error").inner_text()


def test_smart_expired_code_is_refused(site: Site, page: Page) -> None:
    site.ehr.code_lifetime_seconds = -1  # every code is already expired when igcds exchanges it
    try:
        page.goto(f"{site.base}/smart/launch?iss={site.ehr.base}/fhir&launch={LAUNCH_CONTEXT}")
        page.wait_for_url(f"{site.base}/smart/callback*")
        assert "refused the sign-in (invalid_grant" in page.locator("p.error").inner_text()
    finally:
        site.ehr.code_lifetime_seconds = 60


# ---- the worklist ---------------------------------------------------------------------------------


def test_worklist_filters_sorts_and_opens_a_report(site: Site, page: Page) -> None:
    page.goto(site.base + "/worklist")
    all_rows = page.locator("#worklist tbody tr").count()
    priorities = page.locator("#worklist tbody tr").evaluate_all("rows => rows.map(r => r.dataset.priority)")
    rank = {"critical": 0, "urgent": 1, "routine": 2}
    assert [rank[p] for p in priorities] == sorted(rank[p] for p in priorities)  # critical first
    page.locator("#f-priority").select_option("urgent")
    page.locator("#filter").click()
    assert set(page.locator("#worklist tbody tr").evaluate_all("rows => rows.map(r => r.dataset.priority)")) == {
        "urgent"
    }
    page.goto(site.base + "/worklist")
    page.locator("#f-due_by").fill("2026-11-24")
    page.locator("#filter").click()
    dues = page.locator("#worklist tbody tr td:nth-child(5)").all_inner_texts()
    assert dues
    assert max(dues) <= "2026-11-24"
    assert len(dues) < all_rows
    page.get_by_role("link", name="Patient", exact=True).click()
    patients = page.locator("#worklist tbody th").all_inner_texts()
    assert patients == sorted(patients)
    first = patients[0]
    page.locator("#worklist tbody th a").first.click()
    # The same report `igcds assess` writes, from the run's stored assessment.
    assert page.locator("h1").first.inner_text() == f"igcds assessment: Patient {first}"
    assert page.locator("nav.toolbar a", has_text="Back to the worklist").is_visible()
    assert first not in page.url


# ---- accessibility --------------------------------------------------------------------------------


AXE_RUN = """tags => axe.run(document, {runOnly: tags, resultTypes: ['violations']}).then(
  results => results.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)
)"""
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page: Page, tags: list[str]) -> list[str]:
    """axe-core (the copy axe-playwright-python ships) on the page as it stands."""
    page.evaluate(Axe().axe_script)
    found: list[str] = page.evaluate(AXE_RUN, tags)
    return found


def test_pages_have_no_serious_or_critical_axe_violations(site: Site, page: Page) -> None:
    found: dict[str, list[str]] = {}
    page.goto(site.base + "/dose")
    fill(page, {"weight": "70", "product": "privigen"}, "actual")
    settled(page)
    found["/dose with a result"] = serious_violations(page, [*WCAG_AA, "best-practice"])
    page.locator("#sheet").evaluate("button => button.removeAttribute('formtarget')")  # this tab
    page.locator("#sheet").click()
    page.wait_for_url(site.base + "/dose/sheet")
    found["/dose/sheet"] = serious_violations(page, [*WCAG_AA, "best-practice"])
    page.goto(site.base + "/dose")
    page.locator("#f-weight").fill("-1")
    settled(page)
    found["/dose with an error"] = serious_violations(page, [*WCAG_AA, "best-practice"])
    for path in ("/assess", "/worklist", "/"):
        page.goto(site.base + path)
        found[path] = serious_violations(page, [*WCAG_AA, "best-practice"])
    page.goto(site.base + "/assess")
    page.locator("#f-bundle_file").set_input_files(str(ROOT / "examples" / "higm-cd40lg-boy.json"))
    page.locator("#assess").click()
    page.wait_for_url(site.base + "/assess/report")
    found["/assess/report"] = serious_violations(page, WCAG_AA)
    assert found == {path: [] for path in found}
