"""The patient's data for one hook call: prefetch when the EHR sent it, otherwise the EHR's FHIR
server with the bearer token it passed (httpx, hard timeout). The three prefetch states are told
apart, as CDS Hooks requires: a key left out (not run), `null` (ran, found nothing) and an
OperationOutcome (failed); the first and the last are fetched. No data and no way to get it is
`DataUnavailable`, answered 412."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from igcds.hooks.models import HookRequest

MAX_PAGES = 20  # a searchset's `next` links are followed this far, then the call gives up (412)
TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
MISSING = object()


class DataUnavailable(Exception):
    """The data the service needs cannot be had: HTTP 412 with an OperationOutcome."""


class MalformedRequest(ValueError):
    """HTTP 400: the body is not JSON or lacks a required field, or a prefetch value or
    context.draftOrders is not a FHIR resource or Bundle."""


@dataclass(frozen=True, slots=True)
class FhirAccess:
    timeout_seconds: float
    transport: httpx.BaseTransport | None = None
    """For tests: a mock FHIR server (httpx.MockTransport)."""


def render(template: str, context: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = context.get(match.group(1))
        if not isinstance(found, str):
            raise DataUnavailable(f"prefetch token context.{match.group(1)} has no value in this call")
        return found

    return TOKEN.sub(value, template)


def _resources(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise MalformedRequest(f"prefetch {key} is not a FHIR resource or Bundle")
    if value["resourceType"] != "Bundle":
        return [value]
    entries = value.get("entry") or []
    if not isinstance(entries, list):
        raise MalformedRequest(f"prefetch {key} Bundle.entry is not a list")
    return [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]


def _fetch(request: HookRequest, key: str, query: str, access: FhirAccess) -> list[dict[str, Any]]:
    if not request.fhirServer:
        raise DataUnavailable(f"prefetch {key} was not provided and the request names no fhirServer")
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    url: str | None = f"{request.fhirServer.rstrip('/')}/{query}"
    found: list[dict[str, Any]] = []
    try:
        with httpx.Client(timeout=access.timeout_seconds, transport=access.transport, headers=headers) as client:
            for _ in range(MAX_PAGES):
                if url is None:
                    return found
                response = client.get(url)
                if response.status_code == 404 and not query.count("?"):
                    return found  # an instance read that found nothing, like a null prefetch
                if response.status_code != 200:
                    raise DataUnavailable(f"FHIR server answered {response.status_code} for {key}")
                body = response.json()
                found += _resources(key, body)
                url = next((link.get("url") for link in body.get("link", []) if link.get("relation") == "next"), None)
    except httpx.HTTPError as error:
        raise DataUnavailable(f"FHIR server unreachable for {key} ({type(error).__name__})") from None
    except (ValueError, MalformedRequest) as error:
        raise DataUnavailable(f"FHIR server sent unusable data for {key}: {error}") from None
    raise DataUnavailable(f"FHIR server paging for {key} went past {MAX_PAGES} pages")


def complete(request: HookRequest, templates: Mapping[str, str]) -> bool:
    """Every key present and none failed: the call needs no FHIR server."""
    prefetch = request.prefetch or {}
    for key in templates:
        value = prefetch.get(key, MISSING)
        if value is MISSING or (isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"):
            return False
    return True


def gather(request: HookRequest, templates: Mapping[str, str], access: FhirAccess) -> list[dict[str, Any]]:
    """Every resource the templates ask for, from prefetch or the FHIR server."""
    prefetch = request.prefetch or {}
    resources: list[dict[str, Any]] = []
    for key, template in templates.items():
        value = prefetch.get(key, MISSING)
        if value is None:
            continue
        failed = isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"
        if value is MISSING or failed:
            resources += _fetch(request, key, render(template, request.context), access)
        else:
            resources += _resources(key, value)
    return resources
