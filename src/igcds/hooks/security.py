"""Client authentication as CDS Hooks 2.0 §Trusting CDS Clients requires: every call carries a JWT
(`Authorization: Bearer`, the scheme in any case, RFC 7235) signed by the CDS client (RS384 or
ES384; never `none` or a shared secret), typed `JWT`, whose `iss` is on the allowlist, whose key is
found by `kid` in that client's JWK Set (a `jku`, if sent, must be one the client's settings allow),
whose `aud` is the exact URL called, issued at most five minutes before it expires and not in the
future, unexpired, with a `jti` never seen before by any worker. Anything else is 401."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt

from igcds.hooks.keys import TrustedClient
from igcds.hooks.replay import ReplayGuard

ALGORITHMS = ("RS384", "ES384")
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]
MAX_LIFETIME_SECONDS = 300  # CDS Hooks 2.0: exp within five minutes of iat
CLOCK_SKEW_SECONDS = 30  # an iat this far ahead of igcds' clock is still accepted


class NotAuthenticated(Exception):
    """HTTP 401: the message says which check failed (never the token itself)."""


def bearer_token(authorization: str | None, max_bytes: int) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("missing bearer token")
    if len(token) > max_bytes:
        raise NotAuthenticated(f"token longer than {max_bytes} bytes")
    return token.strip()


def _header(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAuthenticated("malformed JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise NotAuthenticated(f"algorithm {header.get('alg')!r} not accepted (RS384 or ES384)")
    if not isinstance(header.get("typ"), str) or header["typ"].upper() != "JWT":
        raise NotAuthenticated("header typ is not JWT")
    if not isinstance(header.get("kid"), str):
        raise NotAuthenticated("header kid is missing")
    return header, unverified


def _lifetime(claims: Mapping[str, Any], moment: float) -> None:
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise NotAuthenticated("iat and exp must be numbers")
    if expires - issued > MAX_LIFETIME_SECONDS:
        raise NotAuthenticated("token lifetime over five minutes")
    if issued > moment + CLOCK_SKEW_SECONDS:
        raise NotAuthenticated("token issued in the future")


def verify(
    authorization: str | None,
    audience: str,
    clients: Mapping[str, TrustedClient],
    replay: ReplayGuard,
    max_token_bytes: int,
    now: float | None = None,
) -> dict[str, Any]:
    token = bearer_token(authorization, max_token_bytes)
    header, unverified = _header(token)
    client = clients.get(str(unverified.get("iss")))
    if client is None:
        raise NotAuthenticated("issuer not on the allowlist")
    jku = header.get("jku")
    if jku is not None and jku not in client.jku:
        raise NotAuthenticated("jku is not one of the issuer's allowlisted JWK Set URLs")
    moment = time.time() if now is None else now
    key = client.key(header["kid"], jku, moment)
    if key is None:
        raise NotAuthenticated("unknown kid for this issuer")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[str(header["alg"])],
            audience=audience,
            issuer=client.iss,
            options={"require": REQUIRED_CLAIMS, "verify_iat": False},
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("token expired") from None
    except jwt.InvalidAudienceError:
        raise NotAuthenticated("aud is not the URL called") from None
    except jwt.PyJWTError as error:
        raise NotAuthenticated(f"invalid token ({type(error).__name__})") from None
    _lifetime(claims, moment)
    if not replay.first_use(client.iss, str(claims["jti"]), float(claims["exp"]), moment):
        raise NotAuthenticated("jti already used (replay)")
    return claims
