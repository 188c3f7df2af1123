"""Body weights that cannot all be true (issue 10): two weights close in time but far apart in
value mean one of them is wrong (a unit, a typing error, another patient's). Dosing on either
would be a guess, so the dose waits until the weight is confirmed."""

from __future__ import annotations

from collections.abc import Sequence

from igcds.domain.record import Measurement
from igcds.knowledge.plausibility import WeightChange


def conflicting_weights(weights: Sequence[Measurement], limit: WeightChange) -> tuple[Measurement, Measurement] | None:
    """The lowest and highest of the weights within `limit.within_days` of the latest one (by
    date), when they differ by more than `limit.max_change_percent` of the lowest; else None.
    `weights` are in date order."""
    if len(weights) < 2:
        return None
    latest = weights[-1].effective
    recent = [w for w in weights if (latest - w.effective).days <= limit.within_days]
    lowest = min(recent, key=lambda w: w.value)
    highest = max(recent, key=lambda w: w.value)
    if (highest.value - lowest.value) / lowest.value * 100 <= limit.max_change_percent:
        return None
    return (lowest, highest) if lowest.effective <= highest.effective else (highest, lowest)


def conflict_effect(pair: tuple[Measurement, Measurement]) -> str:
    """The data gap's effect, naming both Observations."""
    first, second = pair
    return (
        f"{first.ref} ({first.value:g} kg on {first.effective.isoformat()}) and {second.ref} "
        f"({second.value:g} kg on {second.effective.isoformat()}) cannot both be right: no dose "
        "until the weight is confirmed"
    )
