"""Service configuration (`igcds serve --config FILE`, TOML): the trusted CDS clients and their
JWK Sets, the public base URL (`aud`), CORS origins, the feedback database, the FHIR timeout and
the site policy. Every key is documented in docs/cds-hooks.md; an unknown key is an input error."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from igcds.domain.errors import InputError
from igcds.hooks.security import TrustedClient

KNOWN_KEYS = frozenset(
    {"public_base_url", "cors_origins", "feedback_db", "fhir_timeout_seconds", "policy", "trusted_clients"}
)
CLIENT_KEYS = frozenset({"iss", "jwks_file", "jku"})


@dataclass
class Settings:
    insecure_dev: bool = False
    public_base_url: str | None = None
    """Base the `aud` claim is checked against (behind a proxy); else the URL the request reached."""
    trusted_clients: Mapping[str, TrustedClient] = field(default_factory=dict)
    cors_origins: tuple[str, ...] = ()
    feedback_db: str = "igcds-feedback.sqlite"
    fhir_timeout_seconds: float = 5.0
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    fhir_transport: httpx.BaseTransport | None = None
    """Tests only: a mock FHIR server."""
    today: Callable[[], date] = date.today  # noqa: TID251 - a shell reads the clock; the core is given as_of


def _client(entry: Any, base: Path, where: str) -> TrustedClient:
    if not isinstance(entry, dict) or not {"iss", "jwks_file"} <= set(entry) or set(entry) - CLIENT_KEYS:
        raise InputError(where, "trusted_clients", "each client needs iss and jwks_file (and optionally jku)")
    path = base / str(entry["jwks_file"])
    try:
        jwks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(str(path), None, f"not a readable JWK Set ({error})") from None
    return TrustedClient.from_jwks(str(entry["iss"]), jwks, entry.get("jku"))


def load(path: Path | None, insecure_dev: bool) -> Settings:
    if path is None:
        return Settings(insecure_dev=insecure_dev)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), None, f"cannot read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), None, f"not TOML ({error})") from None
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise InputError(str(path), unknown[0], "unknown setting")
    clients = [_client(entry, path.parent, str(path)) for entry in raw.get("trusted_clients", [])]
    policy = raw.get("policy", {})
    if not isinstance(policy, dict):
        raise InputError(str(path), "policy", "must be a table of site-policy keys")
    return Settings(
        insecure_dev=insecure_dev,
        public_base_url=raw.get("public_base_url"),
        trusted_clients={client.iss: client for client in clients},
        cors_origins=tuple(raw.get("cors_origins", ())),
        feedback_db=str(raw.get("feedback_db", Settings.feedback_db)),
        fhir_timeout_seconds=float(raw.get("fhir_timeout_seconds", Settings.fhir_timeout_seconds)),
        policy_overrides=policy,
    )
