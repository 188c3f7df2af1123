"""The web app without a browser: security headers, sessions and CSRF, no patient data in URLs or
logs, settings, the SMART queries and scopes, and the app served beside the CDS Hooks services."""

from __future__ import annotations

import logging
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from igcds.domain.errors import InputError
from igcds.fhir.queries import patient_queries
from igcds.hooks import services
from igcds.hooks.app import create_app
from igcds.hooks.settings import Settings
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import html
from igcds.web import settings as web_settings
from igcds.web.app import create_web_app
from igcds.web.sessions import style_hashes
from igcds.web.smart_fhir import scopes
from tests.web_fixtures import AS_OF, ROOT, settings

EXAMPLE = ROOT / "examples" / "higm-cd40lg-boy.json"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_web_app(settings()))


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_every_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/dose", "/assess", "/worklist"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'self'"), path
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "<script>" not in response.text  # scripts only from /static
        assert re.findall(r'(?:src|href)="(https?:)?//', response.text) == []  # nothing from elsewhere


def test_a_post_without_the_session_token_is_refused(client: TestClient) -> None:
    fresh = TestClient(create_web_app(settings()))
    refused = fresh.post("/assess", files={"bundle_file": ("b.json", EXAMPLE.read_bytes())}, data={"csrf_token": "x"})
    assert refused.status_code == 403
    assert "expired" in refused.text
    assert "higm-boy" not in refused.text  # nothing of the uploaded record is read or shown
    assert fresh.post("/dose", data={"weight": "70"}).status_code == 403


