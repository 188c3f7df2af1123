"""HTTP plumbing of the service: JSON in and out (orjson), OperationOutcome error bodies, the size
limits checked before any work (headers 431, a declared body length 413) and the JSON body read
within its limit."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from igcds.hooks.prefetch import MalformedRequest


class TooLarge(Exception):
    """HTTP 413: the body is over `limits.max_body_bytes`."""


class FastJSON(Response):
    """JSON by orjson: about twice as fast as the standard library on a 300 KB prefetch."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def outcome(status: int, code: str, message: str) -> FastJSON:
    body = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": message}]}
    return FastJSON(body, status_code=status)


class SizeLimits:
    """ASGI middleware: refuse oversized headers and declared bodies before routing, authentication
    or reading the body."""

    def __init__(self, app: ASGIApp, max_header_bytes: int, max_body_bytes: int) -> None:
        self.app, self.max_header_bytes, self.max_body_bytes = app, max_header_bytes, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            size += sum(len(name) + len(value) for name, value in headers)
            if size > self.max_header_bytes:
                message = f"request headers over {self.max_header_bytes} bytes"
                await outcome(431, "too-costly", message)(scope, receive, send)
                return
            declared = next((value for name, value in headers if name == b"content-length"), None)
            if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
                message = f"request body over {self.max_body_bytes} bytes"
                await outcome(413, "too-costly", message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def read_json(request: Request, max_bytes: int) -> Any:
    """The body as JSON, read no further than `max_bytes` (413), or a 400 saying why it is not JSON."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"request body over {max_bytes} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        # orjson also refuses what would fail later: a lone UTF-16 surrogate (it cannot be encoded
        # again when echoed or stored), NaN and infinities, and nesting past 1024 levels.
        message = str(error)
        if "surrogate" in message:
            raise MalformedRequest("request body holds a lone UTF-16 surrogate (not Unicode text)") from None
        if "depth" in message:
            raise MalformedRequest("request body is nested too deeply") from None
        raise MalformedRequest(f"request body is not JSON ({message})") from None
