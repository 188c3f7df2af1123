"""The CDS Hooks 2.0 service: discovery, the three services and their feedback endpoints.

  GET  /cds-services                 discovery
  POST /cds-services/{id}            a hook call -> {"cards": [...]}
  POST /cds-services/{id}/feedback   card outcomes, stored in SQLite

Status codes: 200; 400 malformed JSON or a missing required field; 401 client JWT rejected; 404
unknown service; 412 the patient's data cannot be had (prefetch missing and the FHIR server
unreachable or absent). Errors carry an OperationOutcome body. With `insecure_dev`, JWTs are not
checked and every log line says so."""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from igcds import engine
from igcds.domain.errors import InputError
from igcds.domain.record import MedicationUse
from igcds.fhir import medications, read
from igcds.fhir.primitives import reference_of
from igcds.hooks import cards, prefetch, security, services
from igcds.hooks.feedback import FeedbackStore
from igcds.hooks.models import Card, Feedback, HookRequest, HookResponse, Source
from igcds.hooks.settings import Settings
from igcds.knowledge import loader
from igcds.knowledge.policy import make_policy
from igcds.web import app as web_app

LOG = logging.getLogger("igcds.hooks")
DEV_WARNING = "INSECURE DEV MODE: client JWTs are not verified"


class DevModeFilter(logging.Filter):
    """Prefixes every log line of the service, so insecure mode is never silent."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"[{DEV_WARNING}] {record.msg}"
        return True


def outcome(status: int, code: str, message: str) -> JSONResponse:
    body = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": message}]}
    return JSONResponse(body, status_code=status, media_type="application/json")


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], payload: Any, what: str) -> Model:
    """The payload as `model`, or a 400 naming the first field at fault."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or what
        raise prefetch.MalformedRequest(f"{where}: {first['msg']}") from None


