"""What a hook call brought and what is still to fetch (pure: no network). The three prefetch states
are told apart, as CDS Hooks requires: a key left out (not run), `null` (ran, found nothing) and an
OperationOutcome (failed); the first and the last are fetched from `fhirServer`. A prefetch Bundle
with a `next` link is a first page: the rest is fetched too, never decided on in part."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from igcds.hooks.models import HookRequest

TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
MISSING = object()


class DataUnavailable(Exception):
    """HTTP 412 with an OperationOutcome. `str()` is what the caller is told; `detail` is logged."""

    def __init__(self, public: str, detail: str | None = None) -> None:
        super().__init__(public)
        self.detail = detail or public


class MalformedRequest(ValueError):
    """HTTP 400: the body is not JSON or lacks a required field, or a prefetch value or
    context.draftOrders is not a FHIR resource or Bundle."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A fetch still to do: a prefetch query (relative to fhirServer) or a `next` page (absolute)."""

    key: str
    target: str
    absolute: bool


@dataclass
class Gathered:
    resources: list[dict[str, Any]] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)


def render(template: str, context: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = context.get(match.group(1))
        if not isinstance(found, str):
            raise DataUnavailable(f"prefetch token context.{match.group(1)} has no value in this call")
        return found

    return TOKEN.sub(value, template)


def resources_of(where: str, value: Any) -> list[dict[str, Any]]:
    """The resources of a resource or a Bundle; resources without a resourceType are passed over."""
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise MalformedRequest(f"{where} is not a FHIR resource or Bundle")
    if value["resourceType"] != "Bundle":
        return [value]
    entries = value.get("entry") or []
    if not isinstance(entries, list):
        raise MalformedRequest(f"{where} Bundle.entry is not a list")
    found = []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            found.append(resource)
    return found


def next_link(where: str, value: Any) -> str | None:
    """The Bundle's `next` page URL, if any."""
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return None
    links = value.get("link")
    if links is None:
        return None
    if not isinstance(links, list):
        raise MalformedRequest(f"{where} Bundle.link is not a list")
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if not isinstance(url, str) or not url:
                raise MalformedRequest(f"{where} Bundle.link next has no url")
            return url
    return None


def failed(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def plan(request: HookRequest, templates: Mapping[str, str]) -> Gathered:
    """The resources the prefetch holds and the fetches still to do."""
    prefetch = request.prefetch or {}
    gathered = Gathered()
    for key, template in templates.items():
        value = prefetch.get(key, MISSING)
        if value is None:
            continue
        if value is MISSING or failed(value):
            gathered.pending.append(Pending(key, render(template, request.context), absolute=False))
            continue
        gathered.resources += resources_of(f"prefetch {key}", value)
        page = next_link(f"prefetch {key}", value)
        if page is not None:
            gathered.pending.append(Pending(key, page, absolute=True))
    return gathered


def unique(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One copy of each `Type/id` (a page may repeat a resource); unnamed resources all kept."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    unnamed = []
    for resource in resources:
        rid = resource.get("id")
        if isinstance(rid, str) and rid:
            seen[(resource["resourceType"], rid)] = resource
        else:
            unnamed.append(resource)
    return [*seen.values(), *unnamed]
