"""What the treatment rules decided about immunoglobulin replacement, for the dose plan, and the
review of an ordered or recorded dose against igcds' dose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from igcds.domain.assessment import Dose
from igcds.domain.record import LabResult, Route


@dataclass(frozen=True, slots=True)
class IgrtPlan:
    """Start, continue or escalate IgRT by `route`; `trough` is the last trough behind it."""

    intent: Literal["start", "continue", "escalate"]
    route: Route
    reason: str
    trough: LabResult | None = None


@dataclass(frozen=True, slots=True)
class DoseReview:
    """An ordered or recorded immune globulin dose checked against igcds' dose (`planned`)."""

    ref: str
    ordered_g: float
    ordered_mg_per_kg: float
    """Per kg of the planned dose's dosing weight."""
    planned: Dose
    ceiling_mg_per_kg: float
    """The site's ceiling (`max_mg_per_kg_4wk`) scaled to the planned interval."""
    above_ceiling: bool
    difference_percent: float
    """From the planned rounded dose, in grams (negative: less than planned)."""
    within_tolerance: bool
    """No more than `order_dose_tolerance_percent` from the planned dose."""

    @property
    def needs_attention(self) -> bool:
        return self.above_ceiling or not self.within_tolerance
