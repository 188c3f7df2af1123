"""`igcds serve`: the CDS Hooks 2.0 service under uvicorn (the service extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from igcds.cli.program import guarded


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port (1-65535).")] = 8080,
    insecure_dev: Annotated[
        bool,
        typer.Option("--insecure-dev", help="Skip client JWT verification (local and sandbox testing only)."),
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings: trusted clients, CORS, feedback database.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes (1-64).")] = 1,
) -> None:
    """Run the CDS Hooks 2.0 service (patient-view, order-select, order-sign) with feedback."""

    def run() -> None:
        import importlib.util

        from igcds.domain.errors import InputError

        if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
            raise InputError("igcds serve", None, "needs the service extra: pip install 'igcds[service]'")
        from igcds.hooks import server

        server.run(host, port, workers, config, insecure_dev)

    guarded(run)
