"""What `igcds.assess` returns. The JSON form (DESIGN.md §5) is written by igcds.report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from igcds.domain.dose_detail import PartVial, WeightArithmetic
from igcds.domain.judged import CurrentRegimen, LabValue
from igcds.domain.record import Route, Sex

Priority = Literal["routine", "urgent", "critical"]
PRIORITY_ORDER: dict[str, int] = {"critical": 0, "urgent": 1, "routine": 2}

DiagnosisCode = Literal[
    "hyper-igm-syndrome",
    "possible-hyper-igm-syndrome",
    "other-antibody-deficiency",
    "secondary-low-igm",
    "selective-igm-deficiency",
    "possible-selective-igm-deficiency",
    "not-igm-deficiency",
    "insufficient-data",
    "not-in-scope",
]
Genotype = Literal["CD40LG", "CD40", "AICDA", "UNG", "IKBKG"]
AntibodyResponse = Literal["adequate", "impaired", "unknown"]


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    met: bool
    evidence: tuple[str, ...] = ()
    values: tuple[LabValue, ...] = ()
    """The laboratory results among `evidence`, as judged."""
    evidence_total: int = field(default=0, compare=False)  # all it rests on (`evidence` is capped)


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
    due: date | None = None
    """The date by which to act, when the rule knows one (e.g. a post-exposure window)."""
    not_before: date | None = None
    """The earliest date to act, when the rule knows one (e.g. a vaccine after immune globulin)."""
    values: tuple[LabValue, ...] = ()
    evidence_total: int = field(default=0, compare=False)  # all it rests on (`evidence` is capped)
    safety_stop: bool = False  # declared in the knowledge base: a critical one is a critical card


@dataclass(frozen=True, slots=True)
class VialCount:
    grams: float
    ml: float
    count: int


@dataclass(frozen=True, slots=True)
class RateStep:
    """One step of an IV infusion: from `start_minute` at this rate until the next step."""

    start_minute: int
    mg_kg_min: float
    ml_h: float


@dataclass(frozen=True, slots=True)
class IvInfusionPlan:
    steps: tuple[RateStep, ...]
    max_rate_mg_kg_min: float
    total_minutes: int
    rate_weight_kg: float
    """Rates per kg of this weight (the dosing weight)."""
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScInfusionPlan:
    infusions_per_week: int | None
    """How the weekly dose is split; None for a product given at the IV interval (HyQvia)."""
    dose_per_infusion_g: float
    volume_per_infusion_ml: float
    sites: int
    ml_per_site: float
    ml_h_per_site: float
    minutes: int
    limits_for: str
    """Which label limits were used (first or later infusions, weight or age group)."""
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RampUpDose:
    week: int
    dose_g: float
    volume_ml: float


@dataclass(frozen=True, slots=True)
class TroughModel:
    """How a dose change was sized from troughs: the patient's own history or the population."""

    model: Literal["individual", "population"]
    mg_dl_per_100_mg_kg_4wk: float
    points: int
    target_mg_dl: float
    last_trough_mg_dl: float
    uncertainty: str
    citations: tuple[str, ...]


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
    product_name: str | None = None
    rounding_difference_percent: float = 0.0
    vials: tuple[VialCount, ...] = ()
    iv_infusion: IvInfusionPlan | None = None
    sc_infusion: ScInfusionPlan | None = None
    ramp_up: tuple[RampUpDose, ...] = ()
    trough_model: TroughModel | None = None
    converted_from: str | None = None
    """The IV regimen an SC dose was converted from, in words."""
    warnings: tuple[str, ...] = ()
    """Product and safety points for whoever prepares and gives the dose."""
    sc_switch: Dose | None = None
    """For a patient on IV with a reason for SC: the converted SC dose, should they switch."""
    part_vial: PartVial | None = None
    """Whole vials would move the dose beyond `vial_rounding_max_percent`: the exact dose is drawn."""
    weight_arithmetic: WeightArithmetic | None = None
    """Actual, ideal and adjusted weight with BMI, whenever height is known."""
    current: CurrentRegimen | None = None
    """The recorded regimen a continued or escalated dose starts from."""

    def cited(self) -> tuple[str, ...]:
        """Every bibliography id behind the dose, its trough model and any SC switch, in order."""
        cited = [*self.citations, *(self.trough_model.citations if self.trough_model else ())]
        if self.sc_switch:
            cited += self.sc_switch.cited()
        return tuple(dict.fromkeys(cited))


@dataclass(frozen=True, slots=True)
class TroughPoint:
    day: date
    mg_dl: float
    ref: str


@dataclass(frozen=True, slots=True)
class InfusionPoint:
    day: date
    route: Route | None
    dose_g: float | None
    ref: str


@dataclass(frozen=True, slots=True)
class InfectionPoint:
    day: date
    label: str
    severity: str
    ref: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """The series a report charts: troughs against the target, infusions, and infections before
    and after IgRT began (annualised rates over the record's span on each side)."""

    troughs: tuple[TroughPoint, ...]
    trough_target_mg_dl: float
    infusions: tuple[InfusionPoint, ...]
    infections: tuple[InfectionPoint, ...]
    igrt_started: date | None
    infections_per_year_before: float | None
    infections_per_year_on_igrt: float | None


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
    timeline: Timeline | None = None

    def codes(self) -> list[str]:
        return [r.code for r in self.recommendations]
