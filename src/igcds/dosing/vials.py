"""Vial rounding: the whole-vial total nearest the exact dose, made of the fewest vials, so no
opened vial is discarded (DESIGN.md §2.4: "nearest vial combination"); and, when that total is
too far from the dose, the smallest set of vials that covers it, from which the exact dose is drawn."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from igcds.domain.assessment import VialCount

CENTIGRAMS_PER_GRAM = 100
SEARCH_MARGIN = 2
"""Totals are searched up to this many times the largest vial above the dose: far enough for the
nearest total above, small enough to stay instant."""
SEARCHED_LARGEST_VIALS = 20
"""Beyond this many of the largest vial, the excess is dispensed in largest vials outright and only
the rest is searched, so an absurd dose (a typing error) costs no more than a real one."""


@dataclass(frozen=True, slots=True)
class VialSpec:
    grams: float
    ml: float


def nearest_vial_combination(dose_g: float, vials: Sequence[VialSpec]) -> tuple[VialCount, ...]:
    """The vial counts whose total is nearest to `dose_g` (ties go to the larger total, so a dose
    is never rounded down on a tie), with the fewest vials for that total; at least one vial."""
    if not vials:
        raise ValueError("no vial sizes")
    return _nearest(round(dose_g * CENTIGRAMS_PER_GRAM), tuple(vials), False)


def covering_vial_combination(dose_g: float, vials: Sequence[VialSpec]) -> tuple[VialCount, ...]:
    """The smallest whole-vial total at or above `dose_g` (the least left over in the last vial),
    with the fewest vials for that total: the vials opened for a part-vial dose."""
    if not vials:
        raise ValueError("no vial sizes")
    return _nearest(round(dose_g * CENTIGRAMS_PER_GRAM), tuple(vials), True)


@lru_cache(maxsize=4096)
def _nearest(dose_cg: int, vials: tuple[VialSpec, ...], covering: bool) -> tuple[VialCount, ...]:
    centigrams = sorted({round(v.grams * CENTIGRAMS_PER_GRAM) for v in vials})
    unit = math.gcd(*centigrams)  # work in the largest step every total is a multiple of
    sizes = [c // unit for c in centigrams]
    target = dose_cg / unit
    bulk = max(0, int(target // sizes[-1]) - SEARCHED_LARGEST_VIALS)
    target -= bulk * sizes[-1]
    limit = int(target) + SEARCH_MARGIN * sizes[-1]
    # fewest[t]: the fewest vials totalling exactly t centigrams; last[t]: one vial size used.
    unreachable = limit + 1
    fewest = [0] + [unreachable] * limit
    last = [0] * (limit + 1)
    for total in range(1, limit + 1):
        for size in sizes:
            if size > total:
                break
            if fewest[total - size] + 1 < fewest[total]:
                fewest[total] = fewest[total - size] + 1
                last[total] = size
    reachable = [t for t in range(1, limit + 1) if fewest[t] < unreachable and (not covering or t >= target)]
    best = min(reachable, key=lambda t: (abs(t - target), -t))
    counts: dict[int, int] = {sizes[-1]: bulk} if bulk else {}
    while best:
        counts[last[best]] = counts.get(last[best], 0) + 1
        best -= last[best]
    by_size = {round(v.grams * CENTIGRAMS_PER_GRAM) // unit: v for v in vials}
    return tuple(
        VialCount(by_size[size].grams, by_size[size].ml, count) for size, count in sorted(counts.items(), reverse=True)
    )


def clear_cache() -> None:
    """Forget memoised vial searches (benchmarks time the uncached search)."""
    _nearest.cache_clear()


def total_grams(vials: Sequence[VialCount]) -> float:
    return round(sum(v.grams * v.count for v in vials), 2)
