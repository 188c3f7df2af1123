"""A test EHR for the SMART launch: an OAuth 2.0 authorization server built with Authlib's Flask
integration (authorization code grant, PKCE S256 required, public client) and a FHIR endpoint
serving one example patient's resources to a bearer token it issued. Started in a thread by the
browser tests; `code_lifetime_seconds` lets a test expire codes."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, abort, jsonify, request
from werkzeug.serving import make_server

CLIENT_ID = "igcds-test"
LAUNCH_CONTEXT = "launch-abc"  # the EHR's opaque launch id for the patient's chart


@dataclass
class Client(ClientMixin):  # type: ignore[misc]
    redirect_uri: str

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"  # a public client: PKCE instead of a secret

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str
    patient: str
    issued: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class FakeEhr:
    bundle: dict[str, Any]
    patient: str
    redirect_uri: str = ""
    code_lifetime_seconds: float = 60.0
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests_seen: list[str] = field(default_factory=list)
    base: str = ""

    def resources(self, kind: str) -> list[dict[str, Any]]:
        return [e["resource"] for e in self.bundle["entry"] if e["resource"]["resourceType"] == kind]


def build(ehr: FakeEhr) -> Flask:
    app = Flask("test-ehr")

    class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

        def save_authorization_code(self, code: str, oauth_request: Any) -> None:
            payload = oauth_request.payload
            ehr.codes[code] = Code(
                code,
                payload.redirect_uri,
                payload.scope,
                payload.data.get("code_challenge"),
                payload.data.get("code_challenge_method"),
                ehr.patient,
                time.monotonic(),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = ehr.codes.get(code)
            if found is None or time.monotonic() - found.issued > ehr.code_lifetime_seconds:
                return None  # unknown or expired: invalid_grant
            return found

        def delete_authorization_code(self, authorization_code: Code) -> None:
            ehr.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> dict[str, str]:
            return {"patient": authorization_code.patient}

    def save_token(token: dict[str, Any], oauth_request: Any) -> None:
        token["patient"] = oauth_request.user["patient"]  # SMART launch context in the token response
        ehr.tokens[token["access_token"]] = token

    server = AuthorizationServer(
        app, query_client=lambda cid: Client(ehr.redirect_uri) if cid == CLIENT_ID else None, save_token=save_token
    )
    server.register_grant(CodeGrant, [CodeChallenge(required=True)])

    @app.get("/fhir/.well-known/smart-configuration")
    def smart_configuration() -> Any:
        return jsonify(
            authorization_endpoint=ehr.base + "/authorize",
            token_endpoint=ehr.base + "/token",
            code_challenge_methods_supported=["S256"],
            capabilities=["launch-ehr", "launch-standalone", "client-public", "context-ehr-patient"],
        )

    @app.get("/authorize")
    def authorize() -> Any:
        if request.args.get("aud") != ehr.base + "/fhir":
            abort(400)  # SMART: aud must name this FHIR server
        launch = request.args.get("launch")
        if launch is not None and launch != LAUNCH_CONTEXT:
            abort(400)
        user = {"patient": ehr.patient}  # the clinician approves at once; the chart's patient is in context
        grant = server.get_consent_grant(end_user=user)
        return server.create_authorization_response(grant=grant, grant_user=user)

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.get("/fhir/<kind>/<ident>")
    def read(kind: str, ident: str) -> Any:
        authorised()
        found = [r for r in ehr.resources(kind) if r.get("id") == ident]
        return (jsonify(found[0]), 200) if found else (jsonify(resourceType="OperationOutcome"), 404)

    @app.get("/fhir/<kind>")
    def search(kind: str) -> Any:
        authorised()
        ehr.requests_seen.append(request.full_path)
        entries = [{"resource": r} for r in ehr.resources(kind)]
        return jsonify(resourceType="Bundle", type="searchset", entry=entries)

    def authorised() -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header.removeprefix("Bearer ") not in ehr.tokens:
            abort(401)

    return app


class Running:
    def __init__(self, ehr: FakeEhr) -> None:
        self.server = make_server("127.0.0.1", 0, build(ehr), threaded=True)
        ehr.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


def example_ehr(example: Path) -> FakeEhr:
    bundle = json.loads(example.read_text(encoding="utf-8"))
    patient = next(e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    return FakeEhr(bundle, patient)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
