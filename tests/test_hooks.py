"""The CDS Hooks 2.0 service: discovery, the request matrix (prefetch states, FHIR fallback with the
bearer token, 400/404/412), one test per response and feedback invariant, client JWT checks,
order-sign stops and suggestions, feedback storage, dev mode, CORS, and a fuzz that finds no 500."""

from __future__ import annotations

import copy
import json
import logging
import sqlite3
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igcds.hooks import services
from igcds.hooks.app import create_app
from igcds.hooks.models import Card
from igcds.hooks.security import TrustedClient
from igcds.hooks.settings import Settings
from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)
BASE = "http://testserver"
FHIR = "https://ehr.example.org/fhir"
TOKEN = "ehr-access-token-123"  # noqa: S105 - a test token for the mock FHIR server


def example_resources(name: str) -> list[dict[str, Any]]:
    bundle = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    return [entry["resource"] for entry in bundle["entry"]]


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def full_prefetch(resources: list[dict[str, Any]]) -> dict[str, Any]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)
    return {
        "patient": by_type["Patient"][0],
        "observations": searchset(by_type.get("Observation", [])),
        "conditions": searchset(by_type.get("Condition", [])),
        "medicationRequests": searchset(by_type.get("MedicationRequest", [])),
        "medicationStatements": searchset(by_type.get("MedicationStatement", [])),
        "medicationAdministrations": searchset(by_type.get("MedicationAdministration", [])),
        "immunizations": searchset(by_type.get("Immunization", [])),
        "allergies": searchset(by_type.get("AllergyIntolerance", []) + by_type.get("AdverseEvent", [])),
    }


def hook_request(hook: str, patient_id: str, prefetch: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/dr-1", "patientId": patient_id, **extra.pop("context", {})},
        **extra,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


class FhirServer:
    """A mock FHIR server: answers searches from a resource list and records each request."""

    def __init__(self, resources: list[dict[str, Any]], status: int = 200, fail: bool = False) -> None:
        self.resources, self.status, self.fail = resources, status, fail
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail:
            raise httpx.ConnectTimeout("timed out", request=request)
        if self.status != 200:
            return httpx.Response(self.status, json={"resourceType": "OperationOutcome"})
        path = request.url.path.removeprefix("/fhir/")
        kind, _, rid = path.partition("/")
        found = [r for r in self.resources if r["resourceType"] == kind and (not rid or r.get("id") == rid)]
        if rid:
            return httpx.Response(200, json=found[0]) if found else httpx.Response(404, json={})
        return httpx.Response(200, json=searchset(found))


def make_client(tmp_path: Path, fhir: FhirServer | None = None, **options: Any) -> TestClient:
    config = Settings(
        insecure_dev=options.pop("insecure_dev", True),
        feedback_db=str(tmp_path / "feedback.sqlite"),
        today=lambda: AS_OF,
        fhir_transport=httpx.MockTransport(fhir) if fhir else None,
        **options,
    )
    return TestClient(create_app(config), base_url=BASE)


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return make_client(tmp_path)


# --- discovery ---------------------------------------------------------------------------------


def test_discovery_lists_the_three_services_with_prefetch(client: TestClient, kb: KnowledgeBase) -> None:
    found = client.get("/cds-services")
    assert found.status_code == 200
    listed = {s["id"]: s for s in found.json()["services"]}
    assert {s["hook"] for s in listed.values()} == {"patient-view", "order-select", "order-sign"}
    for service in listed.values():
        assert service["title"]
        assert service["description"]
        assert service["prefetch"] == services.prefetch_templates(kb)


def test_prefetch_templates_keep_to_the_query_restrictions(kb: KnowledgeBase) -> None:
    """Instance reads and type searches with reference and token parameters only."""
    for template in services.prefetch_templates(kb).values():
        kind, _, query = template.partition("?")
        assert "{{context.patientId}}" in template
        for parameter in filter(None, query.split("&")):
            assert parameter.split("=")[0] in {"patient", "code"}, template
        assert kind.split("/")[0][0].isupper()


# --- responses and their invariants ----------------------------------------------------------------

EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.json"))


def _no_nulls(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v is not None and _no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls(v) for v in value)
    return True


@pytest.mark.parametrize("example", EXAMPLES)
def test_patient_view_cards_keep_every_card_invariant(client: TestClient, example: str) -> None:
    resources = example_resources(example)
    patient_id = resources[0]["id"]
    answer = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", patient_id, full_prefetch(resources))
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"cards"}
    assert _no_nulls(body), "optional keys are left out, never null"
    uuids = []
    for raw in body["cards"]:
        card = Card.model_validate(raw)  # uuid, summary < 140, indicator, source, cds-resp-1..6
        uuids.append(card.uuid)
        assert len(card.summary) < 140
        assert card.indicator in {"info", "warning", "critical"}
        assert card.source.label.startswith("igcds")
        assert card.detail
        assert "does not replace, clinical judgement" in card.detail
        for suggestion in card.suggestions or []:
            assert card.selectionBehavior in {"at-most-one", "any"}  # cds-resp-6
            for action in suggestion.actions:
                assert action.description  # cds-resp-5
                if action.type == "delete":
                    assert action.resourceId
                    assert action.resource is None
                else:
                    assert action.resource
                    assert action.resource.get("resourceType")
        if card.selectionBehavior == "at-most-one":
            assert sum(bool(s.isRecommended) for s in card.suggestions or []) <= 1  # cds-resp-1
        assert all(reason.display for reason in card.overrideReasons or [])  # cds-resp-4
    assert len(set(uuids)) == len(uuids)