def test_upload_report_is_the_html_of_igcds_assess_with_nothing_in_the_url(
    client: TestClient, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    token = csrf_of(client.get("/assess").text)
    with caplog.at_level(logging.INFO, logger="igcds"):
        posted = client.post(
            "/assess",
            files={"bundle_file": ("smith-john-mrn123.json", EXAMPLE.read_bytes(), "application/json")},
            data={"csrf_token": token, "as_of": AS_OF.isoformat()},
            follow_redirects=False,
        )
    assert posted.status_code == 303
    assert posted.headers["location"] == "/assess/report"
    page = client.get("/assess/report")
    import json

    from igcds import engine
    from igcds.fhir import read

    record = read.read_bundle(json.loads(EXAMPLE.read_text()), AS_OF, kb)
    policy = engine.default_policy(kb)
    assessed = engine.assess(record, AS_OF, policy, kb)
    expected = html.render(assessed, kb, record=record.as_known_on(AS_OF), policy=policy)
    body = page.text.split('<nav class="toolbar"', 1)[1].split("</nav>", 1)[1]
    assert body.replace('<script src="/static/print.js"></script>', "") == expected.split("<body>", 1)[1]
    # The report's own stylesheet is allowed by its hash, nothing else inline.
    assert style_hashes(page.content)[0] in page.headers["content-security-policy"]
    assert "cd40lg-boy" not in caplog.text
    assert "smith" not in caplog.text
    assert "higm-cd40lg-boy" not in " ".join(r.getMessage() for r in caplog.records)
    assert (
        client.get("/assess/report.json").headers["content-disposition"]
        == 'attachment; filename="igcds-assessment.json"'
    )


def test_upload_errors_are_one_line_and_a_too_large_file_is_refused(tmp_path: Path) -> None:
    small = create_web_app(web_settings.WebSettings(max_upload_mb=0.001, today=lambda: AS_OF))
    client = TestClient(small)
    token = csrf_of(client.get("/assess").text)
    big = client.post("/assess", files={"bundle_file": ("b.json", EXAMPLE.read_bytes())}, data={"csrf_token": token})
    assert big.status_code == 413
    assert "larger than 0.001 MB" in big.text
    bad = client.post("/assess", data={"csrf_token": token, "bundle_text": "[1, 2]"})
    assert bad.status_code == 400
    assert "input: not a FHIR Bundle (resourceType 'list')" in unescape(bad.text)
    assert "Traceback" not in bad.text
    dated = client.post("/assess", data={"csrf_token": token, "bundle_text": "{}", "as_of": "2026-13-01"})
    assert "Assessment date: not a date" in dated.text


def test_smart_reads_the_patient_with_the_cds_hooks_prefetch_queries(kb: KnowledgeBase) -> None:
    templates = services.prefetch_templates(kb)
    filled = {key: query.replace("{{context.patientId}}", "p-42") for key, query in templates.items()}
    assert patient_queries(kb, "p-42") == filled  # what the SMART app reads (web/smart.py)
    kinds = {query.split("/")[0].split("?")[0] for query in filled.values()}
    assert set(scopes(standalone=False).split()[1:]) == {f"patient/{kind}.rs" for kind in kinds}
    assert scopes(standalone=False).split()[0] == "launch"
    assert scopes(standalone=True).split()[0] == "launch/patient"


def test_smart_launch_without_an_issuer_or_from_an_unregistered_one_goes_nowhere() -> None:
    restricted = web_settings.WebSettings(smart_issuers=("https://ehr.example/fhir",), today=lambda: AS_OF)
    client = TestClient(create_web_app(restricted))
    missing = client.get("/smart/launch", follow_redirects=False)
    assert missing.status_code == 400
    assert "names no FHIR server" in missing.text
    other = client.get("/smart/launch?iss=http://169.254.169.254/latest&launch=x", follow_redirects=False)
    assert other.status_code == 403  # not fetched: igcds only talks to registered EHRs
    assert client.get("/smart/callback?code=c&state=s").status_code == 400
    unconfigured = TestClient(create_web_app(web_settings.WebSettings(today=lambda: AS_OF)))
    refused = unconfigured.get("/smart/launch?iss=http://127.0.0.1:9/fhir&launch=x", follow_redirects=False)
    assert refused.status_code == 403  # no registered EHR: no launch, no fetch


def test_settings_file_keys_and_errors(tmp_path: Path) -> None:
    config = tmp_path / "web.toml"
    config.write_text('smart_client_id = "abc"\nsmart_issuers = ["https://ehr/fhir/"]\nworklist_dir = "out"\n')
    loaded = web_settings.load(config, {"dosing_weight": "australia-nba"})
    assert loaded.smart_client_id == "abc"
    assert loaded.smart_issuers == ("https://ehr/fhir",)
    assert loaded.worklist_dir == tmp_path / "out"
    assert loaded.policy_overrides == {"dosing_weight": "australia-nba"}
    config.write_text('session_minutes = "an hour"\n')
    with pytest.raises(InputError, match="session_minutes: must be a number"):
        web_settings.load(config)
    config.write_text("smart_secret = 1\n")
    with pytest.raises(InputError, match="smart_secret: unknown setting"):
        web_settings.load(config)


def test_the_web_app_is_served_beside_the_cds_hooks_services(tmp_path: Path) -> None:
    app = create_app(Settings(insecure_dev=True, feedback_db=str(tmp_path / "feedback.sqlite")))
    client = TestClient(app)
    assert client.get("/cds-services").json()["services"]
    page = client.get("/dose")
    assert page.status_code == 200
    assert "Immunoglobulin dose calculator" in page.text
    assert client.get("/static/dose.js").headers["content-type"].startswith("text/javascript")


def test_worklist_without_a_population_run_says_how_to_set_it_up(client: TestClient) -> None:
    page = client.get("/worklist")
    assert page.status_code == 404
    assert "worklist_dir" in page.text


def test_the_settings_example_in_docs_loads(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "web.toml"
    config.write_text(example, encoding="utf-8")
    loaded = web_settings.load(config)
    assert loaded.smart_issuers == ("https://ehr.example.org/fhir",)
    assert loaded.worklist_dir == tmp_path / "population-2026-11"


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_a_stored_assessment_reads_back_to_the_same_report(kb: KnowledgeBase, example: Path) -> None:
    """The worklist shows a population run's assessment through the same HTML renderer."""
    import json

    from igcds import engine
    from igcds.fhir import read
    from igcds.report import json_contract
    from igcds.web.stored_assessment import from_contract

    assessment = engine.assess(read.read_bundle(json.loads(example.read_text()), AS_OF, kb), AS_OF, kb=kb)
    line = json_contract.render(assessment, kb)
    assert from_contract(json.loads(line)) == assessment
    assert html.render(from_contract(json.loads(line)), kb) == html.render(assessment, kb)


def test_a_line_of_another_schema_is_not_read() -> None:
    from igcds.web.stored_assessment import NotAnAssessment, from_contract

    with pytest.raises(NotAnAssessment, match="schema"):
        from_contract({"schema": "igcds.assessment/2"})
    with pytest.raises(NotAnAssessment):
        from_contract({"schema": "igcds.assessment/1", "as_of": "2026-11-23"})


def test_a_large_worklist_is_shown_a_page_at_a_time_and_reread_when_the_run_changes(tmp_path: Path) -> None:
    import csv

    from tests.web_fixtures import WORKLIST_COLUMNS

    def write(count: int) -> None:
        with (tmp_path / "worklist.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=WORKLIST_COLUMNS)
            writer.writeheader()
            for n in range(count):
                row = dict.fromkeys(WORKLIST_COLUMNS, "x")
                writer.writerow(row | {"patient": f"p{n:03d}", "priority": "routine", "due_date": "2026-11-23"})

    write(250)
    (tmp_path / "assessments.ndjson").write_text("")
    client = TestClient(create_web_app(settings(tmp_path)))
    first = client.get("/worklist?sort=patient")
    assert first.text.count('<tr data-priority="routine">') == 100
    assert "250 of 250 actions match; showing 1–100" in re.sub(r"<[^>]+>", "", first.text)
    last = client.get("/worklist?sort=patient&page=3")
    assert last.text.count('<tr data-priority="routine">') == 50
    assert ">p249<" in last.text
    assert "Next page" not in last.text
    write(120)
    assert "120 of 120 actions match" in client.get("/worklist").text
