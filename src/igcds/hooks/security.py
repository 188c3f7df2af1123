"""Client authentication as CDS Hooks 2.0 §Trusting CDS Clients requires: every call carries a JWT
signed by the CDS client (RS384 or ES384; never `none` or a shared secret), whose `iss` is on the
allowlist, whose key is found by `kid` in that client's configured JWK Set (and whose `jku`, if
sent, is that client's), whose `aud` is the exact URL called, unexpired, with a `jti` never seen
before. Anything else is 401."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

ALGORITHMS = ("RS384", "ES384")
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


class NotAuthenticated(Exception):
    """HTTP 401: the message says which check failed (never the token itself)."""


@dataclass(frozen=True)
class TrustedClient:
    iss: str
    keys: Mapping[str, jwt.PyJWK]
    """Public keys by `kid`, from the client's JWK Set (exchanged out of band)."""
    jku: str | None = None

    @classmethod
    def from_jwks(cls, iss: str, jwks: Mapping[str, Any], jku: str | None = None) -> TrustedClient:
        keys = {}
        for entry in jwks.get("keys", []):
            if isinstance(entry, dict) and entry.get("kid"):
                keys[str(entry["kid"])] = jwt.PyJWK(entry)
        return cls(iss, keys, jku)


@dataclass
class ReplayGuard:
    """The `jti` values seen, kept until their token expires."""

    seen: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_use(self, jti: str, expires: float, now: float) -> bool:
        with self.lock:
            for old in [k for k, exp in self.seen.items() if exp < now]:
                del self.seen[old]
            if jti in self.seen:
                return False
            self.seen[jti] = expires
            return True


def verify(
    authorization: str | None,
    audience: str,
    clients: Mapping[str, TrustedClient],
    replay: ReplayGuard,
    now: float | None = None,
) -> dict[str, Any]:
    if not authorization or not authorization.startswith("Bearer "):
        raise NotAuthenticated("missing bearer token")
    token = authorization.removeprefix("Bearer ").strip()
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAuthenticated("malformed JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise NotAuthenticated(f"algorithm {header.get('alg')!r} not accepted (RS384 or ES384)")
    client = clients.get(str(unverified.get("iss")))
    if client is None:
        raise NotAuthenticated("issuer not on the allowlist")
    if header.get("jku") is not None and header.get("jku") != client.jku:
        raise NotAuthenticated("jku does not match the issuer's configured JWK Set")
    key = client.keys.get(str(header.get("kid")))
    if key is None:
        raise NotAuthenticated("unknown kid for this issuer")
    moment = time.time() if now is None else now
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[str(header["alg"])],
            audience=audience,
            issuer=client.iss,
            options={"require": REQUIRED_CLAIMS},
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("token expired") from None
    except jwt.InvalidAudienceError:
        raise NotAuthenticated("aud is not the URL called") from None
    except jwt.PyJWTError as error:
        raise NotAuthenticated(f"invalid token ({type(error).__name__})") from None
    if not replay.first_use(str(claims["jti"]), float(claims["exp"]), moment):
        raise NotAuthenticated("jti already used (replay)")
    return claims
