"""Which FHIR servers igcds may call, and where it may send the EHR's access token.

- An authenticated client may name only the FHIR server origins configured for it
  (`trusted_clients.fhir_origins`), https unless on loopback. igcds never dials an origin the
  client's settings do not list: no loopback admin ports, no cloud metadata address.
- In development mode (`--insecure-dev`, no client identity) any public address is allowed, and
  loopback, link-local, private and unspecified addresses only when listed in `fhir_origins`.
- The token goes only to URLs under the request's `fhirServer` base (RFC 6750 §5: it is bound to
  that server); a paging link elsewhere is refused, never followed without the token.

Refusals raise `Refused`; the caller answers every FHIR-server failure with one uniform 412 text, so
a caller cannot tell a refused origin from a closed port or a slow server."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection

import httpx

from igcds.domain.errors import InputError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class Refused(Exception):
    """igcds will not call this URL (the reason is logged, never sent to the caller)."""


def origin(url: httpx.URL) -> str:
    """`scheme://host:port`, lower-case, the port always written."""
    port = url.port or (443 if url.scheme == "https" else 80)
    host = url.host if ":" not in url.host else f"[{url.host}]"
    return f"{url.scheme}://{host.lower()}:{port}"


def is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_origin(value: object, where: str, key: str, https_only: bool) -> str:
    """A configured origin, normalised; https only (`https_only`) unless the host is loopback."""
    try:
        url = httpx.URL(str(value)) if isinstance(value, str) else None
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
        raise InputError(where, key, f"not an origin (scheme://host[:port]): {value!r}")
    if https_only and url.scheme != "https" and not is_loopback_host(url.host):
        raise InputError(where, key, f"https is required outside loopback: {value!r}")
    return origin(url)


def parse_url(value: str) -> httpx.URL:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise Refused(f"not a URL ({error})") from None
    if url.scheme not in ("http", "https") or not url.host or url.userinfo:
        raise Refused("only http(s) URLs without credentials")
    return url


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Refused(f"cannot resolve {host} ({error})") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


async def check_server(url: httpx.URL, allowed: Collection[str], authenticated: bool) -> None:
    """Refuse a FHIR server the settings do not allow (see the module notes)."""
    if origin(url) in allowed:
        return
    if authenticated:
        raise Refused(f"{origin(url)} is not among this client's fhir_origins")
    for address in await _addresses(url.host):
        if not address.is_global or address.is_multicast:
            raise Refused(f"{origin(url)} resolves to a non-public address and is not in fhir_origins")


def under_base(url: httpx.URL, base: httpx.URL) -> bool:
    """The URL is the FHIR server base itself or below it (same origin, path prefix)."""
    if origin(url) != origin(base):
        return False
    root = base.path.rstrip("/")
    return url.path == root or url.path.startswith(root + "/")
