"""What a printed report says about the patient beyond the assessment's decisions: who the patient
is (name, birth date, identifier), ages in years and months, and the laboratory value behind each
piece of evidence (value in the reader's units, date, the reference range used, the resource id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.domain.record import LabResult, PatientRecord
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

IMMUNOGLOBULIN_NAMES = {"igm": "IgM", "igg": "IgG", "iga": "IgA"}
OTHER_LAB_NAMES = {
    "ige": ("IgE", "kU/L"),
    "neutrophils_absolute": ("neutrophils", "x10^3/µL"),
    "igg_subclass": ("IgG subclass", "mg/dL"),
}
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
        return self.policy.display_units

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
    def labs(self) -> dict[str, LabResult]:
        return {lab.ref: lab for lab in self.record.labs} if self.record else {}

    def reference_range(self, lab: LabResult) -> tuple[float | None, float | None, str]:
        """The range the assessment judged by (DESIGN.md §6.1): the laboratory's own when the
        Observation gives one, else the knowledge table's band for the age at the draw."""
        if lab.reference_low is not None or lab.reference_high is not None:
            return lab.reference_low, lab.reference_high, "laboratory"
        if self.birth_date is None or lab.analyte not in IMMUNOGLOBULIN_NAMES:
            return None, None, ""
        months = (lab.effective.year - self.birth_date.year) * 12 + lab.effective.month - self.birth_date.month
        months -= lab.effective.day < self.birth_date.day
        for band in self.kb.reference_ranges.bands:
            if band.max_age_months is None or months < band.max_age_months:
                low, high = getattr(band, lab.analyte)
                return low, high, "igcds age table"
        return None, None, ""

    def lab_text(self, lab: LabResult) -> str:
        """'IgM 18 mg/dL on 2025-02-01 (reference 40–230 mg/dL, laboratory)'."""
        comparator = lab.comparator or ""
        if lab.analyte in IMMUNOGLOBULIN_NAMES:
            value = f"{IMMUNOGLOBULIN_NAMES[lab.analyte]} {comparator}{self.level(lab.value)}"
            low, high, source = self.reference_range(lab)
            bounds = f"{self.number(low) if low is not None else '…'}–{self.number(high) if high is not None else '…'}"
            reference = f" (reference {bounds} {self.units}, {source})" if source else " (no reference range)"
            return f"{value} on {lab.effective.isoformat()}{reference}"
        if lab.analyte == "lymphocyte_subsets":
            return f"lymphocyte subsets measured on {lab.effective.isoformat()}"
        name, unit = OTHER_LAB_NAMES.get(lab.analyte, (lab.analyte, ""))
        name = IGG_SUBCLASS_BY_LOINC.get(lab.loinc, name)
        return f"{name} {comparator}{lab.value:g} {unit} on {lab.effective.isoformat()}".replace("  ", " ")

    def evidence(self, ref: str) -> tuple[str, str]:
        """(what the record says, the resource id): a lab's value, else just the id."""
        lab = self.labs.get(ref)
        return (self.lab_text(lab), ref) if lab else ("", ref)
