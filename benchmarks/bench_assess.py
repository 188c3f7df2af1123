"""`assess` in-process on a 500-resource Bundle (DESIGN.md §7: median <= 2 ms, p99 <= 10 ms,
knowledge loaded once). Prints the figures for the assessment alone and for read + assess.

Run: .venv/bin/python benchmarks/bench_assess.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures import builder as b

from igcds import engine
from igcds.dosing import vials
from igcds.fhir import read
from igcds.knowledge import loader

AS_OF = date(2026, 11, 23)
RUNS = 2000
TARGET_MEDIAN_MS, TARGET_P99_MS = 2.0, 10.0


def large_bundle(size: int = 500) -> dict[str, Any]:
    """A boy with hyper-IgM and a long history: labs, infusions, infections, medications."""
    resources: list[dict[str, Any]] = [
        b.patient("bench", "male", "2012-03-01"),
        b.variant("var", "CD40LG", "2013-01-01"),
        b.weight("wt", 40, "2026-11-01"),
        b.height("ht", 150, "2026-11-01"),
    ]
    day = date(2013, 1, 1)
    index = 0
    while len(resources) < size:
        when = (day + timedelta(days=14 * index)).isoformat()
        kind = index % 6
        if kind == 0:
            resources.append(b.immune_globulin(f"ivig-{index}", when, grams=16))
        elif kind == 1:
            resources.append(b.ig(f"igg-{index}", "igg", 600 + index % 200, when))
        elif kind == 2:
            resources.append(b.ig(f"igm-{index}", "igm", 200 + index % 50, when))
        elif kind == 3:
            resources.append(b.condition(f"inf-{index}", "J01.90", "Acute sinusitis", when))
        elif kind == 4:
            resources.append(b.medication(f"med-{index}", "amoxicillin", when, end=when, status="completed"))
        else:
            resources.append(b.neutrophils(f"anc-{index}", 2.0, when))
        index += 1
    return b.bundle(*resources[:size])


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(label: str, action: Any, targeted: bool = True) -> tuple[float, float]:
    for _ in range(50):
        action()
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    median, p99 = statistics.median(samples), percentile(samples, 0.99)
    verdict = "meets" if median <= TARGET_MEDIAN_MS and p99 <= TARGET_P99_MS else "MISSES"
    targets = f"({verdict} <= {TARGET_MEDIAN_MS:g}/{TARGET_P99_MS:g} ms)" if targeted else "(no §7 target)"
    print(f"{label:<32} median {median:6.3f} ms   p99 {p99:6.3f} ms   {targets}")
    return median, p99


def main() -> None:
    kb = loader.load()
    policy = engine.default_policy(kb)
    bundle = large_bundle()
    record = read.read_bundle(bundle, AS_OF, kb)
    count = len(bundle["entry"])
    print(f"igcds assess benchmark: {count}-resource Bundle, {RUNS} runs, knowledge loaded once")
    measure("assess (record -> plan)", lambda: engine.assess(record, AS_OF, policy, kb))
    with_product = engine.DoseRequest("privigen")
    measure("assess with a product plan", lambda: engine.assess(record, AS_OF, policy, kb, with_product))

    def uncached() -> None:
        vials._nearest.cache_clear()
        engine.assess(record, AS_OF, policy, kb, with_product)

    measure("  ... vial search uncached", uncached)
    measure(
        "read + assess (Bundle -> plan)",
        lambda: engine.assess(read.read_bundle(bundle, AS_OF, kb), AS_OF, policy, kb),
        targeted=False,
    )


if __name__ == "__main__":
    main()