def test_critical_is_kept_for_safety_stops(client: TestClient) -> None:
    """The boy with X-linked hyper-IgM: starting IgRT is critical in igcds, but a card is critical
    only for a patient-safety stop; here none (no live-vaccine order in the record)."""
    resources = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    body = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "higm-boy", full_prefetch(resources))
    ).json()
    assert {c["indicator"] for c in body["cards"]} <= {"info", "warning"}


def test_pneumocystis_prophylaxis_missing_suggests_a_tmp_smx_order(client: TestClient) -> None:
    resources = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    body = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "higm-boy", full_prefetch(resources))
    ).json()
    card = next(c for c in body["cards"] if c["summary"] == "igcds: Start Pneumocystis prophylaxis")
    action = card["suggestions"][0]["actions"][0]
    assert action["type"] == "create"
    order = action["resource"]
    assert (order["resourceType"], order["status"], order["subject"]) == (
        "MedicationRequest",
        "draft",
        {"reference": "Patient/higm-boy"},
    )
    assert "150 mg/m2" in order["dosageInstruction"][0]["text"]  # a 3-year-old: the child regimen
    assert card["selectionBehavior"] == "at-most-one"


def test_order_sign_mmr_for_hyper_igm_is_a_critical_stop_with_a_delete(client: TestClient) -> None:
    resources = example_resources("higm-cd40lg-boy")
    mmr = next(r for r in resources if r.get("id") == "mmr-order")
    record = [r for r in resources if r is not mmr]
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": mmr}]}
    request = hook_request("order-sign", "higm-boy", full_prefetch(record), context={"draftOrders": drafts})
    body = client.post("/cds-services/igcds-order-sign", json=request).json()
    assert len(body["cards"]) == 1
    card = body["cards"][0]
    assert card["indicator"] == "critical"
    assert card["selectionBehavior"] == "at-most-one"
    assert card["suggestions"][0]["actions"] == [
        {
            "type": "delete",
            "description": "Delete the draft order MedicationRequest/mmr-order",
            "resourceId": "MedicationRequest/mmr-order",
        }
    ]


def _ivig_draft(grams: float) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-ivig-1",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": "Immune globulin (human) 10% IV"},
        "subject": {"reference": "Patient/higm-boy"},
        "dosageInstruction": [
            {
                "doseAndRate": [
                    {"doseQuantity": {"value": grams, "unit": "g", "system": "http://unitsofmeasure.org", "code": "g"}}
                ]
            }
        ],
    }


