"""Service configuration (`igcds serve --config FILE`, TOML): the trusted CDS clients (their JWK Sets
and the FHIR servers each may name), the public base URL (`aud`, and the web app's SMART launch URL
the cards link to), CORS origins, the state database
(feedback and seen token ids), the deadline of a hook call, the size limits and the site policy.
Every key is documented in docs/cds-hooks.md; an unknown key or an unsafe combination is an input
error, so `igcds serve` exits 2 before it starts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from igcds.domain.errors import InputError
from igcds.hooks import origins
from igcds.hooks.keys import TrustedClient, client_from_settings
from igcds.hooks.state import default_state_path
from igcds.knowledge import loader
from igcds.knowledge.policy import make_policy, site_table
from igcds.web.smart import LAUNCH_PATH

KNOWN_KEYS = frozenset(
    {
        "public_base_url",
        "smart_launch_url",
        "cors_origins",
        "feedback_db",
        "fhir_timeout_seconds",
        "hook_deadline_seconds",
        "fhir_origins",
        "limits",
        "policy",
        "trusted_clients",
    }
)


@dataclass(frozen=True)
class Limits:
    """Sizes igcds accepts; above them a call is refused before the work is done."""

    max_header_bytes: int = 32 * 1024
    """All request headers together (431 from igcds, 400 from the HTTP server before the app)."""
    max_body_bytes: int = 8 * 1024 * 1024
    """A hook call or feedback body (413). A 500-resource prefetch is about 210 KB."""
    max_token_bytes: int = 8 * 1024
    """The client JWT (401)."""
    max_fhir_bytes: int = 16 * 1024 * 1024
    """Everything one hook call reads from the FHIR server, all pages of all keys (412)."""
    max_fhir_pages: int = 20
    """Pages followed per prefetch key (412 beyond)."""
    max_feedback_entries: int = 100
    """Outcomes in one feedback post (400)."""
    max_draft_depth: int = 32
    """Nesting of a draft order, which a suggestion sends back (400)."""


@dataclass
class Settings:
    insecure_dev: bool = False
    public_base_url: str | None = None
    """Base the `aud` claim is checked against; required when there are trusted clients."""
    smart_launch_url: str | None = None
    """The igcds web app's SMART launch URL as the EHR registered it; default
    `{public_base_url}/smart/launch`. The cards link to it (`launch_url`)."""
    listen: tuple[str, int] | None = None
    """The host and port `igcds serve` listens on (--host, --port)."""
    trusted_clients: Mapping[str, TrustedClient] = field(default_factory=dict)
    cors_origins: tuple[str, ...] = ()
    feedback_db: str = field(default_factory=lambda: str(default_state_path()))
    """SQLite: card feedback, and the `jti` values seen (shared by every worker)."""
    fhir_timeout_seconds: float = 2.0
    """One FHIR request, at most (each is also bounded by what is left of the deadline)."""
    hook_deadline_seconds: float = 2.0
    """One hook call's FHIR fetching, all keys and pages together (412 when it runs out). CDS Hooks
    asks for answers "on the order of 500 ms"; Da Vinci CRD's outer limit is 5 s for 90% of calls."""
    fhir_origins: frozenset[str] = frozenset()
    """Development mode: FHIR server origins allowed even on loopback or private addresses."""
    limits: Limits = field(default_factory=Limits)
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    fhir_transport: httpx.AsyncBaseTransport | None = None
    """Tests only: a mock FHIR server."""
    today: Callable[[], date] = date.today  # noqa: TID251 - a shell reads the clock; the core is given as_of

    def launch_url(self) -> str | None:
        """Where the EHR launches the patient's igcds report (the cards' `smart` link), or None when
        igcds cannot know: `smart_launch_url`, else `{public_base_url}/smart/launch`, else, in
        development mode only, the loopback address `igcds serve` listens on (a browser on the same
        machine reaches it; a wildcard or network address says nothing of the name browsers use).
        Never the request's Host header, which the caller chooses (issue 11)."""
        if self.smart_launch_url:
            return self.smart_launch_url
        if self.public_base_url:
            return self.public_base_url.rstrip("/") + LAUNCH_PATH
        if self.insecure_dev and self.listen and origins.is_loopback_host(self.listen[0]):
            host, port = self.listen
            return f"http://{f'[{host}]' if ':' in host else host}:{port}{LAUNCH_PATH}"
        return None

    def check(self, where: str = "settings") -> None:
        """The combinations that would make the service unsafe."""
        if self.trusted_clients and not self.public_base_url:
            raise InputError(where, "public_base_url", "required when trusted_clients are configured (aud check)")
        if self.hook_deadline_seconds <= 0 or self.fhir_timeout_seconds <= 0:
            raise InputError(where, "hook_deadline_seconds", "deadlines must be positive")
        _check_url(self.public_base_url, where, "public_base_url", https_only=False)  # http stays allowed for aud
        _check_url(self.smart_launch_url, where, "smart_launch_url", https_only=not self.insecure_dev)


