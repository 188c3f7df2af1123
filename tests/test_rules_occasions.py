"""Occasions are distinct draws at least the minimum interval apart (issue 10 item 6)."""

from __future__ import annotations

from datetime import date

from igcds.domain.record import LabResult
from igcds.rules.occasions import occasions


def igm(day: str, ref: str) -> LabResult:
    return LabResult("igm", 15, date.fromisoformat(day), ref)


def test_one_draw_reported_twice_is_one_occasion() -> None:
    results = [igm("2026-11-01", "Observation/a"), igm("2026-11-01", "Observation/b")]
    assert [r.ref for r in occasions(results, 0)] == ["Observation/a"]


def test_draws_closer_than_the_interval_are_one_occasion() -> None:
    results = [
        igm("2026-10-01", "Observation/a"),
        igm("2026-10-28", "Observation/b"),
        igm("2026-10-29", "Observation/c"),
    ]
    assert [r.ref for r in occasions(results, 28)] == ["Observation/a", "Observation/c"]


def test_each_occasion_is_measured_from_the_last_one_counted() -> None:
    days = ["2026-01-01", "2026-01-20", "2026-02-10", "2026-03-01"]
    results = [igm(day, f"Observation/{i}") for i, day in enumerate(days)]
    assert [r.ref for r in occasions(results, 28)] == ["Observation/0", "Observation/2"]
