"""Client authentication (CDS Hooks 2.0 §Trusting CDS Clients): the JWT checks, replay refused
across worker processes, keys fetched from a client's JWK Set URL (cached, refreshed on an unknown
`kid`, never from an unlisted `jku`), the service ids hidden until the caller is authenticated, and
the FHIR servers each client may name."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from igcds.domain.errors import InputError
from igcds.hooks import settings as service_settings
from igcds.hooks.app import create_app
from igcds.hooks.fetch import FETCH_FAILED
from igcds.hooks.keys import KeySet, TrustedClient
from igcds.hooks.settings import Limits
from tests.fixtures.hooks import (
    BASE,
    FHIR,
    FHIR_ORIGIN,
    ISS,
    RSA_KEY,
    FhirServer,
    client_jwks,
    client_token,
    example_resources,
    full_prefetch,
    hook_request,
    make_client,
    outcome_text,
    public_jwks,
    settings,
)

URL = f"{BASE}/cds-services/igcds-patient-view"


def _trusted() -> TrustedClient:
    return TrustedClient.from_jwks(
        ISS, client_jwks(), jku=("https://ehr.example.org/jwks",), fhir_origins=frozenset({FHIR_ORIGIN})
    )


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[TestClient]:
    options = {"insecure_dev": False, "public_base_url": BASE, "trusted_clients": {ISS: _trusted()}}
    with make_client(tmp_path, FhirServer(example_resources("sigmd-asymptomatic")), **options) as client:
        yield client


def _call(client: TestClient, token: str | None, scheme: str = "Bearer", **extra: Any) -> httpx.Response:
    resources = example_resources("sigmd-asymptomatic")
    headers = {"Authorization": f"{scheme} {token}"} if token else {}
    prefetch = extra.pop("prefetch", full_prefetch(resources))
    request = hook_request("patient-view", "sigmd-observe", prefetch, **extra)
    return client.post(URL.removeprefix(BASE), json=request, headers=headers)


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_valid_client_jwt_is_accepted(secured: TestClient, alg: str) -> None:
    token = client_token(URL, alg=alg, kid="ec-1" if alg == "ES384" else "rsa-1")
    assert _call(secured, token).status_code == 200


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_the_bearer_scheme_is_case_insensitive(secured: TestClient, scheme: str) -> None:
    assert _call(secured, client_token(URL), scheme=scheme).status_code == 200


def _none_token() -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": URL, "iat": now, "exp": now + 300, "jti": "x"}
    return jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda: None, "missing bearer token"),
        (lambda: client_token(URL, exp=int(time.time()) - 10, iat=int(time.time()) - 100), "expired"),
        (lambda: client_token("https://other.example.org/cds-services/igcds-patient-view"), "aud"),
        (_none_token, "algorithm 'none'"),
        (lambda: client_token(URL, alg="HS256"), "algorithm 'HS256'"),
        (lambda: client_token(URL, kid="unknown"), "unknown kid"),
        (lambda: client_token(URL, iss="https://intruder.example.org"), "issuer"),
        (lambda: client_token(URL, headers={"jku": "https://intruder.example.org/jwks"}), "jku"),
        (lambda: "not.a.jwt", "malformed"),
        (lambda: client_token(URL, headers={"typ": "at+jwt"}), "typ"),
        (lambda: client_token(URL, headers={"typ": None}), "typ"),
        (lambda: client_token(URL, exp=int(time.time()) + 3600), "lifetime over five minutes"),
        (lambda: client_token(URL, iat=int(time.time()) + 600, exp=int(time.time()) + 700), "in the future"),
        (lambda: client_token(URL, pad="x" * 9000), "token longer than"),
    ],
)
def test_bad_client_jwts_are_401(secured: TestClient, make_token: Callable[[], str | None], message: str) -> None:
    assert message in outcome_text(_call(secured, make_token()), 401)


def test_a_replayed_jti_is_401(secured: TestClient) -> None:
    token = client_token(URL)
    assert _call(secured, token).status_code == 200
    assert "replay" in outcome_text(_call(secured, token), 401)


def test_a_token_replayed_to_another_worker_is_401(tmp_path: Path) -> None:
    """Two worker processes share the state database: the second refuses the first one's token."""
    options = {"insecure_dev": False, "public_base_url": BASE, "trusted_clients": {ISS: _trusted()}}
    first = TestClient(create_app(settings(tmp_path, **options)), base_url=BASE)
    second = TestClient(create_app(settings(tmp_path, **options)), base_url=BASE)
    with first, second:
        token = client_token(URL)
        assert _call(first, token).status_code == 200
        assert "replay" in outcome_text(_call(second, token), 401)


def test_unknown_service_ids_are_hidden_from_unauthenticated_callers(secured: TestClient) -> None:
    for path in ("/cds-services/nope", "/cds-services/nope/feedback"):
        assert "missing bearer token" in outcome_text(secured.post(path, json={}), 401)
        token = client_token(f"{BASE}{path}")
        assert "no CDS service" in outcome_text(
            secured.post(path, json={}, headers={"Authorization": f"Bearer {token}"}), 404
        )


