"""What the dose plan is given: the caller's request, and the patient's dosing facts as the rules
read them (weights, the dose on record, risks, and the products excluded after a reaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from igcds.domain.record import Measurement, MedicationUse


@dataclass(frozen=True, slots=True)
class DoseRequest:
    """What the caller fixed about the dose: a product id (DESIGN.md §4 `--product`)."""

    product: str | None = None


@dataclass(frozen=True, slots=True)
class DosingFacts:
    """What the dose plan needs from the record, interpreted by the rules."""

    weight: Measurement | None
    height_cm: float | None
    sex: str
    age_years: float | None
    pregnant: bool
    current_dose: MedicationUse | None
    """The last dose of current therapy (continuing, escalating)."""
    previous_dose: MedicationUse | None
    """The last dose on record, current or lapsed (a restart resumes it)."""
    interval_days: int | None
    dose_at_each_trough: tuple[tuple[float, float, date], ...] = ()
    thrombosis_risk: bool = False
    renal_risk: bool = False
    sc_switch_advised: bool = False
    """A reason for SC applies to a patient on IV: the dose carries the converted SC dose."""
    excluded: tuple[tuple[str, str], ...] = ()
    """(product id, why) for each product not planned for this patient: reacted to, or a label
    contraindication matching the record (the rules' product choice, which the card follows)."""
    preferred_iv: str | None = None
    """After a reaction with anti-IgA antibodies or absent IgA: the lowest-IgA IV product left."""
    withheld: str | None = None
    """Why no product may be planned (the product behind a reaction is unknown)."""
    weights: tuple[Measurement, ...] = ()
    """Every weight on record: in pregnancy the regimen's mg/kg is read on the weight of its day."""
    breakthrough: tuple[str, ...] = ()
    """The breakthrough infections behind an escalation, in words."""
