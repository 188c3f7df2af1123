"""The patient record as igcds reads it: only the facts the pathways use, already in canonical
units and without what does not count (entered-in-error, refuted, cancelled). Every fact keeps its
date: which facts exist, and which are still in effect, as of an assessment date is decided once,
in the core (`PatientRecord.as_known_on`), never by the reader.

Codes are kept as (system, code) pairs; which value set a code belongs to is knowledge, decided in
`igcds.rules.context`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
class TestPerformed:
    """A test whose result igcds does not read, only that it was done (lymphocyte subsets)."""

    analyte: str
    effective: date
    ref: str


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
    clinically_active: bool
    """The clinical status does not say inactive, in remission or resolved."""
    abated: date | None
    ref: str

    def active_on(self, day: date) -> bool:
        return self.clinically_active and (self.abated is None or self.abated > day)


@dataclass(frozen=True, slots=True)
class MedicationUse:
    """A medication statement, request or administration, reduced to what the rules use."""

    kind: Literal["statement", "request", "administration"]
    codings: tuple[Coding, ...]
    names: str
    """Lower-case text to match drug names against: medication text and coding displays."""
    start: date | None
    end: date | None
    in_effect: bool
    """The status says in effect (active / in-progress / on-hold, or a completed administration,
    which is an event rather than a state)."""
    ref: str
    stated_prophylaxis: bool = False
    route: Route | None = None
    dose_g: float | None = None
    dose_mg_per_kg: float | None = None

    def active_on(self, day: date) -> bool:
        return self.in_effect and (self.end is None or self.end >= day)


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
    effective: date | None = None
    homozygous_or_hemizygous: bool = False
    """The allelic state is recorded as homozygous or hemizygous (not merely 'not heterozygous')."""


@dataclass(frozen=True, slots=True)
class Fact:
    """A project-defined fact (system urn:igcds:fact): a boolean or a coded answer."""

    code: str
    value: bool | str
    effective: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class InfusionReaction:
    """A recorded reaction that names an immune globulin, or an adverse event pointing at a
    medication record (`suspects`): the core counts it when that record is an immune globulin."""

    text: str
    when: date | None
    ref: str
    severe: bool = False
    """Anaphylaxis, high criticality, or a severe or serious event."""
    suspects: tuple[str, ...] = ()
    """References of the administrations or medications the event points at."""
    names_immune_globulin: bool = True


@dataclass(frozen=True, slots=True)
class ReaderNote:
    """Something the reader passed over that a clinician should know (an unreadable optional
    value), dated when the resource it concerns is."""

    text: str
    effective: date | None = None


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
    tests_performed: tuple[TestPerformed, ...] = ()
    notes: tuple[ReaderNote, ...] = field(default=())
    """Shown as warnings."""

    name: str | None = None
    """The official (else first) HumanName as printed on a report; identity only, never a rule input."""
    identifier: PatientIdentifier | None = None

    def as_known_on(self, as_of: date) -> PatientRecord:
        """The record as it stood on `as_of`: facts dated later do not exist (DESIGN.md §6.1), and
        each result left out for that is named in a note (notes in date order, whatever the order
        of the resources). A vaccine order is pending whatever its date."""
        later = [
            ReaderNote(f"{ref}: dated {day.isoformat()}, after the assessment date {as_of.isoformat()}: not used")
            for ref, day in (
                *((r.ref, r.effective) for r in self.labs),
                *((m.ref, m.effective) for m in (*self.weights, *self.heights)),
                *((t.ref, t.effective) for t in self.tests_performed),
                *((v.ref, v.effective) for v in self.variants),
                *((f.ref, f.effective) for f in self.facts),
            )
            if day is not None and day > as_of
        ]
        notes = [n for n in self.notes if n.effective is None or n.effective <= as_of]
        return replace(
            self,
            labs=tuple(r for r in self.labs if r.effective <= as_of),
            weights=tuple(m for m in self.weights if m.effective <= as_of),
            heights=tuple(m for m in self.heights if m.effective <= as_of),
            conditions=tuple(c for c in self.conditions if c.onset is None or c.onset <= as_of),
            medications=tuple(m for m in self.medications if m.start is None or m.start <= as_of),
            vaccines=tuple(v for v in self.vaccines if v.ordered or v.when is None or v.when <= as_of),
            variants=tuple(v for v in self.variants if v.effective is None or v.effective <= as_of),
            facts=tuple(f for f in self.facts if f.effective is None or f.effective <= as_of),
            reactions=tuple(r for r in self.reactions if r.when is None or r.when <= as_of),
            tests_performed=tuple(t for t in self.tests_performed if t.effective <= as_of),
            notes=listed(sorted([*notes, *later], key=lambda n: (n.effective or date.min, n.text))),
        )


# At most this many notes are listed, then a count of the rest: a record of thousands of
# preliminary or later results must not bury the warnings that matter.
MAX_NOTES = 20


def listed(notes: list[ReaderNote]) -> tuple[ReaderNote, ...]:
    """The first MAX_NOTES notes and, when there are more, one more note counting the rest."""
    if len(notes) <= MAX_NOTES:
        return tuple(notes)
    return (*notes[:MAX_NOTES], ReaderNote(f"{len(notes) - MAX_NOTES} more results were left out (not listed)"))
