"""SMART App Launch 2.0: EHR launch (`iss` and `launch`) and standalone launch (`iss` alone), the
authorization code grant with PKCE (S256) through Authlib's OAuth 2.0 client, then the patient in
context read with the CDS Hooks prefetch queries, assessed, and shown as the report.

  GET /smart/launch?iss=…[&launch=…]   discovery (.well-known/smart-configuration), redirect to authorize
  GET /smart/callback?code=…&state=…   state checked against this browser's session, code exchanged

igcds is a public client (no secret): registration needs only the client id and the redirect URI
`{base}/smart/callback` (docs/web.md)."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from fastapi import APIRouter, Request
from fastapi.responses import Response

from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.fhir.queries import is_fhir_id, patient_queries
from igcds.web.app import Web
from igcds.web.report_page import REPORT_KEY, assess
from igcds.web.smart_fhir import TIMEOUT_SECONDS, FhirUnavailable, read_patient, scopes

LOG = logging.getLogger("igcds.web")
PENDING_KEY = "smart_pending"
MAX_PENDING = 5
LAUNCH_SECONDS = 600  # a launch not completed in 10 minutes is forgotten
LAUNCH_PATH = "/smart/launch"
"""The app's SMART launch URL below the service's base: the EHR registers it, and the CDS Hooks
cards link to it."""


def router(web: Web) -> APIRouter:
    routes = APIRouter()

    def failed(request: Request, message: str, status: int = 400) -> Response:
        LOG.info("smart: launch failed (%d)", status)
        return web.page(
            request,
            "message.html.j2",
            status=status,
            heading="The SMART launch did not complete",
            message=message,
            back=None,
            back_label="",
        )

    def redirect_uri(request: Request) -> str:
        base = web.settings.public_base_url or str(request.base_url)
        return base.rstrip("/") + "/smart/callback"

    def http_client(**options: Any) -> OAuth2Session:
        session = OAuth2Session(**options)
        session.trust_env = False  # no proxy or .netrc from the environment: the EHR is named by iss
        return session

    @routes.get(LAUNCH_PATH)
    def launch(request: Request, iss: str = "", launch: str = "") -> Response:
        session = web.session(request)
        if urlsplit(iss).scheme not in ("http", "https") or not urlsplit(iss).netloc:
            return failed(request, "The launch names no FHIR server: the EHR must pass iss (its FHIR base URL).")
        # Only registered EHRs: an open list would let anyone make igcds fetch a URL of their choosing.
        if iss.rstrip("/") not in web.settings.smart_issuers:
            return failed(request, "This FHIR server is not registered with igcds (smart_issuers, docs/web.md).", 403)
        try:
            with requests.Session() as plain:
                plain.trust_env = False
                answer = plain.get(iss.rstrip("/") + "/.well-known/smart-configuration", timeout=TIMEOUT_SECONDS)
            configuration = answer.json() if answer.status_code == 200 else {}
            configuration = configuration if isinstance(configuration, dict) else {}
        except (requests.RequestException, ValueError):
            configuration = {}
        authorize, token = configuration.get("authorization_endpoint"), configuration.get("token_endpoint")
        if not isinstance(authorize, str) or not isinstance(token, str):
            return failed(
                request,
                "The FHIR server's .well-known/smart-configuration gives no authorization and token endpoints.",
                502,
            )
        methods = configuration.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            return failed(
                request, "The authorization server does not support PKCE with S256, which igcds requires.", 502
            )
        verifier, state = generate_token(64), generate_token(32)
        extra = {"aud": iss, **({"launch": launch} if launch else {})}
        with http_client(
            client_id=web.settings.smart_client_id,
            redirect_uri=redirect_uri(request),
            scope=scopes(standalone=not launch),
            code_challenge_method="S256",
        ) as client:
            url, _ = client.create_authorization_url(authorize, state=state, code_verifier=verifier, **extra)
        pending: dict[str, dict[str, Any]] = session.data.setdefault(PENDING_KEY, {})
        now = time.monotonic()
        for old in [s for s, p in pending.items() if now - p["at"] > LAUNCH_SECONDS][: len(pending)]:
            del pending[old]
        while len(pending) >= MAX_PENDING:
            del pending[min(pending, key=lambda s: pending[s]["at"])]
        pending[state] = {"iss": iss, "token_endpoint": token, "verifier": verifier, "at": now}
        LOG.info("smart: %s launch started", "EHR" if launch else "standalone")
        return web.redirect(request, url)

    @routes.get("/smart/callback")
    def callback(
        request: Request, code: str = "", state: str = "", error: str = "", error_description: str = ""
    ) -> Response:
        session = web.session(request)
        pending: dict[str, dict[str, Any]] = session.data.get(PENDING_KEY, {})
        launched = pending.pop(state, None) if state else None
        if launched is None or time.monotonic() - launched["at"] > LAUNCH_SECONDS:
            return failed(
                request,
                "This sign-in does not match a launch from this browser (unknown or expired state): "
                "open igcds again from the EHR.",
            )
        if error:
            return failed(
                request,
                f"The EHR's authorization server refused access ({error}: {error_description or 'no reason given'}).",
                403,
            )
        with http_client(
            client_id=web.settings.smart_client_id,
            redirect_uri=redirect_uri(request),
            token_endpoint_auth_method="none",  # noqa: S106 - a public client: PKCE, no secret
        ) as client:
            try:
                token = client.fetch_token(
                    launched["token_endpoint"], code=code, code_verifier=launched["verifier"], timeout=TIMEOUT_SECONDS
                )
            except OAuthError as refused:
                return failed(
                    request,
                    f"The EHR's authorization server refused the sign-in ({refused.error}: "
                    f"{refused.description or 'no reason given'}).",
                    403,
                )
            except (requests.RequestException, ValueError) as broken:
                return failed(request, f"The token request failed ({type(broken).__name__}).", 502)
            patient = token.get("patient")
            if not isinstance(patient, str) or not patient:
                return failed(request, "The EHR gave no patient in context: launch igcds from a patient's chart.", 400)
            if not is_fhir_id(patient):  # it goes into the FHIR search URLs: refuse anything but an id
                return failed(request, "The EHR gave a patient in context that is not a FHIR id.", 400)
            try:
                bundle = read_patient(client, launched["iss"], patient_queries(web.kb, patient))
            except FhirUnavailable as unavailable:
                return failed(request, f"The patient's record could not be read: {unavailable}.", 502)
        as_of = web.settings.today()
        try:
            report = assess(web, read.read_bundle(bundle, as_of, web.kb), as_of)
        except InputError as unreadable:
            return failed(request, str(unreadable), 422)
        session.data[REPORT_KEY] = report
        LOG.info("smart: report produced (%d recommendations)", report.recommendations)
        return web.redirect(request, "/assess/report")

    return routes
