"""The HTTP contract: 400 for a malformed call (never a 500), 404 for an unknown service, size
limits (431 headers, 413 bodies, 400 feedback floods), CORS for the configured origin only, and
development mode saying so in every log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from igcds.hooks.settings import Limits
from tests.fixtures import builder as b
from tests.fixtures.hooks import example_resources, full_prefetch, hook_request, make_client, outcome_text

PATIENT_VIEW = "/cds-services/igcds-patient-view"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as client:
        yield client


AUTHORIZATION_WITHOUT_SERVER = {
    "hook": "patient-view",
    "hookInstance": "1",
    "context": {"patientId": "p"},
    "fhirAuthorization": {"access_token": "t", "token_type": "Bearer", "expires_in": 30, "scope": "s", "subject": "c"},
}


def _envelope(**fields: object) -> bytes:
    return json.dumps({"hook": "patient-view", "hookInstance": "1", "context": {"patientId": "p"}} | fields).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b'"a string"', "request"),
        (json.dumps({"hook": "patient-view", "context": {"patientId": "p"}}).encode(), "hookInstance"),
        (json.dumps({"hook": "patient-view", "hookInstance": "1", "context": {}}).encode(), "context.patientId"),
        (_envelope(context={"patientId": ["p"]}), "patientId"),
        (_envelope(hook=["patient-view"]), "hook"),
        (_envelope(hook="order-sign"), "answers patient-view"),
        (_envelope(prefetch=[1]), "prefetch"),
        (json.dumps(AUTHORIZATION_WITHOUT_SERVER).encode(), "fhirServer is required"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"hook": "patient-view", "hookInstance": "\\ud800", "context": {"patientId": "p"}}', "surrogate"),
    ],
)  # fmt: skip
def test_malformed_requests_are_400(client: TestClient, body: bytes, message: str) -> None:
    answer = client.post(PATIENT_VIEW, content=body, headers={"Content-Type": "application/json"})
    assert message in outcome_text(answer, 400)


def _prefetch_with(key: str, value: object) -> dict[str, object]:
    prefetch = full_prefetch(example_resources("sigmd-asymptomatic"))
    prefetch[key] = value
    return prefetch


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("observations", "x", "prefetch observations is not a FHIR resource or Bundle"),
        ("observations", {"entry": []}, "not a FHIR resource or Bundle"),
        ("observations", {"resourceType": "Bundle", "entry": {"resource": {}}}, "entry is not a list"),
        ("observations", {"resourceType": "Bundle", "link": "x"}, "link is not a list"),
        ("observations", {"resourceType": "Bundle", "link": [{"relation": "next", "url": 7}]}, "next has no url"),
    ],
)
def test_malformed_prefetch_is_400(client: TestClient, key: str, value: object, message: str) -> None:
    request = hook_request("patient-view", "sigmd-observe", _prefetch_with(key, value))
    assert message in outcome_text(client.post(PATIENT_VIEW, json=request), 400)


def test_a_prefetch_bundle_with_a_null_link_is_read(client: TestClient) -> None:
    request = hook_request(
        "patient-view", "sigmd-observe", _prefetch_with("conditions", {"resourceType": "Bundle", "link": None})
    )
    assert client.post(PATIENT_VIEW, json=request).status_code == 200


def test_a_prefetch_resource_without_resource_type_is_passed_over(client: TestClient) -> None:
    bundle = {"resourceType": "Bundle", "entry": [{"resource": {"id": "c1", "code": {"text": "x"}}}]}
    request = hook_request("patient-view", "sigmd-observe", _prefetch_with("conditions", bundle))
    assert client.post(PATIENT_VIEW, json=request).status_code == 200


def test_a_deeply_nested_draft_order_is_400(client: TestClient) -> None:
    nested: dict[str, object] = {"resourceType": "MedicationRequest", "status": "draft"}
    inner = nested
    for _ in range(200):
        inner["extension"] = [{"url": "x"}]
        inner = inner["extension"][0]  # type: ignore[index]
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    drafts = {"resourceType": "Bundle", "entry": [{"resource": nested}]}
    request = hook_request("order-sign", "p1", prefetch, context={"draftOrders": drafts})
    assert "nested more than" in outcome_text(client.post("/cds-services/igcds-order-sign", json=request), 400)


def test_unknown_service_is_404(client: TestClient) -> None:
    assert "no CDS service" in outcome_text(client.post("/cds-services/nope", json={}), 404)
    assert "no CDS service" in outcome_text(client.post("/cds-services/nope/feedback", json={}), 404)


def test_oversized_headers_are_431(tmp_path: Path) -> None:
    with make_client(tmp_path, limits=Limits(max_header_bytes=4096)) as client:
        answer = client.get("/cds-services", headers={"X-Padding": "x" * 5000})
        assert "headers over 4096 bytes" in outcome_text(answer, 431)
        assert client.get("/cds-services", headers={"X-Padding": "x" * 1000}).status_code == 200


def test_an_oversized_body_is_413_before_it_is_read(tmp_path: Path) -> None:
    with make_client(tmp_path, limits=Limits(max_body_bytes=1000)) as client:
        declared = client.post(PATIENT_VIEW, content=b" " * 2000, headers={"Content-Type": "application/json"})
        assert "body over 1000 bytes" in outcome_text(declared, 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            yield b" " * 800
            yield b" " * 800

        streamed = client.post(PATIENT_VIEW, content=chunks(), headers={"Content-Type": "application/json"})
        assert "body over 1000 bytes" in outcome_text(streamed, 413)


def test_a_feedback_flood_is_400_and_nothing_is_stored(tmp_path: Path) -> None:
    entry = {"card": "c", "outcome": "overridden", "overrideReason": {"userComment": "x"}, "outcomeTimestamp": "t"}
    with make_client(tmp_path, limits=Limits(max_feedback_entries=3)) as client:
        flood = client.post("/cds-services/igcds-patient-view/feedback", json={"feedback": [entry] * 4})
        assert "more than 3 outcomes" in outcome_text(flood, 400)
        assert client.post("/cds-services/igcds-patient-view/feedback", json={"feedback": [entry] * 3}).json() == {
            "stored": 3
        }


def test_dev_mode_says_so_in_every_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="igcds.hooks"), make_client(tmp_path) as client:
        client.post(PATIENT_VIEW, json=hook_request("patient-view", "p1", None))
    lines = [r.getMessage() for r in caplog.records if r.name == "igcds.hooks"]
    assert lines
    assert all("INSECURE DEV MODE" in line for line in lines)


def test_cors_for_the_configured_sandbox_origin(tmp_path: Path) -> None:
    with make_client(tmp_path, cors_origins=("https://sandbox.cds-hooks.org",)) as client:
        preflight = client.options(
            "/cds-services",
            headers={"Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://sandbox.cds-hooks.org"
        other = client.get("/cds-services", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_a_lone_surrogate_in_a_draft_id_is_400_not_a_500(client: TestClient) -> None:
    """The draft's id would be echoed in the stop's delete suggestion, and cannot be encoded."""
    resources = example_resources("higm-cd40lg-boy")
    mmr = next(r for r in resources if r.get("id") == "mmr-order") | {"id": "\ud800"}
    prefetch = full_prefetch([r for r in resources if r.get("id") != "mmr-order"])
    drafts = {"resourceType": "Bundle", "entry": [{"resource": mmr}]}
    raw = json.dumps(hook_request("order-sign", "higm-boy", prefetch, context={"draftOrders": drafts}))
    answer = client.post("/cds-services/igcds-order-sign", content=raw, headers={"Content-Type": "application/json"})
    assert "surrogate" in outcome_text(answer, 400)
