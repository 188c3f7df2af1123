"""`igcds serve` as an EHR meets it, on loopback: the example request answered (its cards linking to
the report at the loopback address the service listens on), the HTTP server
refusing oversized headers before reading them whole, and in development mode every log line,
uvicorn's own included, carrying the warning."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The service's base URL, and (after the module's tests) its stderr lines."""
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    config = folder / "service.toml"
    config.write_text(
        f'feedback_db = "{folder / "state.sqlite"}"\n[limits]\nmax_header_bytes = 8192\n', encoding="utf-8"
    )
    script = Path(sys.executable).with_name("igcds")
    server = subprocess.Popen(
        [str(script), "serve", "--insecure-dev", "--port", str(port), "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/cds-services", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, lines
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
        lines += [line for line in errors.splitlines() if line.strip()]
        assert any("200 igcds-patient-view" in line for line in lines)
        assert all("INSECURE DEV MODE" in line for line in lines), lines


def test_the_example_request_is_answered(served: tuple[str, list[str]]) -> None:
    base, _ = served
    body = (ROOT / "examples" / "cds-hooks" / "patient-view-request.json").read_bytes()
    answered = httpx.post(f"{base}/cds-services/igcds-patient-view", content=body, timeout=10)
    assert answered.status_code == 200
    cards = answered.json()["cards"]
    assert cards
    # Development mode on loopback without a public URL: the link is the address igcds listens on.
    launch = {"label": "Open the igcds report", "url": f"{base}/smart/launch", "type": "smart"}
    assert all(card["links"] == [launch] for card in cards)
    assert httpx.get(launch["url"], timeout=10).status_code == 400  # the web app's launch, without iss


def test_oversized_headers_are_refused_by_the_http_server(served: tuple[str, list[str]]) -> None:
    """12 KB of header against a limit of 8 KB: the HTTP server itself answers 400 and closes,
    while the header is still incomplete (the app's own check would have said 431)."""
    base, _ = served
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /cds-services HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"x" * 12 * 1024)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
    assert httpx.get(f"{base}/cds-services", timeout=5).status_code == 200  # the server is still up
