"""What a printed report says about the patient beyond the assessment's decisions: who the patient
is (name, birth date, identifier), ages in years and months, and the laboratory value behind each
piece of evidence (value in the reader's units, date, the reference range the core judged it by,
the resource id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.domain.judged import LabValue
from igcds.domain.record import PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

IMMUNOGLOBULIN_NAMES = {"igm": "IgM", "igg": "IgG", "iga": "IgA"}
OTHER_LAB_NAMES = {"ige": "IgE", "neutrophils_absolute": "neutrophils", "igg_subclass": "IgG subclass"}
OTHER_LAB_UNITS = {"10*3/uL": "x10^3/µL"}
"""How a reader writes the core's UCUM units."""
IGG_SUBCLASS_BY_LOINC = {"2466-1": "IgG1", "2467-9": "IgG2", "2468-7": "IgG3", "2469-5": "IgG4"}
MG_DL_PER_G_L = 100


def years_and_months(born: date, on: date) -> str:
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    return _plural_age(months // 12, months % 12)


def _plural_age(years: int, months: int) -> str:
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


@dataclass(frozen=True)
class ReportFacts:
    """The assessment with the record it came from and the site policy, for presentation only."""

    assessment: Assessment
    kb: KnowledgeBase
    record: PatientRecord | None
    policy: Policy

    @classmethod
    def of(
        cls, a: Assessment, kb: KnowledgeBase, record: PatientRecord | None = None, policy: Policy | None = None
    ) -> ReportFacts:
        return cls(a, kb, record, policy or engine.default_policy(kb))

    @property
    def units(self) -> str:
        return self.policy.report.display_units

    def level(self, mg_dl: float) -> str:
        """An immunoglobulin level in the display units (igcds computes in mg/dL)."""
        return f"{self.number(mg_dl)} {self.units}"

    def number(self, mg_dl: float) -> str:
        return f"{mg_dl:g}" if self.units == "mg/dL" else f"{round(mg_dl / MG_DL_PER_G_L, 2):g}"

    # --- identity ---------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return (self.record.name if self.record else None) or f"Patient {self.assessment.patient.id}"

    @property
    def named(self) -> bool:
        """Whether the record gives a name or an identifier (beyond igcds' own resource id)."""
        return self.record is not None and (self.record.name is not None or self.record.identifier is not None)

    @property
    def birth_date(self) -> date | None:
        return self.record.birth_date if self.record else None

    def age(self) -> str:
        if self.birth_date:
            return years_and_months(self.birth_date, self.assessment.as_of)
        years = self.assessment.patient.age_years
        if years is None:
            return "age unknown"
        return _plural_age(int(years), min(11, int((years - int(years)) * 12)))

    @property
    def identifier(self) -> str:
        found = self.record.identifier if self.record else None
        return f"{found.label} {found.value}" if found else f"record id {self.assessment.patient.id}"

    def header(self) -> str:
        """The running header of every printed page: enough to trace a loose page to its patient."""
        parts = [self.name]
        if self.record is not None:
            parts.append(f"born {self.birth_date.isoformat()}" if self.birth_date else "birth date not recorded")
        parts += [self.identifier, f"as of {self.assessment.as_of.isoformat()}"]
        return " · ".join(parts)

    def patient_line(self) -> str:
        p = self.assessment.patient
        weight = f"{p.weight_kg:g} kg" if p.weight_kg is not None else "weight not recorded"
        height = f", {p.height_cm:g} cm" if p.height_cm is not None else ""
        return f"{p.sex}, {self.age()}, {weight}{height}"

    # --- laboratory evidence ----------------------------------------------------------------------

    @cached_property
    def labs(self) -> dict[str, LabValue]:
        """Every laboratory value the core judged, by resource reference."""
        a = self.assessment
        judged = [v for c in a.diagnosis.criteria for v in c.values]
        judged += [v for rec in a.recommendations for v in rec.values]
        return {value.ref: value for value in judged}

    def lab_text(self, lab: LabValue) -> str:
        """'IgM 18 mg/dL on 2025-02-01 (reference 40–230 mg/dL, laboratory)': the value and the range
        the core judged it by."""
        comparator = lab.comparator or ""
        if lab.analyte in IMMUNOGLOBULIN_NAMES:
            value = f"{IMMUNOGLOBULIN_NAMES[lab.analyte]} {comparator}{self.level(lab.value)}"
            if lab.reference_source is None:
                return f"{value} on {lab.date.isoformat()} (no reference range)"
            bounds = f"{self._bound(lab.reference_low)}–{self._bound(lab.reference_high)}"
            return f"{value} on {lab.date.isoformat()} (reference {bounds} {self.units}, {_source(lab)})"
        name = IGG_SUBCLASS_BY_LOINC.get(lab.loinc, OTHER_LAB_NAMES.get(lab.analyte, lab.analyte))
        text = f"{name} {comparator}{lab.value:g} {_unit(lab)} on {lab.date.isoformat()}".replace("  ", " ")
        if lab.reference_source is not None:  # an IgG subclass, judged by the laboratory's range
            low, high = (f"{b:g}" if b is not None else "…" for b in (lab.reference_low, lab.reference_high))
            text += f" (reference {low}–{high} {_unit(lab)}, {_source(lab)})"
        return text

    def _bound(self, limit: float | None) -> str:
        return self.number(limit) if limit is not None else "…"

    def evidence(self, ref: str) -> tuple[str, str]:
        """(what the record says, the resource id): a lab's value, else just the id."""
        lab = self.labs.get(ref)
        return (self.lab_text(lab), ref) if lab else ("", ref)


def _source(lab: LabValue) -> str:
    return "laboratory" if lab.reference_source == "lab" else str(lab.reference_source)


def _unit(lab: LabValue) -> str:
    return OTHER_LAB_UNITS.get(lab.unit, lab.unit)
