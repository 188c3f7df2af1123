"""Trusted CDS clients and their public keys. A client's JWK Set comes from a file exchanged out of
band (`jwks_file`) or from the URL where the EHR publishes it (`jwks_url`, as Epic and Oracle Health
do): fetched on first use, cached for `JWKS_CACHE_SECONDS`, and fetched again when a token names a
`kid` igcds does not know (key rotation), at most once per `JWKS_REFETCH_SECONDS` so unknown-`kid`
tokens cannot make igcds hammer the EHR. A token's `jku` header is honoured only when it is one of
the client's allowlisted `jku` URLs; igcds never fetches a URL a token supplies otherwise."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from igcds.domain.errors import InputError
from igcds.hooks.origins import parse_origin

CLIENT_KEYS = frozenset({"iss", "jwks_file", "jwks_url", "jku", "fhir_origins"})
JWKS_CACHE_SECONDS = 3600.0
JWKS_REFETCH_SECONDS = 60.0
JWKS_TIMEOUT_SECONDS = 5.0
JWKS_MAX_BYTES = 256 * 1024


def keys_of(jwks: Any) -> dict[str, jwt.PyJWK]:
    """Public keys by `kid`; entries without one, or that are not keys, are passed over."""
    found = {}
    for entry in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("kid"), str):
            try:
                found[entry["kid"]] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue
    return found


@dataclass
class KeySet:
    """A JWK Set: fixed (`url` None) or fetched from `url` and cached."""

    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    url: str | None = None
    cache_seconds: float = JWKS_CACHE_SECONDS
    refetch_seconds: float = JWKS_REFETCH_SECONDS
    fetched_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _fetch(self) -> None:
        assert self.url is not None
        body = bytearray()
        with (
            httpx.Client(timeout=JWKS_TIMEOUT_SECONDS, trust_env=False) as client,
            client.stream("GET", self.url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise httpx.HTTPStatusError("JWK Set not served", request=response.request, response=response)
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > JWKS_MAX_BYTES:
                    raise ValueError("JWK Set too large")
        self.keys = keys_of(json.loads(bytes(body)))

    def key(self, kid: str, now: float) -> jwt.PyJWK | None:
        if self.url is None:
            return self.keys.get(kid)
        with self.lock:
            stale = self.fetched_at is None or now - self.fetched_at > self.cache_seconds
            unknown = kid not in self.keys and (
                self.fetched_at is None or now - self.fetched_at >= self.refetch_seconds
            )
            if stale or unknown:
                try:
                    self._fetch()
                except (httpx.HTTPError, ValueError):
                    pass  # keep the keys already known; an unknown kid stays unknown (401)
                self.fetched_at = now
            return self.keys.get(kid)


@dataclass(frozen=True)
class TrustedClient:
    iss: str
    keys: KeySet
    jku: Mapping[str, KeySet] = field(default_factory=dict)
    """Allowlisted `jku` URLs and the key set fetched from each."""
    fhir_origins: frozenset[str] = frozenset()
    """FHIR server origins this client may name in `fhirServer`."""

    @classmethod
    def from_jwks(
        cls, iss: str, jwks: Mapping[str, Any], jku: tuple[str, ...] = (), fhir_origins: frozenset[str] = frozenset()
    ) -> TrustedClient:
        return cls(iss, KeySet(keys_of(jwks)), {url: KeySet(url=url) for url in jku}, fhir_origins)

    def key(self, kid: str, jku: str | None, now: float) -> jwt.PyJWK | None:
        """The key for `kid`; None when unknown. `jku` must be allowlisted (checked by the caller)."""
        return (self.jku[jku] if jku is not None else self.keys).key(kid, now)


def _url(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise InputError(where, f"trusted_clients.{key}", f"must be a URL, got {value!r}")
    url = httpx.URL(value)
    parse_origin(f"{url.scheme}://{url.netloc.decode()}", where, f"trusted_clients.{key}", https_only=True)
    return value


def client_from_settings(entry: Any, base: Path, where: str) -> TrustedClient:
    if not isinstance(entry, dict) or "iss" not in entry or set(entry) - CLIENT_KEYS:
        raise InputError(where, "trusted_clients", f"each client has iss and some of {sorted(CLIENT_KEYS - {'iss'})}")
    if ("jwks_file" in entry) == ("jwks_url" in entry):
        raise InputError(where, "trusted_clients", f"client {entry['iss']}: give exactly one of jwks_file, jwks_url")
    if "jwks_file" in entry:
        path = base / str(entry["jwks_file"])
        try:
            keys = KeySet(keys_of(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as error:
            raise InputError(str(path), None, f"not a readable JWK Set ({error})") from None
    else:
        keys = KeySet(url=_url(entry["jwks_url"], where, "jwks_url"))
    jku = entry.get("jku", [])
    jku = [jku] if isinstance(jku, str) else jku
    if not isinstance(jku, list):
        raise InputError(where, "trusted_clients.jku", "must be a URL or a list of URLs")
    found = entry.get("fhir_origins", [])
    if not isinstance(found, list):
        raise InputError(where, "trusted_clients.fhir_origins", "must be a list of origins")
    fhir = frozenset(parse_origin(o, where, "trusted_clients.fhir_origins", https_only=True) for o in found)
    allowed = {_url(u, where, "jku"): KeySet(url=u) for u in jku}
    return TrustedClient(str(entry["iss"]), keys, allowed, fhir)
