"""Calendar arithmetic for clinical windows ("in the last 12 months", "age in months")."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

DAYS_PER_YEAR = 365.25


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def whole_months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months - 1 if end.day < start.day else months


def years_between(start: date, end: date) -> float:
    return (end - start).days / DAYS_PER_YEAR


def within_months(day: date, as_of: date, months: int) -> bool:
    """True when `day` lies in the window of `months` ending at `as_of`; the day exactly
    `months` earlier is outside it."""
    return months_before(as_of, months) < day <= as_of