def _draft_orders(context: dict[str, Any]) -> list[dict[str, Any]]:
    bundle = context.get("draftOrders")
    if bundle is None:
        return []
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise prefetch.MalformedRequest("context.draftOrders is not a FHIR Bundle")
    return [
        e["resource"] for e in bundle.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def _unique(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    unnamed = []
    for resource in resources:
        if resource.get("id"):
            seen[(str(resource["resourceType"]), str(resource["id"]))] = resource
        else:
            unnamed.append(resource)
    return [*seen.values(), *unnamed]


def log_config(insecure_dev: bool) -> dict[str, Any]:
    """uvicorn's and igcds' log lines on stderr; in insecure mode uvicorn's lines carry the warning
    too (igcds' own lines get it from DevModeFilter)."""
    prefix = f"[{DEV_WARNING}] " if insecure_dev else ""
    line = "%(asctime)s %(levelname)s %(name)s "
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "server": {"format": line + prefix + "%(message)s"},
            "service": {"format": line + "%(message)s"},
        },
        "handlers": {"server": handler | {"formatter": "server"}, "service": handler | {"formatter": "service"}},
        "loggers": {
            "uvicorn": {"handlers": ["server"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "igcds": {"handlers": ["service"], "level": "INFO", "propagate": False},
        },
    }


def from_environment() -> FastAPI:
    """The app `igcds serve` starts in each worker (uvicorn factory), configured by the CLI."""
    import os
    from pathlib import Path

    from igcds.hooks import settings as service_settings

    path = os.environ.get("IGCDS_SERVICE_CONFIG") or None
    insecure = os.environ.get("IGCDS_SERVICE_INSECURE_DEV") == "1"
    return create_app(service_settings.load(Path(path) if path else None, insecure))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    kb = loader.load()
    policy = make_policy(kb.policy, settings.policy_overrides)
    templates = services.prefetch_templates(kb)
    store = FeedbackStore(settings.feedback_db)
    replay = security.ReplayGuard()
    access = prefetch.FhirAccess(settings.fhir_timeout_seconds, settings.fhir_transport)
    if settings.insecure_dev and not any(isinstance(f, DevModeFilter) for f in LOG.filters):
        LOG.addFilter(DevModeFilter())
    app = FastAPI(title="igcds CDS Hooks service", docs_url=None, redoc_url=None, openapi_url=None)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )
    if settings.insecure_dev:
        LOG.warning("started without client authentication (--insecure-dev); never expose this to patient data")

    def authenticate(request: Request) -> dict[str, Any] | None:
        if settings.insecure_dev:
            return None
        base = settings.public_base_url.rstrip("/") if settings.public_base_url else str(request.base_url).rstrip("/")
        audience = base + request.url.path
        return security.verify(request.headers.get("authorization"), audience, settings.trusted_clients, replay)

    @app.exception_handler(security.NotAuthenticated)
    async def not_authenticated(request: Request, error: security.NotAuthenticated) -> JSONResponse:
        LOG.info("401 %s %s: %s", request.method, request.url.path, error)
        return outcome(401, "security", f"client authentication failed: {error}")

    @app.get("/cds-services")
    def discovery(request: Request) -> dict[str, Any]:
        authenticate(request)
        return services.discovery(kb)

    async def body_json(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as error:
            raise prefetch.MalformedRequest(f"request body is not JSON ({error})") from None

    @app.exception_handler(prefetch.MalformedRequest)
    async def malformed(request: Request, error: prefetch.MalformedRequest) -> JSONResponse:
        LOG.info("400 %s: %s", request.url.path, error)
        return outcome(400, "invalid", str(error))

    @app.post("/cds-services/{service_id}")
    async def call(service_id: str, request: Request) -> JSONResponse:
        service = services.SERVICES.get(service_id)
        if service is None:
            return outcome(404, "not-found", f"no CDS service {service_id!r}")
        claims = authenticate(request)
        payload = await body_json(request)
        hook_request = validated(HookRequest, payload, "request")
        if hook_request.hook != service.hook:
            return outcome(400, "invalid", f"service {service.id} answers {service.hook}, not {hook_request.hook}")
        try:
            if prefetch.complete(hook_request, templates):
                response = answer(service, hook_request)  # no network: about a millisecond of work
            else:
                response = await run_in_threadpool(answer, service, hook_request)  # the FHIR server is called
        except prefetch.DataUnavailable as error:
            LOG.info("412 %s: %s", service.id, error)
            return outcome(412, "not-found", f"the patient's data cannot be obtained: {error}")
        LOG.info("200 %s %s: %d card(s)", service.id, claims.get("iss") if claims else "-", len(response.cards))
        return JSONResponse(response.wire())

    def answer(service: services.Service, hook_request: HookRequest) -> HookResponse:
        resources = prefetch.gather(hook_request, templates, access)
        drafts = _draft_orders(hook_request.context) if service.reads_draft_orders else []
        if not any(r.get("resourceType") == "Patient" for r in resources):
            raise prefetch.DataUnavailable("no Patient resource for context.patientId")
        try:
            return assessed(service, resources, drafts)
        except InputError as error:  # a value in the record or a draft order igcds cannot interpret
            return HookResponse(cards=[unreadable_card(str(error))])

    def assessed(
        service: services.Service, resources: list[dict[str, Any]], drafts: list[dict[str, Any]]
    ) -> HookResponse:
        as_of = settings.today()
        draft_refs = [reference_of(draft, None, index) for index, draft in enumerate(drafts)]
        immune_globulin_orders: list[tuple[MedicationUse, dict[str, Any]]] = []
        others = []
        for draft, ref in zip(drafts, draft_refs, strict=True):
            use = None
            if draft.get("resourceType") == "MedicationRequest":
                use = medications.read_medication(draft, ref, kb, {})
            if isinstance(use, MedicationUse) and kb.medications["immune_globulin"].matches(use.codings, use.names):
                immune_globulin_orders.append((use, draft))
            else:
                others.append(draft)
        entries = [{"resource": r} for r in _unique([*resources, *others])]
        record = read.read_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries}, as_of, kb)
        assessment = engine.assess(record, as_of, policy, kb)
        if service.hook == "patient-view":
            return HookResponse(cards=cards.patient_view_cards(kb, assessment))
        found = cards.order_cards(kb, policy, assessment, frozenset(draft_refs), immune_globulin_orders)
        return HookResponse(cards=found)

    def unreadable_card(problem: str) -> Card:
        return Card(
            uuid=cards.new_uuid(),
            summary="igcds could not read this record, so it gives no advice",
            detail=f"igcds cannot interpret a value in the record: `{problem}`. Correct it and reopen."
            f"\n\n_{kb.disclaimer}_",
            indicator="warning",
            source=Source(label=f"igcds (knowledge base {kb.version})"),
        )

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> JSONResponse:
        if service_id not in services.SERVICES:
            return outcome(404, "not-found", f"no CDS service {service_id!r}")
        claims = authenticate(request)
        payload = await body_json(request)
        received = validated(Feedback, payload, "feedback")
        count = await run_in_threadpool(store.record, service_id, received, claims.get("iss") if claims else None)
        LOG.info("feedback %s: %d outcome(s)", service_id, count)
        return JSONResponse({"stored": count})

    app.mount("/", web_app.mount(settings.policy_overrides))  # the web app: its pages after the hooks' routes
    return app