@pytest.mark.parametrize(("grams", "card_expected"), [(20, True), (6, False), (5.5, False), (4, True)])
def test_order_sign_checks_a_draft_immune_globulin_dose(client: TestClient, grams: float, card_expected: bool) -> None:
    """The 14.2 kg boy: igcds computes 400 mg/kg = 5.68 g, dispensed as 6 g. 20 g (1408 mg/kg) is
    above the ceiling; 4 g is 33% below; 5.5 and 6 g are within the 10% tolerance."""
    record = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": _ivig_draft(grams)}]}
    request = hook_request("order-sign", "higm-boy", full_prefetch(record), context={"draftOrders": drafts})
    cards = client.post("/cds-services/igcds-order-sign", json=request).json()["cards"]
    assert bool(cards) is card_expected
    if card_expected:
        action = cards[0]["suggestions"][0]["actions"][0]
        assert action["type"] == "update"
        assert action["resource"]["id"] == "draft-ivig-1"
        assert action["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 6
        assert action["resource"]["medicationCodeableConcept"] == _ivig_draft(grams)["medicationCodeableConcept"]
        assert cards[0]["indicator"] == "warning"


# --- the HTTP matrix ----------------------------------------------------------------------------------


def _outcome(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return str(body["issue"][0]["diagnostics"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b'"a string"', "request"),
        (json.dumps({"hook": "patient-view", "context": {"patientId": "p"}}).encode(), "hookInstance"),
        (json.dumps({"hook": "patient-view", "hookInstance": "1", "context": {}}).encode(), "context.patientId"),
        (
            json.dumps({"hook": "order-sign", "hookInstance": "1", "context": {"patientId": "p"}}).encode(),
            "answers patient-view",
        ),
        (
            json.dumps(
                {
                    "hook": "patient-view",
                    "hookInstance": "1",
                    "context": {"patientId": "p"},
                    "fhirAuthorization": {
                        "access_token": "t",
                        "token_type": "Bearer",
                        "expires_in": 30,
                        "scope": "s",
                        "subject": "c",
                    },
                }
            ).encode(),
            "fhirServer is required",
        ),
    ],
)
def test_malformed_requests_are_400(client: TestClient, body: bytes, message: str) -> None:
    answer = client.post("/cds-services/igcds-patient-view", content=body, headers={"Content-Type": "application/json"})
    assert message in _outcome(answer, 400)


def test_unknown_service_is_404(client: TestClient) -> None:
    assert "no CDS service" in _outcome(client.post("/cds-services/nope", json={}), 404)
    assert "no CDS service" in _outcome(client.post("/cds-services/nope/feedback", json={}), 404)


def test_full_prefetch_needs_no_fhir_server(tmp_path: Path) -> None:
    fhir = FhirServer([])
    client = make_client(tmp_path, fhir)
    resources = example_resources("sigmd-recurrent-sinusitis")
    answer = client.post(
        "/cds-services/igcds-patient-view",
        json=hook_request("patient-view", resources[0]["id"], full_prefetch(resources), fhirServer=FHIR),
    )
    assert answer.status_code == 200
    assert fhir.requests == []


@pytest.mark.parametrize("state", ["missing", "operation-outcome"])
def test_missing_or_failed_prefetch_is_fetched_with_the_bearer_token(tmp_path: Path, state: str) -> None:
    resources = example_resources("higm-aicda-woman-on-scig")
    fhir = FhirServer(resources)
    client = make_client(tmp_path, fhir)
    prefetch = full_prefetch(resources)
    if state == "missing":
        del prefetch["observations"]
    else:
        prefetch["observations"] = {"resourceType": "OperationOutcome", "issue": []}
    request = hook_request(
        "patient-view",
        "higm-aicda",
        prefetch,
        fhirServer=FHIR,
        fhirAuthorization={
            "access_token": TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "igcds",
        },
    )
    answer = client.post("/cds-services/igcds-patient-view", json=request)
    assert answer.status_code == 200
    assert [r.url.path for r in fhir.requests] == ["/fhir/Observation"]
    assert fhir.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert fhir.requests[0].url.params["patient"] == "higm-aicda"
    # The fetched observations (immunoglobulins, the AICDA variant, the trough) carry the assessment.
    assert any("treatment.igrt-continue" in c.get("detail", "") for c in answer.json()["cards"])


def test_null_prefetch_means_nothing_found_and_is_not_fetched(tmp_path: Path) -> None:
    fhir = FhirServer([])
    client = make_client(tmp_path, fhir)
    resources = example_resources("sigmd-asymptomatic")
    prefetch = {key: None for key in full_prefetch(resources)} | {"patient": resources[0]}
    answer = client.post(
        "/cds-services/igcds-patient-view",
        json=hook_request("patient-view", "sigmd-observe", prefetch, fhirServer=FHIR),
    )
    assert answer.status_code == 200
    assert fhir.requests == []


@pytest.mark.parametrize(
    ("fhir", "server", "message"),
    [
        (None, None, "names no fhirServer"),
        (FhirServer([], status=500), FHIR, "answered 500"),
        (FhirServer([], fail=True), FHIR, "unreachable"),
        (FhirServer([]), FHIR, "no Patient resource"),
    ],
)
def test_data_that_cannot_be_had_is_412(
    tmp_path: Path, fhir: FhirServer | None, server: str | None, message: str
) -> None:
    client = make_client(tmp_path, fhir)
    extra = {"fhirServer": server} if server else {}
    answer = client.post("/cds-services/igcds-patient-view", json=hook_request("patient-view", "p1", None, **extra))
    assert message in _outcome(answer, 412)


def test_an_unreadable_record_gets_a_card_that_says_so(client: TestClient) -> None:
    resources = example_resources("sigmd-asymptomatic")
    resources.append(b.weight("w-bad", 11, "2026-01-01", unit="stone"))
    answer = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "sigmd-observe", full_prefetch(resources))
    )
    cards = answer.json()["cards"]
    assert answer.status_code == 200
    assert cards[0]["summary"] == "igcds could not read this record, so it gives no advice"
    assert "Observation/w-bad" in cards[0]["detail"]


