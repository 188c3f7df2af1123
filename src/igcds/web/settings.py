"""The web app's settings: from a TOML file named by IGCDS_WEB_CONFIG (every key documented in
docs/web.md), else the defaults. An unknown key is an input error, as for every igcds file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from igcds.domain.errors import InputError
from igcds.knowledge.policy import site_table

CONFIG_VARIABLE = "IGCDS_WEB_CONFIG"
KNOWN_KEYS = frozenset(
    {"smart_client_id", "smart_issuers", "public_base_url", "worklist_dir", "session_minutes", "max_upload_mb"}
)


@dataclass
class WebSettings:
    smart_client_id: str = "igcds"
    """The client id registered with the EHR's authorization server (a public client: PKCE, no secret)."""
    smart_issuers: tuple[str, ...] = ()
    """FHIR base URLs a SMART launch may name (`iss`); empty: any (development only)."""
    public_base_url: str | None = None
    """Base of the redirect URI (behind a proxy); else the URL the request reached."""
    worklist_dir: Path | None = None
    """A population `--out` folder (worklist.csv, assessments.ndjson) for /worklist."""
    session_minutes: int = 60
    max_upload_mb: float = 8.0
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """Keys the worklist's opaque patient links; new at each start."""
    today: Callable[[], date] = date.today  # noqa: TID251 - a shell reads the clock; the core is given as_of


def load(path: Path | None, policy_overrides: Mapping[str, Any] | None = None) -> WebSettings:
    policy = dict(policy_overrides or {})
    if path is None:
        return WebSettings(policy_overrides=policy)
    try:
        raw = site_table(path.read_bytes(), str(path), KNOWN_KEYS)
    except OSError as error:
        raise InputError(str(path), None, f"cannot read ({error.strerror})") from None
    folder = raw.get("worklist_dir")
    for key, kind in (("session_minutes", int), ("max_upload_mb", (int, float)), ("smart_issuers", list)):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], kind)):
            raise InputError(str(path), key, f"must be a {'list of URLs' if kind is list else 'number'}")
    for key in ("smart_client_id", "public_base_url", "worklist_dir"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(str(path), key, "must be a string")
    return WebSettings(
        smart_client_id=str(raw.get("smart_client_id", WebSettings.smart_client_id)),
        smart_issuers=tuple(str(iss).rstrip("/") for iss in raw.get("smart_issuers", ())),
        public_base_url=raw.get("public_base_url"),
        worklist_dir=(path.parent / str(folder)) if folder else None,
        session_minutes=int(raw.get("session_minutes", WebSettings.session_minutes)),
        max_upload_mb=float(raw.get("max_upload_mb", WebSettings.max_upload_mb)),
        policy_overrides=policy,
    )


def from_environment(policy_overrides: Mapping[str, Any] | None = None) -> WebSettings:
    path = os.environ.get(CONFIG_VARIABLE) or None
    return load(Path(path) if path else None, policy_overrides)
