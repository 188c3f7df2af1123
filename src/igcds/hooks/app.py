"""The CDS Hooks 2.0 service's routes: discovery, the hook calls and their feedback endpoints. The
answers themselves are in `handlers` (no web framework there); this module authenticates, reads
and bounds the request, gathers the patient's data and sends the cards.

  GET  /cds-services                 discovery
  POST /cds-services/{id}            a hook call -> {"cards": [...]}
  POST /cds-services/{id}/feedback   card outcomes, stored in SQLite

Status codes: 200; 400 malformed request; 401 client JWT rejected (checked before anything else,
so an unauthenticated caller cannot even learn which service ids exist); 404 unknown service; 412
the patient's data cannot be had; 413/431 over a size limit. Errors carry an OperationOutcome.
With `insecure_dev`, JWTs are not checked and every log line says so."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel, ValidationError

from igcds.hooks import handlers, prefetch, security, services
from igcds.hooks.feedback import FeedbackStore
from igcds.hooks.fetch import Fetcher, fetch
from igcds.hooks.http import FastJSON, SizeLimits, TooLarge, outcome, read_json
from igcds.hooks.logs import DEV_WARNING, DevModeFilter, log_config
from igcds.hooks.models import Feedback, HookRequest
from igcds.hooks.replay import ReplayGuard
from igcds.hooks.settings import Settings
from igcds.knowledge import loader
from igcds.knowledge.policy import make_policy
from igcds.web import app as web_app

LOG = logging.getLogger("igcds.hooks")
Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], payload: Any, what: str) -> Model:
    """The payload as `model`, or a 400 naming the first field at fault."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or what
        raise prefetch.MalformedRequest(f"{where}: {first['msg']}") from None


