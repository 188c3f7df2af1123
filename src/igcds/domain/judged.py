"""The facts behind a decision, as the core judged them, so every shell presents the same figures:
each laboratory value with the reference range it was judged by, and the immune globulin regimen a
continued or escalated dose starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from igcds.domain.record import Route

RangeSource = Literal["lab", "igcds age table"]


@dataclass(frozen=True, slots=True)
class LabValue:
    """One laboratory result as judged: the value in its canonical unit (immunoglobulins mg/dL) and
    the range used (DESIGN.md §6.1: the lab's own, else the knowledge age-band table). The range
    is None for results igcds judges by a policy threshold or not at all."""

    ref: str
    analyte: str
    loinc: str
    value: float
    comparator: str | None
    unit: str
    date: dt.date
    reference_low: float | None
    reference_high: float | None
    reference_source: RangeSource | None


@dataclass(frozen=True, slots=True)
class CurrentRegimen:
    """The recorded immune globulin regimen a continued or escalated dose starts from."""

    route: Route
    dose_g: float | None
    """As recorded; None when the record gives only mg/kg."""
    mg_per_kg: float
    """Per kg of the dosing weight when the record gives grams."""
    interval_days: int
    interval_recorded: bool
    """False when the interval was not recorded and the route's default was taken."""
    given: dt.date | None
    ref: str
