"""The FHIR fallback: what the prefetch did not bring, fetched from the EHR's `fhirServer` with the
bearer token it passed. One httpx client per worker (connections and certificates reused), every
prefetch key fetched at once, and one deadline for the whole hook call: every page of every key,
however slowly a server drips its bytes. A page is read up to what is left of the call's byte budget.
Every failure (refused origin, closed port, timeout, non-200, unusable or oversized data) is one
uniform 412 text; the reason goes to the log."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from igcds.hooks import origins
from igcds.hooks.models import HookRequest
from igcds.hooks.prefetch import DataUnavailable, MalformedRequest, Pending, next_link, resources_of

FETCH_FAILED = "the patient's data could not be obtained from fhirServer"


@dataclass(frozen=True)
class Fetcher:
    client: httpx.AsyncClient
    timeout_seconds: float
    deadline_seconds: float
    max_bytes: int
    max_pages: int


@dataclass
class _Call:
    """One hook call's fetching: the server, the token, the clock and the bytes left."""

    fetcher: Fetcher
    base: httpx.URL
    headers: dict[str, str]
    deadline: float
    bytes_left: int

    def timeout(self) -> httpx.Timeout:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DataUnavailable(FETCH_FAILED, "deadline reached")
        return httpx.Timeout(min(self.fetcher.timeout_seconds, left))

    async def page(self, url: str) -> Any | None:
        """One page as JSON (None: an instance read that found nothing)."""
        target = origins.parse_url(url) if "://" in url else self.base.join(url)
        if not origins.under_base(target, self.base):
            raise origins.Refused(f"{target} is not under fhirServer; the token is not sent there")
        request = self.fetcher.client.build_request("GET", target, headers=self.headers, timeout=self.timeout())
        response = await self.fetcher.client.send(request, stream=True)
        try:
            if response.status_code == 404 and "?" not in url:
                return None  # an instance read that found nothing, like a null prefetch
            if response.status_code != 200:
                raise DataUnavailable(FETCH_FAILED, f"FHIR server answered {response.status_code} for {target}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.bytes_left:
                    raise DataUnavailable(FETCH_FAILED, f"more than {self.fetcher.max_bytes} bytes from fhirServer")
            self.bytes_left -= len(body)
            return orjson.loads(body)
        finally:
            await response.aclose()

    async def key(self, pending: Pending) -> list[dict[str, Any]]:
        url: str | None = pending.target if pending.absolute else f"{str(self.base).rstrip('/')}/{pending.target}"
        found: list[dict[str, Any]] = []
        for _ in range(self.fetcher.max_pages):
            if url is None:
                return found
            body = await self.page(url)
            if body is None:
                return found
            found += resources_of(f"fetched {pending.key}", body)
            url = next_link(f"fetched {pending.key}", body)
        if url is None:
            return found
        raise DataUnavailable(FETCH_FAILED, f"paging for {pending.key} went past {self.fetcher.max_pages} pages")


async def fetch(
    request: HookRequest, pending: list[Pending], fetcher: Fetcher, allowed: Collection[str], authenticated: bool
) -> list[dict[str, Any]]:
    """Every pending fetch, together, within the call's deadline."""
    if not request.fhirServer:
        raise DataUnavailable(f"prefetch {pending[0].key} is incomplete and the request names no fhirServer")
    headers = {"Accept": "application/fhir+json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    deadline = time.monotonic() + fetcher.deadline_seconds
    tasks: list[asyncio.Future[list[dict[str, Any]]]] = []
    try:
        async with asyncio.timeout_at(asyncio.get_running_loop().time() + fetcher.deadline_seconds):
            base = origins.parse_url(request.fhirServer)
            await origins.check_server(base, allowed, authenticated)  # a name lookup counts against the deadline
            call = _Call(fetcher, base, headers, deadline, fetcher.max_bytes)
            tasks = [asyncio.ensure_future(call.key(item)) for item in pending]
            pages = await asyncio.gather(*tasks)
    except DataUnavailable:
        raise
    except TimeoutError:
        raise DataUnavailable(FETCH_FAILED, f"deadline of {fetcher.deadline_seconds:g} s reached") from None
    except origins.Refused as error:
        raise DataUnavailable(FETCH_FAILED, f"refused: {error}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:  # InvalidURL: a `next` link httpx cannot send
        raise DataUnavailable(FETCH_FAILED, f"FHIR server unreachable ({type(error).__name__})") from None
    except (ValueError, MalformedRequest, RecursionError) as error:
        raise DataUnavailable(FETCH_FAILED, f"FHIR server sent unusable data: {error}") from None
    finally:  # one key failed or time ran out: stop the others now, not at their own timeouts
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [resource for page in pages for resource in page]