def from_environment() -> FastAPI:
    """The app `igcds serve` starts in each worker (uvicorn factory), configured by the CLI."""
    import os
    from pathlib import Path

    from igcds.hooks import settings as service_settings

    path = os.environ.get("IGCDS_SERVICE_CONFIG") or None
    insecure = os.environ.get("IGCDS_SERVICE_INSECURE_DEV") == "1"
    host, _, port = (os.environ.get("IGCDS_SERVICE_LISTEN") or "").rpartition(" ")
    listen = (host, int(port)) if host and port.isdigit() else None
    app = create_app(service_settings.load(Path(path) if path else None, insecure, listen))
    # The knowledge base and the app live as long as the worker: out of the cyclic collector's
    # sight, a full collection after a large prefetch no longer walks them (p99 of a 300 KB call).
    gc.freeze()
    return app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check()
    kb = loader.load()
    policy = make_policy(kb.policy, settings.policy_overrides)
    templates = services.prefetch_templates(kb)
    launch_url = settings.launch_url()
    limits = settings.limits
    store = FeedbackStore(settings.feedback_db)
    replay = None if settings.insecure_dev else ReplayGuard(settings.feedback_db)
    for logger in (LOG, logging.getLogger("igcds.web")) if settings.insecure_dev else ():
        if not any(isinstance(f, DevModeFilter) for f in logger.filters):  # every line says so, the web app's too
            logger.addFilter(DevModeFilter())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """One FHIR client per worker: connections and TLS certificates are set up once."""
        async with httpx.AsyncClient(transport=settings.fhir_transport, trust_env=False) as client:
            app.state.fhir_client = client
            yield

    app = FastAPI(title="igcds CDS Hooks service", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SizeLimits, max_header_bytes=limits.max_header_bytes, max_body_bytes=limits.max_body_bytes)
    if settings.insecure_dev:
        LOG.warning("started without client authentication (--insecure-dev); never expose this to patient data")
    if launch_url is None:
        LOG.info("cards carry no link to the igcds report: set public_base_url or smart_launch_url")

    async def authenticate(request: Request) -> dict[str, Any] | None:
        if replay is None:
            return None
        audience = str(settings.public_base_url).rstrip("/") + request.url.path
        authorization = request.headers.get("authorization")
        clients = settings.trusted_clients
        # In a thread: a JWK Set may be fetched, and the replay check writes to SQLite.
        return await run_in_threadpool(
            security.verify, authorization, audience, clients, replay, limits.max_token_bytes
        )

    @app.exception_handler(security.NotAuthenticated)
    async def not_authenticated(request: Request, error: security.NotAuthenticated) -> FastJSON:
        LOG.info("401 %s %s: %s", request.method, request.url.path, error)
        return outcome(401, "security", f"client authentication failed: {error}")

    @app.exception_handler(prefetch.MalformedRequest)
    async def malformed(request: Request, error: prefetch.MalformedRequest) -> FastJSON:
        LOG.info("400 %s: %s", request.url.path, error)
        return outcome(400, "invalid", str(error))

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, error: TooLarge) -> FastJSON:
        LOG.info("413 %s: %s", request.url.path, error)
        return outcome(413, "too-costly", str(error))

    @app.exception_handler(prefetch.DataUnavailable)
    async def unavailable(request: Request, error: prefetch.DataUnavailable) -> FastJSON:
        LOG.info("412 %s: %s", request.url.path, error.detail)
        return outcome(412, "not-found", f"the patient's data cannot be obtained: {error}")

    @app.get("/cds-services")
    async def discovery(request: Request) -> dict[str, Any]:
        await authenticate(request)
        return services.discovery(kb)

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> FastJSON:
        claims = await authenticate(request)
        service = services.SERVICES.get(service_id)
        if service is None:
            return outcome(404, "not-found", f"no CDS service {service_id!r}")
        hook_request = validated(HookRequest, await read_json(request, limits.max_body_bytes), "request")
        if hook_request.hook != service.hook:
            return outcome(400, "invalid", f"service {service.id} answers {service.hook}, not {hook_request.hook}")
        gathered = prefetch.plan(hook_request, templates)
        if gathered.pending:
            client = settings.trusted_clients[claims["iss"]] if claims else None
            allowed = client.fhir_origins if client else settings.fhir_origins
            fetcher = Fetcher(
                request.app.state.fhir_client,
                settings.fhir_timeout_seconds,
                settings.hook_deadline_seconds,
                limits.max_fhir_bytes,
                limits.max_fhir_pages,
            )
            gathered.resources += await fetch(hook_request, gathered.pending, fetcher, allowed, bool(client))
        answering = handlers.Answering(kb, policy, settings.today(), limits.max_draft_depth, launch_url)
        try:
            response = handlers.answer(answering, hook_request, prefetch.unique(gathered.resources))
            body = response.wire()
        except RecursionError:
            raise prefetch.MalformedRequest("the request is nested too deeply") from None
        LOG.info("200 %s %s: %d card(s)", service.id, claims.get("iss") if claims else "-", len(response.cards))
        return FastJSON(body)

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> FastJSON:
        claims = await authenticate(request)
        if service_id not in services.SERVICES:
            return outcome(404, "not-found", f"no CDS service {service_id!r}")
        payload = await read_json(request, limits.max_body_bytes)
        entries = payload.get("feedback") if isinstance(payload, dict) else None
        if isinstance(entries, list) and len(entries) > limits.max_feedback_entries:
            raise prefetch.MalformedRequest(f"feedback: more than {limits.max_feedback_entries} outcomes in one post")
        received = validated(Feedback, payload, "feedback")
        count = await run_in_threadpool(store.record, service_id, received, claims.get("iss") if claims else None)
        LOG.info("feedback %s: %d outcome(s)", service_id, count)
        return FastJSON({"stored": count})

    app.mount("/", web_app.mount(settings.policy_overrides))  # the web app: its pages after the hooks' routes
    return app


__all__ = ["DEV_WARNING", "create_app", "from_environment", "log_config"]
