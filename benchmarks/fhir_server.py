"""A loopback FHIR server for bench_hooks.py: serves one patient's record (a JSON list of
resources) as instance reads and searchsets by resource type, pre-serialised so the figure measured
is igcds' fallback path, not this server. Run: python fhir_server.py PORT RECORD_JSON"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import uvicorn

Send = Any
Receive = Any


def make_app(resources: list[dict[str, Any]]) -> Any:
    pages: dict[str, bytes] = {}
    reads: dict[str, bytes] = {}
    for resource in resources:
        reads[f"/fhir/{resource['resourceType']}/{resource['id']}"] = json.dumps(resource).encode()
    for kind in {r["resourceType"] for r in resources} | {"AllergyIntolerance", "MedicationStatement"}:
        entries = [{"resource": r} for r in resources if r["resourceType"] == kind]
        pages[f"/fhir/{kind}"] = json.dumps({"resourceType": "Bundle", "type": "searchset", "entry": entries}).encode()

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = reads.get(scope["path"]) or pages.get(scope["path"])
        status = 200 if body is not None else 404
        body = body or b'{"resourceType": "OperationOutcome"}'
        headers = [(b"content-type", b"application/fhir+json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


if __name__ == "__main__":
    record = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    uvicorn.run(make_app(record), host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
