"""CDS Hooks load on loopback (DESIGN.md §7: patient-view with full prefetch, 2 cores: >= 300
requests/s, p99 <= 50 ms). Starts `igcds serve --insecure-dev` (JWT checks off, so the figure is
the service's own work) with two workers, then keeps CONCURRENCY requests in flight for DURATION
seconds and prints requests/s, p50 and p99. The load comes from wrk (Debian's package, installed by
`make bench`), which costs the two cores little; without it, from an asyncio httpx client, whose
own CPU use on the same cores lowers the figure.

Run: .venv/bin/python benchmarks/bench_hooks.py
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "higm-suspected-boy-on-ivig.json"
CONCURRENCY, DURATION_S, WARMUP = 4, 10.0, 200
TARGET_RPS, TARGET_P99_MS = 300, 50.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request_body() -> dict[str, Any]:
    resources = [entry["resource"] for entry in json.loads(EXAMPLE.read_text(encoding="utf-8"))["entry"]]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)

    def searchset(kind: str) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in by_type.get(kind, [])],
        }

    prefetch = {
        "patient": by_type["Patient"][0],
        "observations": searchset("Observation"),
        "conditions": searchset("Condition"),
        "medicationRequests": searchset("MedicationRequest"),
        "medicationStatements": searchset("MedicationStatement"),
        "medicationAdministrations": searchset("MedicationAdministration"),
        "immunizations": searchset("Immunization"),
        "allergies": searchset("AllergyIntolerance"),
    }
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": by_type["Patient"][0]["id"]},
        "prefetch": prefetch,
    }


WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("{body}", "r")
wrk.body = f:read("*a")
f:close()
"""
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_load(url: str, body: bytes, folder: Path) -> tuple[float, float, float]:
    """requests/s, p50 and p99 (ms) from wrk's latency distribution."""
    (folder / "body.json").write_bytes(body)
    script = folder / "post.lua"
    script.write_text(WRK_SCRIPT.format(body=folder / "body.json"), encoding="utf-8")
    wrk = ["wrk", "-t1", f"-c{CONCURRENCY}", "--latency", "-s", str(script)]
    subprocess.run([*wrk, "-d2s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run([*wrk, f"-d{DURATION_S:g}s", url], capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)$", out, re.MULTILINE)
        assert found, out
        return float(found.group(1)) * UNIT_MS[found.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate, out
    return float(rate.group(1)), latency("50"), latency("99")


async def load(url: str, body: bytes) -> tuple[list[float], float]:
    latencies: list[float] = []
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        for _ in range(WARMUP):
            (await client.post(url, content=body, headers=headers)).raise_for_status()
        deadline = time.perf_counter() + DURATION_S

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return latencies, time.perf_counter() - began


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "service.toml"
        config.write_text(f'feedback_db = "{Path(folder) / "feedback.sqlite"}"\n', encoding="utf-8")
        command = [str(Path(sys.executable).with_name("igcds")), "serve", "--insecure-dev", "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--workers", "2", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{base}/cds-services", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            body = json.dumps(request_body()).encode()
            url = f"{base}/cds-services/igcds-patient-view"
            if shutil.which("wrk"):
                generator = "wrk"
                rps, p50, p99 = wrk_load(url, body, Path(folder))
            else:
                generator = "httpx asyncio client (install wrk for a truer figure)"
                latencies, elapsed = asyncio.run(load(url, body))
                ordered = sorted(latencies)
                rps = len(latencies) / elapsed
                p50, p99 = statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        finally:
            server.terminate()
            server.wait(timeout=10)
    verdict = "meets" if rps >= TARGET_RPS and p99 <= TARGET_P99_MS else "MISSES"
    print(
        f"CDS Hooks patient-view, full prefetch ({len(body)} bytes), 2 workers, {CONCURRENCY} in flight, {generator}:"
    )
    print(
        f"  {rps:6.0f} requests/s   p50 {p50:5.1f} ms   p99 {p99:5.1f} ms   "
        f"({verdict} >= {TARGET_RPS} req/s, p99 <= {TARGET_P99_MS:g} ms)"
    )


if __name__ == "__main__":
    main()
