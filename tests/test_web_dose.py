"""The calculator's form and its print button without a browser: the form reads as `igcds dose`
reads its options (a product implies its route, choices in any case), and the printed infusion
sheet is the page `igcds dose --format html --start` writes for the same figures."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from igcds.web.app import create_web_app
from igcds.web.report_page import with_toolbar
from igcds.web.sessions import style_hashes
from tests.conftest import run_igcds
from tests.web_fixtures import AS_OF, settings

BACK = ("/dose", "Back to the calculator")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_web_app(settings()))


def posted(client: TestClient, path: str, fields: dict[str, str]) -> str:
    page = client.get("/dose").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(path, data={"csrf_token": token.group(1), **fields})
    assert answer.status_code == 200, answer.text
    return answer.text


def shown_dose(client: TestClient, fields: dict[str, str]) -> dict[str, object] | str:
    """The dose the calculator shows (the `igcds dose --format json` object), or its error line."""
    result = posted(client, "/dose/result", fields)
    figures = re.search(r'<script type="application/json" id="dose-figures">(.*?)</script>', result, re.DOTALL)
    if figures is None:
        error = re.search(r'<p class="error" id="dose-error"[^>]*>(.*?)</p>', result, re.DOTALL)
        assert error is not None, result
        return unescape(error.group(1))
    shown: dict[str, object] = json.loads(figures.group(1))
    return shown


def cli_dose(*options: str) -> dict[str, object]:
    done = run_igcds("dose", *options, "--format", "json")
    assert done.code == 0, done.err
    dose: dict[str, object] = json.loads(done.out)["dose"]
    return dose


# (form fields, the same figures as `igcds dose` options)
ROUTE_CASES = [
    ({"weight": "70", "product": "hizentra"}, ["--weight", "70", "--product", "hizentra"]),
    ({"weight": "70", "product": "HIZENTRA"}, ["--weight", "70", "--product", "HIZENTRA"]),
    ({"weight": "70", "product": "Privigen"}, ["--weight", "70", "--product", "Privigen"]),
    (
        {"weight": "58", "age": "30", "sex": "Female", "route": "sc", "product": "Cuvitru", "risk": "Renal"},
        "--weight 58 --age 30 --sex Female --route sc --product Cuvitru --risk Renal".split(),
    ),
    ({"weight": "70", "product": "gamunex-c"}, ["--weight", "70", "--product", "gamunex-c"]),  # IV and SC: IV
    ({"weight": "70"}, ["--weight", "70"]),
]


@pytest.mark.parametrize(("fields", "options"), ROUTE_CASES)
def test_a_product_implies_its_route_and_choices_take_any_case_as_in_igcds_dose(
    client: TestClient, fields: dict[str, str], options: list[str]
) -> None:
    assert shown_dose(client, fields) == cli_dose(*options)


def test_a_route_the_product_is_not_labelled_for_is_the_error_igcds_dose_gives(client: TestClient) -> None:
    done = run_igcds("dose", "--weight", "70", "--product", "hizentra", "--route", "IV")
    assert done.code == 2
    assert (
        shown_dose(client, {"weight": "70", "product": "hizentra", "route": "iv"})
        == "Product: " + done.err.split("--product: ", 1)[1].strip()
    )
    assert shown_dose(client, {"weight": "70", "route": "IM"}) == "Route: 'IM' is not one of IV, SC"


def test_the_form_shows_a_product_and_route_chosen_in_any_case(client: TestClient) -> None:
    page = posted(client, "/dose", {"weight": "70", "product": "HIZENTRA", "route": "sc", "sex": "MALE"})
    assert re.search(r'<option value="hizentra" selected>', page)
    assert re.search(r'<input type="radio" name="route" value="SC" checked>', page)
    assert re.search(r'<option value="male" selected>', page)


# (form fields, `igcds dose` options): IV steps, SC sites, the HyQvia ramp-up, no product
SHEET_CASES = [
    ({"weight": "70", "product": "privigen", "start_time": "08:30"}, ["--weight", "70", "--product", "privigen"]),
    (
        {"weight": "9.8", "age": "1.5", "product": "hizentra", "start_time": "13:05"},
        ["--weight", "9.8", "--age", "1.5", "--product", "hizentra"],
    ),
    (
        {"weight": "70", "age": "40", "product": "hyqvia", "start_time": "23:30"},
        ["--weight", "70", "--age", "40", "--product", "hyqvia"],
    ),
    ({"weight": "14.2", "start_time": "09:00"}, ["--weight", "14.2"]),
]


@pytest.mark.parametrize(("fields", "options"), SHEET_CASES)
def test_the_print_button_gives_the_sheet_of_igcds_dose(
    client: TestClient, fields: dict[str, str], options: list[str]
) -> None:
    start = f"{AS_OF.isoformat()}T{fields['start_time']}"  # the web app's today is AS_OF
    done = run_igcds("dose", *options, "--format", "html", "--start", start)
    assert done.code == 0, done.err
    page = client.get("/dose")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    sheet = client.post("/dose/sheet", data={"csrf_token": token.group(1), **fields})
    assert sheet.status_code == 200
    assert sheet.text == with_toolbar(done.out, *BACK, name="Infusion sheet", downloads=())
    # Its one inline stylesheet is allowed by its hash, nothing else inline.
    assert style_hashes(sheet.content)[0] in sheet.headers["content-security-policy"]
    assert "unsafe-inline" not in sheet.headers["content-security-policy"]