def _check_url(value: object, where: str, key: str, https_only: bool) -> None:
    """An absolute http(s) URL without a query or fragment (the EHR appends the launch parameters);
    https unless on loopback or in development mode."""
    if value is None:
        return
    try:
        url = httpx.URL(value) if isinstance(value, str) else None
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise InputError(where, key, f"not an absolute http(s) URL without query or fragment: {value!r}")
    if https_only and url.scheme != "https" and not origins.is_loopback_host(url.host):
        raise InputError(where, key, f"https is required outside loopback: {value!r}")


def _positive_int(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(where, f"limits.{key}", f"must be a positive whole number, got {value!r}")
    return value


def _limits(raw: Any, where: str) -> Limits:
    if not isinstance(raw, dict):
        raise InputError(where, "limits", "must be a table")
    known = {f.name for f in dataclasses.fields(Limits)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(where, f"limits.{unknown[0]}", "unknown limit")
    return Limits(**{key: _positive_int(value, where, key) for key, value in raw.items()})


def _seconds(raw: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(where, key, f"must be a positive number of seconds, got {value!r}")
    return float(value)


def load(path: Path | None, insecure_dev: bool, listen: tuple[str, int] | None = None) -> Settings:
    if path is None:
        return Settings(insecure_dev=insecure_dev, listen=listen)
    where = str(path)
    try:
        raw = site_table(path.read_bytes(), where, KNOWN_KEYS)
    except OSError as error:
        raise InputError(where, None, f"cannot read ({error.strerror})") from None
    entries = raw.get("trusted_clients", [])
    if not isinstance(entries, list):
        raise InputError(where, "trusted_clients", "must be an array of tables")
    clients = [client_from_settings(entry, path.parent, where) for entry in entries]
    policy = raw.get("policy", {})
    if not isinstance(policy, dict):
        raise InputError(where, "policy", "must be a table of site-policy keys")
    make_policy(loader.load().policy, policy)  # a bad key or value fails here, before the server starts
    dev_origins = raw.get("fhir_origins", [])
    if not isinstance(dev_origins, list):
        raise InputError(where, "fhir_origins", "must be a list of origins")
    found = Settings(
        insecure_dev=insecure_dev,
        public_base_url=raw.get("public_base_url"),
        smart_launch_url=raw.get("smart_launch_url"),
        listen=listen,
        trusted_clients={client.iss: client for client in clients},
        cors_origins=tuple(raw.get("cors_origins", ())),
        feedback_db=str(raw.get("feedback_db", default_state_path())),
        fhir_timeout_seconds=_seconds(raw, "fhir_timeout_seconds", Settings.fhir_timeout_seconds, where),
        hook_deadline_seconds=_seconds(raw, "hook_deadline_seconds", Settings.hook_deadline_seconds, where),
        fhir_origins=frozenset(origins.parse_origin(o, where, "fhir_origins", https_only=False) for o in dev_origins),
        limits=_limits(raw.get("limits", {}), where),
        policy_overrides=policy,
    )
    found.check(where)
    return found
