"""Clinical windows: 'in the last N months' includes the day after the day N months earlier and
excludes that day itself; month arithmetic clamps to the end of short months."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from igcds.rules.time_windows import months_before, whole_months_between, within_months

days = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))


def test_month_arithmetic_clamps_to_short_months() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), -1) == date(2026, 2, 15)


@given(days, st.integers(1, 36))
def test_window_boundary_pair(as_of: date, months: int) -> None:
    start = months_before(as_of, months)
    assert not within_months(start, as_of, months)
    assert within_months(start + timedelta(days=1), as_of, months)
    assert within_months(as_of, as_of, months)
    assert not within_months(as_of + timedelta(days=1), as_of, months)


@given(days, st.integers(0, 600))
def test_whole_months_between_inverts_months_before(as_of: date, months: int) -> None:
    earlier = months_before(as_of, months)
    assert whole_months_between(earlier, as_of) >= months
