"""The patient record as igcds reads it: only the facts the pathways use, already in canonical
units and already filtered (nothing entered-in-error, nothing dated after `as_of`).

Codes are kept as (system, code) pairs; which value set a code belongs to is knowledge, decided in
`igcds.rules.context`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Route = Literal["IV", "SC"]
Sex = Literal["male", "female", "other", "unknown"]


@dataclass(frozen=True, slots=True)
class Coding:
    system: str
    code: str
    display: str = ""


@dataclass(frozen=True, slots=True)
class LabResult:
    """A laboratory value in its canonical unit (immunoglobulins mg/dL, neutrophils 10*3/uL)."""

    analyte: str
    value: float
    effective: date
    ref: str
    comparator: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    loinc: str = ""

    @property
    def is_upper_bound(self) -> bool:
        """A result such as '<5 mg/dL': the true value lies below the number."""
        return self.comparator in {"<", "<="}


@dataclass(frozen=True, slots=True)
class Measurement:
    """Body weight (kg) or height (cm)."""

    value: float
    effective: date
    ref: str


@dataclass(frozen=True, slots=True)
class Condition:
    codings: tuple[Coding, ...]
    text: str
    onset: date | None
    active: bool
    ref: str


@dataclass(frozen=True, slots=True)
class MedicationUse:
    """A medication statement, request or administration, reduced to what the rules use."""

    kind: Literal["statement", "request", "administration"]
    codings: tuple[Coding, ...]
    names: str
    """Lower-case text to match drug names against: medication text and coding displays."""
    start: date | None
    end: date | None
    active: bool
    """Still in effect at `as_of` (status active / in-progress / on-hold, or a completed
    administration, which is an event rather than a state)."""
    ref: str
    stated_prophylaxis: bool = False
    route: Route | None = None
    dose_g: float | None = None
    dose_mg_per_kg: float | None = None


@dataclass(frozen=True, slots=True)
class VaccineEvent:
    """A vaccine given (Immunization) or ordered (MedicationRequest / Immunization not yet given)."""

    codings: tuple[Coding, ...]
    names: str
    when: date | None
    ordered: bool
    ref: str


@dataclass(frozen=True, slots=True)
class Variant:
    gene: str
    """HGNC symbol (CD40LG, CD40, AICDA, UNG, IKBKG, …)."""
    heterozygous: bool
    ref: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A project-defined fact (system urn:igcds:fact): a boolean or a coded answer."""

    code: str
    value: bool | str
    effective: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class InfusionReaction:
    text: str
    when: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class PatientIdentifier:
    """The identifier a printed report shows: the medical record number when one is typed MR."""

    label: str
    """MRN for a medical record number, else the identifier type's text, else its system."""
    value: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    patient_id: str
    ref: str
    sex: Sex
    birth_date: date | None
    labs: tuple[LabResult, ...] = ()
    weights: tuple[Measurement, ...] = ()
    heights: tuple[Measurement, ...] = ()
    conditions: tuple[Condition, ...] = ()
    medications: tuple[MedicationUse, ...] = ()
    vaccines: tuple[VaccineEvent, ...] = ()
    variants: tuple[Variant, ...] = ()
    facts: tuple[Fact, ...] = ()
    reactions: tuple[InfusionReaction, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Things the reader passed over that a clinician should know (e.g. an unreadable optional
    value); shown as warnings."""
    name: str | None = None
    """The official (else first) HumanName as printed on a report; identity only, never a rule input."""
    identifier: PatientIdentifier | None = None
