"""CDS Hooks load on loopback (DESIGN.md §7, issue 11). Starts `igcds serve --insecure-dev
--workers 2` (JWT checks off, so the figures are the service's own work) and a loopback FHIR
server, keeps CONCURRENCY requests in flight for DURATION_S seconds per scenario with wrk (Debian's
package, installed by `make bench`), and prints requests/s, p50 and p99 for:

1. patient-view with the small full prefetch of examples/higm-suspected-boy-on-ivig.json
   (targets: >= 300 requests/s, p99 <= 50 ms);
2. patient-view with a realistic 500-resource prefetch (benchmarks/hooks_record.py; target
   p99 <= 50 ms at 4 concurrent clients);
3. the FHIR-fallback path: no prefetch, every key fetched from the loopback FHIR server with a
   bearer token (target >= 50 requests/s).

Everything runs on loopback, bounded in time (about 45 s). Run: .venv/bin/python benchmarks/bench_hooks.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hooks_record

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "examples" / "higm-suspected-boy-on-ivig.json"
CONCURRENCY, DURATION_S = 4, 10
KEYS = {  # prefetch key -> resource types (as services.prefetch_templates asks for them)
    "observations": ("Observation",),
    "conditions": ("Condition",),
    "medicationRequests": ("MedicationRequest",),
    "medicationStatements": ("MedicationStatement",),
    "medicationAdministrations": ("MedicationAdministration",),
    "immunizations": ("Immunization",),
    "allergies": ("AllergyIntolerance",),
}
WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("{body}", "r")
wrk.body = f:read("*a")
f:close()
"""
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def by_key(resources: list[dict[str, Any]]) -> dict[str, Any]:
    prefetch: dict[str, Any] = {"patient": next(r for r in resources if r["resourceType"] == "Patient")}
    for key, kinds in KEYS.items():
        prefetch[key] = searchset([r for r in resources if r["resourceType"] in kinds])
    return prefetch


def hook_call(prefetch: dict[str, Any] | None, **extra: Any) -> bytes:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "higm-suspected"},
        **extra,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return json.dumps(body, separators=(",", ":")).encode()


Load = tuple[float, float, float, int, int]


def wrk_load(url: str, body: bytes, folder: Path, seconds: int = DURATION_S) -> Load:
    """requests/s, p50 and p99 (ms) from wrk's latency distribution, the answers other than 200 and
    the number of requests."""
    (folder / "body.json").write_bytes(body)
    script = folder / "post.lua"
    script.write_text(WRK_SCRIPT.format(body=folder / "body.json"), encoding="utf-8")
    wrk = ["wrk", "-t1", f"-c{CONCURRENCY}", "--latency", "-s", str(script)]
    out = subprocess.run([*wrk, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        assert found, out
        return float(found.group(1)) * UNIT_MS[found.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate, out
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    count = re.search(r"(\d+) requests in", out)
    assert count, out
    return (
        float(rate.group(1)),
        latency("50"),
        latency("99"),
        int(failed.group(1)) if failed else 0,
        int(count.group(1)),
    )


def measured(url: str, body: bytes, folder: Path, service: int) -> tuple[Load, float]:
    """The load figures and the service's CPU milliseconds per request (both workers together):
    on a shared machine the CPU cost is the steadier figure."""
    wrk_load(url, body, folder, seconds=2)  # warm-up
    before = cpu_seconds(service)
    load = wrk_load(url, body, folder)
    return load, (cpu_seconds(service) - before) * 1000 / max(load[4], 1)


def cpu_seconds(root: int) -> float:
    """User and system CPU of a process and all its descendants (Linux /proc), in seconds."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    total = 0
    for pid in tree:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_up(url: str) -> None:
    for _ in range(150):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (make bench installs Debian's package)")
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    realistic = hooks_record.resources()
    small = [entry["resource"] for entry in json.loads(SMALL.read_text(encoding="utf-8"))["entry"]]
    service_port, fhir_port = free_port(), free_port()
    fhir_base = f"http://127.0.0.1:{fhir_port}/fhir"
    scenarios = [
        ("patient-view, small full prefetch", hook_call(by_key(small)), ">= 300 req/s, p99 <= 50 ms"),
        ("patient-view, 500-resource prefetch", hook_call(by_key(realistic)), "p99 <= 50 ms"),
        (
            "FHIR fallback, 8 keys from a loopback FHIR server",
            hook_call(
                None,
                fhirServer=fhir_base,
                fhirAuthorization={
                    "access_token": "bench-token",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "patient/*.read",
                    "subject": "igcds",
                },
            ),
            ">= 50 req/s",
        ),
    ]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "record.json").write_text(json.dumps(realistic), encoding="utf-8")
        config = folder / "service.toml"
        config.write_text(
            f'feedback_db = "{folder / "state.sqlite"}"\nfhir_origins = ["http://127.0.0.1:{fhir_port}"]\n',
            encoding="utf-8",
        )
        igcds = str(Path(sys.executable).with_name("igcds"))
        fhir_command = [sys.executable, str(Path(__file__).with_name("fhir_server.py")), str(fhir_port)]
        servers = [
            subprocess.Popen([*fhir_command, str(folder / "record.json")], stderr=subprocess.DEVNULL),
            subprocess.Popen(
                [
                    igcds,
                    "serve",
                    "--insecure-dev",
                    "--port",
                    str(service_port),
                    "--workers",
                    "2",
                    "--config",
                    str(config),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            wait_until_up(f"http://127.0.0.1:{service_port}/cds-services")
            wait_until_up(f"{fhir_base}/Patient/higm-suspected")
            url = f"http://127.0.0.1:{service_port}/cds-services/igcds-patient-view"
            service = servers[1].pid
            results = [
                (title, len(body), target, *measured(url, body, folder, service)) for title, body, target in scenarios
            ]
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    print(f"CDS Hooks on loopback: 2 workers, {CONCURRENCY} requests in flight, {DURATION_S} s each, wrk")
    print(f"  realistic record: {len(realistic)} resources, {len(json.dumps(realistic, separators=(',', ':')))} bytes")
    print(f"  load average before: {load_before}, after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for title, size, target, (rps, p50, p99, failed, _), cpu_ms in results:
        print(f"  {title} (request {size} bytes):")
        errors = f", {failed} answers not 200" if failed else ""
        print(f"    {rps:7.1f} requests/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   (target {target}{errors})")
        print(f"    service CPU {cpu_ms:5.1f} ms per request: at most {2000 / cpu_ms:5.0f} requests/s on 2 free cores")


if __name__ == "__main__":
    main()