# --- feedback -----------------------------------------------------------------------------------------


def test_feedback_is_stored_without_clinical_text(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    feedback = {
        "feedback": [
            {
                "card": "card-1",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "sug-1"}],
                "outcomeTimestamp": "2026-11-23T10:00:00Z",
            },
            {
                "card": "card-2",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "system": "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes",
                        "code": "patient-refuses",
                    },
                    "userComment": "mother declines, see note about her son",
                },
                "outcomeTimestamp": "2026-11-23T10:01:00Z",
            },
        ]
    }
    answer = client.post("/cds-services/igcds-patient-view/feedback", json=feedback)
    assert answer.status_code == 200
    rows = (
        sqlite3.connect(tmp_path / "feedback.sqlite")
        .execute(
            "SELECT card_uuid, outcome, accepted_suggestions, override_code, has_user_comment FROM feedback ORDER BY id"
        )
        .fetchall()
    )
    assert rows == [("card-1", "accepted", '["sug-1"]', None, 0), ("card-2", "overridden", None, "patient-refuses", 1)]
    dump = "\n".join(sqlite3.connect(tmp_path / "feedback.sqlite").iterdump())
    assert "mother" not in dump


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"card": "c", "outcome": "accepted", "outcomeTimestamp": "t"}, "acceptedSuggestions"),  # cds-fb-2
        ({"card": "c", "outcome": "overridden", "overrideReason": {}, "outcomeTimestamp": "t"}, "reason"),  # cds-fb-3
        ({"card": "c", "outcome": "ignored", "outcomeTimestamp": "t"}, "outcome"),  # cds-fb-1
    ],
)
def test_feedback_invariants(client: TestClient, entry: dict[str, Any], message: str) -> None:
    answer = client.post("/cds-services/igcds-order-sign/feedback", json={"feedback": [entry]})
    assert message in _outcome(answer, 400)


# --- client authentication --------------------------------------------------------------------------

ISS = "https://ehr.example.org"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())


def _jwks() -> dict[str, Any]:
    """The client's public JWK Set, as it would be exchanged out of band."""
    keys = []
    for kid, key, alg in (("rsa-1", RSA_KEY, "RS384"), ("ec-1", EC_KEY, "ES384")):
        public = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
        keys.append(public | {"kid": kid, "alg": alg, "use": "sig"})
    return {"keys": keys}


