"""`igcds population` on generated Bulk Data exports (DESIGN.md §7): wall time against one
hand-written DuckDB query over the same NDJSON computing the simplest rule ("latest IgM < 40 mg/dL
with IgG >= 700 and IgA >= 70"), Spark local against the DuckDB engine, and the peak RSS of the
whole process tree (the run and its assessment workers) at each size.

Run: .venv/bin/python benchmarks/bench_population.py [--sizes 100000,1000000] [--no-spark]
Exports are generated once (seed 1) into $IGCDS_BENCH_DIR (default: igcds-bench in the temporary directory) and reused.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

IGCDS = str(Path(sys.executable).with_name("igcds"))
AS_OF = "2026-11-23"
HAND_QUERY = """
WITH obs AS (
    SELECT json_extract_string(json, '$.subject.reference') AS patient,
           json_extract_string(json, '$.code.coding[0].code') AS code,
           CAST(json_extract(json, '$.valueQuantity.value') AS DOUBLE) AS value,
           json_extract_string(json, '$.effectiveDateTime') AS day
    FROM read_ndjson_objects({files}, ignore_errors = true)
), latest AS (
    SELECT patient, code, arg_max(value, day) AS value FROM obs
    WHERE code IN ('2472-9', '2465-3', '2458-8') GROUP BY patient, code
)
SELECT count(*) FROM (
    SELECT patient FROM latest GROUP BY patient
    HAVING max(value) FILTER (WHERE code = '2472-9') < 40
       AND max(value) FILTER (WHERE code = '2465-3') >= 700
       AND max(value) FILTER (WHERE code = '2458-8') >= 70)
"""


def export_of(size: int, base: Path) -> Path:
    directory = base / f"export-{size}"
    if not (directory / "Patient.000.ndjson").exists():
        print(f"generating {size} patients into {directory} ...", flush=True)
        subprocess.run([IGCDS, "synth", str(size), str(directory), "--seed", "1", "--as-of", AS_OF], check=True)
    return directory


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def timed_run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak process-tree RSS (MB), sampled every 50 ms."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return elapsed, peak / 1024


def hand_query_s(export: Path) -> float:
    import duckdb

    files = sorted(str(p) for p in export.glob("Observation.*"))
    listed = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    start = time.perf_counter()
    duckdb.connect().execute(HAND_QUERY.format(files=listed)).fetchall()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000", help="comma-separated patient counts")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark engine")
    args = parser.parse_args()
    base = Path(os.environ.get("IGCDS_BENCH_DIR", Path(tempfile.gettempdir()) / "igcds-bench"))
    for size in (int(s) for s in args.sizes.split(",")):
        export = export_of(size, base)
        hand = hand_query_s(export)
        with tempfile.TemporaryDirectory() as out:
            command = [IGCDS, "population", str(export), "--as-of", AS_OF, "--out", out]
            duck_s, duck_mb = timed_run(command)
            print(f"{size} patients: hand-written DuckDB query (simplest rule) {hand:.2f} s", flush=True)
            print(
                f"  igcds population --engine duckdb  {duck_s:.2f} s  ({duck_s / hand:.2f}x the query; "
                f"target <= 1.5x)  peak RSS {duck_mb:.0f} MB (target <= 1024 MB)",
                flush=True,
            )
            if not args.no_spark:
                spark_s, spark_mb = timed_run([*command, "--engine", "spark"])
                print(
                    f"  igcds population --engine spark   {spark_s:.2f} s  ({spark_s / duck_s:.2f}x DuckDB; "
                    f"target <= 3x)  peak RSS {spark_mb:.0f} MB (JVM included)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
