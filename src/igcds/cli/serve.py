"""`igcds serve`: the CDS Hooks 2.0 service under uvicorn (the service extra)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from igcds.cli.program import guarded


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8080,
    insecure_dev: Annotated[
        bool,
        typer.Option("--insecure-dev", help="Skip client JWT verification (local and sandbox testing only)."),
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings: trusted clients, CORS, feedback database.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
) -> None:
    """Run the CDS Hooks 2.0 service (patient-view, order-select, order-sign) with feedback."""

    def run() -> None:
        import importlib.util
        import os

        from igcds.domain.errors import InputError

        if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
            raise InputError("igcds serve", None, "needs the service extra: pip install 'igcds[service]'")
        import uvicorn

        from igcds.hooks import settings as service_settings

        service_settings.load(config, insecure_dev)  # a bad file fails here, before the server starts
        os.environ["IGCDS_SERVICE_CONFIG"] = str(config) if config else ""
        os.environ["IGCDS_SERVICE_INSECURE_DEV"] = "1" if insecure_dev else ""
        if insecure_dev:
            sys.stderr.write("igcds serve: INSECURE DEV MODE, client JWTs are not verified\n")
        from igcds.hooks.app import log_config

        uvicorn.run(
            "igcds.hooks.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,  # the service logs one line per call itself, with the outcome
            log_config=log_config(insecure_dev),
        )

    guarded(run)