def test_discovery_needs_a_jwt_for_its_own_url(secured: TestClient) -> None:
    assert secured.get("/cds-services").status_code == 401
    token = client_token(f"{BASE}/cds-services")
    assert secured.get("/cds-services", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_aud_is_checked_against_the_public_url_not_the_host_header(secured: TestClient) -> None:
    """A token minted for another host is refused even when the caller sends that Host."""
    token = client_token("http://intranet.example.org/cds-services/igcds-patient-view")
    resources = example_resources("sigmd-asymptomatic")
    answer = secured.post(
        "/cds-services/igcds-patient-view",
        json=hook_request("patient-view", "sigmd-observe", full_prefetch(resources)),
        headers={"Authorization": f"Bearer {token}", "Host": "intranet.example.org"},
    )
    assert "aud" in outcome_text(answer, 401)


def test_trusted_clients_require_a_public_base_url(tmp_path: Path) -> None:
    (tmp_path / "jwks.json").write_text(json.dumps(client_jwks()), encoding="utf-8")
    config = tmp_path / "service.toml"
    config.write_text(f'[[trusted_clients]]\niss = "{ISS}"\njwks_file = "jwks.json"\n', encoding="utf-8")
    with pytest.raises(InputError, match="public_base_url"):
        service_settings.load(config, insecure_dev=False)
    with pytest.raises(InputError, match="public_base_url"):
        create_app(settings(tmp_path, insecure_dev=False, trusted_clients={ISS: _trusted()}))
    config.write_text(f'public_base_url = "{BASE}"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    assert service_settings.load(config, insecure_dev=False).trusted_clients[ISS].iss == ISS


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('jwks_url = "http://keys.example.org/jwks"', "https is required"),
        ('jwks_file = "jwks.json"\nfhir_origins = ["http://ehr.example.org"]', "https is required"),
        ('jwks_file = "jwks.json"\nfhir_origins = ["https://ehr.example.org/fhir"]', "not an origin"),
        ('jwks_file = "jwks.json"\njwks_url = "https://keys.example.org/jwks"', "exactly one"),
    ],
)
def test_unsafe_client_settings_are_input_errors(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "jwks.json").write_text(json.dumps(client_jwks()), encoding="utf-8")
    config = tmp_path / "service.toml"
    config.write_text(f'public_base_url = "{BASE}"\n[[trusted_clients]]\niss = "{ISS}"\n{entry}\n', encoding="utf-8")
    with pytest.raises(InputError, match=message):
        service_settings.load(config, insecure_dev=False)


# --- FHIR servers a client may name (issue 11 item 2) -------------------------------------------------


def test_an_authenticated_client_may_name_only_its_fhir_origins(secured: TestClient) -> None:
    resources = example_resources("sigmd-asymptomatic")
    prefetch = full_prefetch(resources)
    del prefetch["conditions"]
    listed = _call(secured, client_token(URL), prefetch=prefetch, fhirServer=FHIR)
    assert listed.status_code == 200
    for server in ("https://other-ehr.example.org/fhir", "http://127.0.0.1:8080/fhir"):
        answer = _call(secured, client_token(URL), prefetch=prefetch, fhirServer=server)
        assert FETCH_FAILED in outcome_text(answer, 412)


# --- JWK Set URLs (issue 11 item 5: key rotation) --------------------------------------------------------


class JwksServer:
    """A JWK Set published on loopback, as an EHR publishes its keys; counts the fetches."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks, self.fetches = jwks, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps(owner.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


NEW_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _url_client(tmp_path: Path, keys: KeySet, jku: dict[str, KeySet] | None = None) -> TestClient:
    client = TrustedClient(ISS, keys, jku or {}, frozenset())
    return make_client(tmp_path, insecure_dev=False, public_base_url=BASE, trusted_clients={ISS: client})


def test_keys_come_from_the_jwks_url_and_are_refreshed_on_an_unknown_kid(tmp_path: Path) -> None:
    with JwksServer(public_jwks(("rsa-1", RSA_KEY, "RS384"))) as published:
        with _url_client(tmp_path, KeySet(url=published.url, refetch_seconds=0)) as client:
            assert _call(client, client_token(URL)).status_code == 200
            assert _call(client, client_token(URL)).status_code == 200
            assert published.fetches == 1  # cached
            published.jwks = public_jwks(("rsa-2", NEW_KEY, "RS384"))  # the EHR rotates its key
            assert _call(client, client_token(URL, kid="rsa-2", key=NEW_KEY)).status_code == 200
            assert published.fetches == 2


def test_unknown_kids_cannot_make_igcds_hammer_the_jwks_url(tmp_path: Path) -> None:
    with JwksServer(public_jwks(("rsa-1", RSA_KEY, "RS384"))) as published:
        with _url_client(tmp_path, KeySet(url=published.url, refetch_seconds=60)) as client:
            for _ in range(5):
                assert "unknown kid" in outcome_text(_call(client, client_token(URL, kid=str(uuid.uuid4()))), 401)
            assert published.fetches == 1


def test_a_token_jku_is_fetched_only_when_allowlisted(tmp_path: Path) -> None:
    with JwksServer(public_jwks(("rsa-1", RSA_KEY, "RS384"))) as published:
        with _url_client(tmp_path, KeySet()) as client:
            token = client_token(URL, headers={"jku": published.url})
            assert "jku" in outcome_text(_call(client, token), 401)
        assert published.fetches == 0
        with _url_client(tmp_path, KeySet(), {published.url: KeySet(url=published.url)}) as client:
            assert _call(client, client_token(URL, headers={"jku": published.url})).status_code == 200
        assert published.fetches == 1


def test_token_size_limit_is_a_setting(tmp_path: Path) -> None:
    options = {"insecure_dev": False, "public_base_url": BASE, "trusted_clients": {ISS: _trusted()}}
    with make_client(tmp_path, limits=Limits(max_token_bytes=200), **options) as client:
        assert "token longer than 200 bytes" in outcome_text(_call(client, client_token(URL)), 401)
