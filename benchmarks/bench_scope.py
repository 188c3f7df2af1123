"""Reading and assessing the largest Synthea record of the SMART sample export (3,489 resources, no
immune finding: `not-in-scope`), in-process, knowledge loaded once. Prints the median and p90 of
read, assess, and read + assess (issue 16: "about 38 ms today" before scope).

Run: .venv/bin/python benchmarks/bench_scope.py
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from igcds import engine
from igcds.fhir import read
from igcds.knowledge import loader

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 23)
RUNS = 50


def main() -> int:
    kb = loader.load()
    bundle = json.loads(gzip.decompress((ROOT / "tests/data/synthea/largest-3489-resources.json.gz").read_bytes()))
    timings: dict[str, list[float]] = {"read": [], "assess": [], "read + assess": []}
    diagnosis = ""
    for _ in range(RUNS):
        start = time.perf_counter()
        record = read.read_bundle(bundle, AS_OF, kb)
        middle = time.perf_counter()
        diagnosis = engine.assess(record, AS_OF, kb=kb).diagnosis.code
        end = time.perf_counter()
        timings["read"].append((middle - start) * 1000)
        timings["assess"].append((end - middle) * 1000)
        timings["read + assess"].append((end - start) * 1000)
    print(f"{len(bundle['entry'])} resources, diagnosis {diagnosis}, {RUNS} runs")
    for name, values in timings.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:>14}: median {statistics.median(values):6.1f} ms   p90 {p90:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