def _token(aud: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    headers = {"kid": changes.pop("kid", "rsa-1"), "typ": "JWT"} | changes.pop("headers", {})
    alg = changes.pop("alg", "RS384")
    claims |= changes
    key: Any = EC_KEY if alg == "ES384" else RSA_KEY
    if alg == "HS256":
        key = "shared-secret-that-must-not-work-0123456789"
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


@pytest.fixture
def secured(tmp_path: Path) -> TestClient:
    trusted = TrustedClient.from_jwks(ISS, _jwks(), jku="https://ehr.example.org/jwks")
    return make_client(tmp_path, insecure_dev=False, trusted_clients={ISS: trusted})


URL = f"{BASE}/cds-services/igcds-patient-view"


def _secured_call(client: TestClient, token: str | None) -> httpx.Response:
    resources = example_resources("sigmd-asymptomatic")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        URL.removeprefix(BASE),
        json=hook_request("patient-view", "sigmd-observe", full_prefetch(resources)),
        headers=headers,
    )


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_valid_client_jwt_is_accepted(secured: TestClient, alg: str) -> None:
    token = _token(URL, alg=alg, kid="ec-1" if alg == "ES384" else "rsa-1")
    assert _secured_call(secured, token).status_code == 200


def _none_token() -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": URL, "iat": now, "exp": now + 300, "jti": "x"}
    return jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda: None, "missing bearer token"),
        (lambda: _token(URL, exp=int(time.time()) - 10), "expired"),
        (lambda: _token("https://other.example.org/cds-services/igcds-patient-view"), "aud"),
        (_none_token, "algorithm 'none'"),
        (lambda: _token(URL, alg="HS256"), "algorithm 'HS256'"),
        (lambda: _token(URL, kid="unknown"), "unknown kid"),
        (lambda: _token(URL, iss="https://intruder.example.org"), "issuer"),
        (lambda: _token(URL, headers={"jku": "https://intruder.example.org/jwks"}), "jku"),
        (lambda: "not.a.jwt", "malformed"),
    ],
)
def test_bad_client_jwts_are_401(secured: TestClient, make_token: Any, message: str) -> None:
    assert message in _outcome(_secured_call(secured, make_token()), 401)


def test_a_replayed_jti_is_401(secured: TestClient) -> None:
    token = _token(URL)
    assert _secured_call(secured, token).status_code == 200
    assert "replay" in _outcome(_secured_call(secured, token), 401)


def test_discovery_needs_a_jwt_for_its_own_url(secured: TestClient) -> None:
    assert secured.get("/cds-services").status_code == 401
    token = _token(f"{BASE}/cds-services")
    assert secured.get("/cds-services", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_dev_mode_says_so_in_every_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="igcds.hooks"):
        client = make_client(tmp_path)
        client.post("/cds-services/igcds-patient-view", json=hook_request("patient-view", "p1", None))
    lines = [r.getMessage() for r in caplog.records if r.name == "igcds.hooks"]
    assert lines
    assert all("INSECURE DEV MODE" in line for line in lines)


