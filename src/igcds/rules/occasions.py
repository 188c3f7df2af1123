"""Occasions of a laboratory finding (issue 10): results count as separate occasions only when
drawn on different days at least a minimum interval apart, so one blood draw measured twice (or
re-reported) is one occasion, not a confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from igcds.domain.record import LabResult


def occasions(results: Sequence[LabResult], min_days_apart: int) -> list[LabResult]:
    """The first result of each occasion, in date order: a result starts a new occasion when it
    was drawn at least `min_days_apart` days (and at least one day) after the last occasion."""
    found: list[LabResult] = []
    for result in sorted(results, key=lambda r: r.effective):
        if not found or (result.effective - found[-1].effective).days >= max(min_days_apart, 1):
            found.append(result)
    return found
