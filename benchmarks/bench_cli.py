"""`igcds --help` cold start (target <= 300 ms) and peak RSS of `igcds assess` (target <= 150 MB),
measured on fresh processes.

Run: .venv/bin/python benchmarks/bench_cli.py
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_assess import large_bundle

IGCDS = str(Path(sys.executable).with_name("igcds"))
RUNS = 15


def cold_start_ms() -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([IGCDS, "--help"], capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def assess_peak_rss_mb() -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(large_bundle(), handle)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [IGCDS, "assess", handle.name, "--as-of", "2026-11-23", "--format", "json"], capture_output=True, check=True
    )
    Path(handle.name).unlink()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    help_ms = cold_start_ms()
    verdict = "meets" if help_ms <= 300 else "MISSES"
    print(f"igcds --help cold start      median {help_ms:6.1f} ms over {RUNS} runs ({verdict} <= 300 ms)")
    rss = assess_peak_rss_mb()
    verdict = "meets" if rss <= 150 else "MISSES"
    print(f"igcds assess peak RSS        {rss:6.1f} MB (500-resource Bundle) ({verdict} <= 150 MB)")


if __name__ == "__main__":
    main()