def test_cors_for_the_configured_sandbox_origin(tmp_path: Path) -> None:
    client = make_client(tmp_path, cors_origins=("https://sandbox.cds-hooks.org",))
    preflight = client.options(
        "/cds-services",
        headers={"Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "https://sandbox.cds-hooks.org"
    other = client.get("/cds-services", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


# --- fuzz -------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
PATHS = [
    "/cds-services/igcds-patient-view",
    "/cds-services/igcds-order-sign",
    "/cds-services/igcds-order-select/feedback",
]


def _shaped(data: Any, patient: dict[str, Any]) -> Any:
    """Half the cases keep a valid envelope so the fuzz reaches prefetch and draft-order parsing."""
    if not isinstance(data, dict):
        return data
    return {
        "hook": "order-sign",
        "hookInstance": "f",
        "context": {"patientId": "p1", "draftOrders": data},
        "prefetch": {"patient": patient, "observations": data},
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), data=JSON, shaped=st.booleans())
def test_fuzzed_requests_never_get_a_500(client: TestClient, path: str, data: Any, shaped: bool) -> None:
    body = _shaped(data, b.patient("p1", "male", "2000-01-01")) if shaped else data
    answer = client.post(path, content=json.dumps(copy.deepcopy(body)), headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text


def test_serve_in_dev_mode_marks_every_log_line(tmp_path: Path) -> None:
    """`igcds serve --insecure-dev`: uvicorn's own lines and igcds' carry the warning."""
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "service.toml"
    config.write_text(f'feedback_db = "{tmp_path / "feedback.sqlite"}"\n', encoding="utf-8")
    script = Path(sys.executable).with_name("igcds")
    server = subprocess.Popen(
        [str(script), "serve", "--insecure-dev", "--port", str(port), "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                discovered = httpx.get(f"http://127.0.0.1:{port}/cds-services", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert discovered.status_code == 200
        body = (ROOT / "examples" / "cds-hooks" / "patient-view-request.json").read_bytes()
        answered = httpx.post(f"http://127.0.0.1:{port}/cds-services/igcds-patient-view", content=body, timeout=10)
        assert answered.status_code == 200
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    lines = [line for line in errors.splitlines() if line.strip()]
    assert any("200 igcds-patient-view" in line for line in lines)
    assert all("INSECURE DEV MODE" in line for line in lines), lines


@pytest.mark.parametrize("name", ["patient-view-request", "order-sign-mmr-request"])
def test_documented_example_requests_are_answered(client: TestClient, name: str) -> None:
    """The request files the README's curl example posts."""
    body = json.loads((ROOT / "examples" / "cds-hooks" / f"{name}.json").read_text(encoding="utf-8"))
    service = "igcds-patient-view" if body["hook"] == "patient-view" else "igcds-order-sign"
    cards = client.post(f"/cds-services/{service}", json=body).json()["cards"]
    assert cards
    if body["hook"] == "order-sign":
        assert cards[0]["indicator"] == "critical"


@pytest.mark.parametrize(
    "draft",
    [
        {},
        {"resourceType": "MedicationRequest", "id": "d1", "status": "draft",
         "medicationCodeableConcept": {"text": "immune globulin 10%"},
         "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "stone"}}]}]},
        {"resourceType": "MedicationRequest", "status": "draft", "authoredOn": "2026-13-45",
         "medicationCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "03"}]}},
    ],
)  # fmt: skip
def test_unreadable_draft_orders_get_a_card_not_a_500(client: TestClient, draft: dict[str, Any]) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}]}
    answer = client.post(
        "/cds-services/igcds-order-sign",
        json=hook_request("order-sign", "p1", prefetch, context={"draftOrders": drafts}),
    )
    assert answer.status_code == 200
    if draft:
        assert answer.json()["cards"][0]["summary"] == "igcds could not read this record, so it gives no advice"


QUANTITY = st.fixed_dictionaries(
    {
        "value": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=3)),
        "unit": st.sampled_from(["g", "mg", "mg/kg", "stone", ""]),
    }
)
DOSAGE = st.fixed_dictionaries({"doseAndRate": st.lists(st.fixed_dictionaries({"doseQuantity": QUANTITY}), max_size=2)})
CODING = st.fixed_dictionaries(
    {"system": st.sampled_from(["http://hl7.org/fhir/sid/cvx", "x"]), "code": st.sampled_from(["03", "21", "141", ""])}
)
DRAFT = st.fixed_dictionaries(
    {
        "resourceType": st.sampled_from(["MedicationRequest", "ServiceRequest", "Immunization"]),
        "status": st.sampled_from(["draft", "active", "entered-in-error", "bogus"]),
        "medicationCodeableConcept": st.fixed_dictionaries(
            {
                "text": st.sampled_from(["immune globulin 10%", "Privigen", "MMR", "amoxicillin", ""]),
                "coding": st.lists(CODING, max_size=2),
            }
        ),
        "authoredOn": st.one_of(st.just("2026-11-20"), st.text(max_size=12)),
        "dosageInstruction": st.lists(DOSAGE, max_size=2),
    },
    optional={"id": st.text(min_size=1, max_size=6)},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts=st.lists(DRAFT, max_size=3), hook=st.sampled_from(["order-select", "order-sign"]))
def test_fuzzed_draft_orders_never_get_a_500(client: TestClient, drafts: list[dict[str, Any]], hook: str) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": d} for d in drafts]}
    request = hook_request(hook, "p1", prefetch, context={"draftOrders": bundle})
    answer = client.post(f"/cds-services/igcds-{hook}", json=request)
    assert answer.status_code < 500, answer.text
