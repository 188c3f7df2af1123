"""Server-side sessions, CSRF tokens and the security headers of every page.

A session is a random id in an HttpOnly, SameSite=Lax cookie; what it holds (the CSRF token, a
pending SMART launch, the last report) stays in this process's memory and expires. Nothing about
the patient goes into a cookie, a URL or a log line. SameSite=Lax (not Strict) because the SMART
authorization server returns to /smart/callback by a cross-site top-level navigation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "igcds_session"
MAX_SESSIONS = 10_000
CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; object-src 'none'"
STYLE_ELEMENT = re.compile(rb"<style>(.*?)</style>", re.DOTALL)


@dataclass
class Session:
    id: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    touched: float = field(default_factory=time.monotonic)
    data: dict[str, Any] = field(default_factory=dict)


class SessionStore:
    """In memory, per worker process: run `igcds serve` with one worker, or sticky sessions."""

    def __init__(self, lifetime_seconds: float) -> None:
        self.lifetime = lifetime_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        with self._lock:
            found = self._sessions.get(session_id or "")
            if found is None or time.monotonic() - found.touched > self.lifetime:
                return None
            found.touched = time.monotonic()
            return found

    def new(self) -> Session:
        with self._lock:
            now = time.monotonic()
            if len(self._sessions) >= MAX_SESSIONS:
                self._sessions = {k: s for k, s in self._sessions.items() if now - s.touched <= self.lifetime}
                while len(self._sessions) >= MAX_SESSIONS:  # the oldest go first
                    del self._sessions[min(self._sessions, key=lambda k: self._sessions[k].touched)]
            session = Session(secrets.token_urlsafe(32))
            self._sessions[session.id] = session
            return session


def csrf_matches(session: Session, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(session.csrf.encode(), submitted.encode())


def style_hashes(body: bytes) -> list[str]:
    """CSP hashes of a page's <style> elements: the report keeps its inline stylesheet (it is one
    self-contained file) without allowing inline styles in general."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode() + "'"
        for match in STYLE_ELEMENT.finditer(body)
    ]


class SecurityHeaders:
    """Adds the Content-Security-Policy (`default-src 'self'`, plus the hash of any inline
    <style>), no sniffing, no referrer (a callback URL's code never leaks) and no caching of pages
    that may show patient data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            body = b"".join(chunks)
            headers = MutableHeaders(scope=start)
            policy = CSP
            if headers.get("content-type", "").startswith("text/html"):
                hashes = style_hashes(body)
                if hashes:
                    policy += "; style-src 'self' " + " ".join(hashes)
            headers["Content-Security-Policy"] = policy
            headers["X-Content-Type-Options"] = "nosniff"
            headers["Referrer-Policy"] = "no-referrer"
            headers["X-Frame-Options"] = "DENY"
            if not scope["path"].startswith("/static/"):
                headers["Cache-Control"] = "no-store"
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_headers)
