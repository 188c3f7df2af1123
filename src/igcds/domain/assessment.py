"""What `igcds.assess` returns. The JSON form (DESIGN.md §5) is written by igcds.report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from igcds.domain.record import Route, Sex

Priority = Literal["routine", "urgent", "critical"]
PRIORITY_ORDER: dict[str, int] = {"critical": 0, "urgent": 1, "routine": 2}

DiagnosisCode = Literal[
    "hyper-igm-syndrome",
    "other-antibody-deficiency",
    "secondary-low-igm",
    "selective-igm-deficiency",
    "possible-selective-igm-deficiency",
    "not-igm-deficiency",
    "insufficient-data",
]
Genotype = Literal["CD40LG", "CD40", "AICDA", "UNG", "IKBKG"]
AntibodyResponse = Literal["adequate", "impaired", "unknown"]


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    met: bool
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: DiagnosisCode
    label: str
    genotype: Genotype | None
    source: Literal["computed", "recorded"]
    specific_antibody_response: AntibodyResponse
    criteria: tuple[Criterion, ...]
    suspected_cd40l_deficiency: bool = False


@dataclass(frozen=True, slots=True)
class Recommendation:
    code: str
    id: str
    priority: Priority
    title: str
    text: str
    rationale: str
    citations: tuple[str, ...]
    evidence: tuple[str, ...]
    strength: str
    evidence_quality: str
    source_divergence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dose:
    """The maintenance dose. Figures are exact; `rounded_dose_g` follows the rounding policy."""

    route: Route
    mg_per_kg: float
    interval_days: int
    weight_basis: Literal["actual", "adjusted", "ideal"]
    dosing_weight_kg: float
    dose_g: float
    rounded_dose_g: float
    rounding: str
    product: str | None
    volume_ml: float | None
    weekly_equivalent_mg_per_kg: float
    conversion_factor: float | None
    basis: str
    """How the figure was reached, in words (regimen, current dose, trough model)."""
    citations: tuple[str, ...]
    weight_ref: str


@dataclass(frozen=True, slots=True)
class DataGap:
    field: str
    effect: str


@dataclass(frozen=True, slots=True)
class PatientSummary:
    id: str
    sex: Sex
    age_years: float | None
    weight_kg: float | None
    height_cm: float | None


@dataclass(frozen=True, slots=True)
class Assessment:
    as_of: date
    knowledge_version: str
    patient: PatientSummary
    diagnosis: Diagnosis
    recommendations: tuple[Recommendation, ...]
    dose: Dose | None
    data_gaps: tuple[DataGap, ...]
    warnings: tuple[str, ...]
    disclaimer: str

    def codes(self) -> list[str]:
        return [r.code for r in self.recommendations]
