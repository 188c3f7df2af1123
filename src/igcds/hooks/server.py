"""`igcds serve`: uvicorn with igcds' app factory in each worker, and an HTTP protocol that stops
reading a request whose headers pass `limits.max_header_bytes` (uvicorn's httptools parser has no
such limit: an 8 MB header would be read whole before the app could answer). Over the limit the
connection gets a 400 and is closed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from igcds.hooks import settings as service_settings
from igcds.hooks.logs import log_config

HEADER_LIMIT_VARIABLE = "IGCDS_SERVICE_MAX_HEADER_BYTES"
LISTEN_VARIABLE = "IGCDS_SERVICE_LISTEN"


class HeaderLimitedProtocol(HttpToolsProtocol):
    """Counts the bytes received while a request's headers are incomplete (httptools buffers a
    header until it ends, so its callbacks come too late to count): past the limit, 400 and close.
    A chunk that completes the headers is let through; the app checks those headers exactly."""

    header_bytes = 0
    in_headers = True

    @property
    def header_limit(self) -> int:
        return int(os.environ.get(HEADER_LIMIT_VARIABLE) or service_settings.Limits.max_header_bytes)

    def data_received(self, data: bytes) -> None:
        if self.in_headers:
            self.header_bytes += len(data)
        super().data_received(data)
        if self.in_headers and self.header_bytes > self.header_limit and not self.transport.is_closing():
            self.send_400_response(f"Request headers over {self.header_limit} bytes.")

    def on_headers_complete(self) -> None:
        self.in_headers, self.header_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.in_headers = True
        super().on_message_complete()


def run(host: str, port: int, workers: int, config: Path | None, insecure_dev: bool) -> None:
    """Start the service; a bad settings file fails here (InputError), before the server starts."""
    import uvicorn

    settings = service_settings.load(config, insecure_dev, (host, port))
    os.environ["IGCDS_SERVICE_CONFIG"] = str(config) if config else ""
    os.environ["IGCDS_SERVICE_INSECURE_DEV"] = "1" if insecure_dev else ""
    os.environ[LISTEN_VARIABLE] = f"{host} {port}"
    os.environ[HEADER_LIMIT_VARIABLE] = str(settings.limits.max_header_bytes)
    if insecure_dev:
        sys.stderr.write("igcds serve: INSECURE DEV MODE, client JWTs are not verified\n")
    uvicorn.run(
        "igcds.hooks.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HeaderLimitedProtocol,
        access_log=False,  # the service logs one line per call itself, with the outcome
        log_config=log_config(insecure_dev),
    )
