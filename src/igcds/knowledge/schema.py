"""Schemas of the knowledge files. Unknown keys are errors (`extra="forbid"`), so a typo in a data
file fails loudly at load time instead of being ignored."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from igcds.knowledge.guideline_schema import Guideline, Guidelines, GuidelineSection
from igcds.knowledge.measure_schema import Measure, MeasureCriterion, Measures
from igcds.knowledge.product_schema import (
    Catalogue,
    IvInfusion,
    Product,
    RampUpStep,
    ScInfusion,
    SiteLimit,
    VialSize,
)
from igcds.knowledge.reference_range_schema import AgeBand, ReferenceRanges
from igcds.knowledge.schedule_schema import (
    IntervalRow,
    MeaslesProphylaxis,
    PjpInfant,
    PjpOrder,
    Schedules,
    VaccineInterval,
)
from igcds.knowledge.scope_schema import RecordCriterion, Scope, WarningSign
from igcds.knowledge.strict import Strict

# The product catalogue, schedule, scope, guideline, measure and reference-range schemas live in their
# own modules and are part of this module's names.
__all__ = [
    "AgeBand",
    "Catalogue",
    "Guideline",
    "GuidelineSection",
    "Guidelines",
    "IntervalRow",
    "IvInfusion",
    "MeaslesProphylaxis",
    "Measure",
    "MeasureCriterion",
    "Measures",
    "PjpInfant",
    "PjpOrder",
    "Product",
    "RampUpStep",
    "RecordCriterion",
    "ReferenceRanges",
    "ScInfusion",
    "Schedules",
    "Scope",
    "SiteLimit",
    "Strict",
    "VaccineInterval",
    "VialSize",
    "WarningSign",
]


# --- bibliography --------------------------------------------------------------------------------


class Reference(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    authors: str | None
    title: str
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str
    """The canonical record a clinician is shown (DOI, PubMed/PMC, DailyMed, FDA, CDC, the publisher
    or the society); its host must be on the allowlist in `citation_hosts`."""
    read_at: list[str] = Field(default_factory=list)
    """Where the text was actually read (mirrors, copies): the audit trail, never shown as the link."""
    kind: Literal["primary", "secondary"] = "primary"
    """`secondary`: the cited work itself only reports or summarises a primary source (a drug
    monograph, a point-of-care summary, a preprint, a product sheet); weaker than the primary."""
    verification: Literal["verified", "verified-secondary", "partial"]
    verified_content: str
    unverified_fields: list[str] = Field(default_factory=list)
    dossier: str


class Bibliography(Strict):
    references: list[Reference]


# --- recommendations and divergences -------------------------------------------------------------


class RecommendationEntry(Strict):
    id: str = Field(pattern=r"^[A-Z]+(-[A-Z0-9]+)+$")
    code: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    pathway: Literal["hyper-igm", "igm-deficiency", "igrt", "workup"]
    priority: Literal["routine", "urgent", "critical"]
    title: str = Field(max_length=80)
    statement: str
    rationale: str
    strength: Literal["strong", "weak", "consensus"]
    evidence_quality: Literal["high", "moderate", "low", "very-low"]
    grade_note: str | None = None
    citations: list[str] = Field(min_length=1)
    source_divergence: list[str] = Field(default_factory=list)
    fires_on_absence: bool = False
    """True when a missing fact (a test not done, no genotype, no secondary cause recorded) is what
    decides that the recommendation fires, so it may legitimately cite no record fact."""
    safety_stop: bool = False
    """A patient-safety stop (a live vaccine, no product that can be given safely): when critical,
    the one kind of finding an EHR shows as a `critical` CDS Hooks card."""


class Recommendations(Strict):
    disclaimer: str
    recommendations: list[RecommendationEntry]


class Divergence(Strict):
    id: str = Field(pattern=r"^div-[a-z0-9-]+$")
    source_document: Literal["igm-deficiency", "hyper-igm"]
    claim: str
    finding: Literal["unverified", "not-supported", "partial", "corrected"]
    igcds_position: str
    citations: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)


class Divergences(Strict):
    divergences: list[Divergence]


# --- value sets ------------------------------------------------------------------------------------


class ObservationSet(Strict):
    codes: list[str] = Field(min_length=1)
    source: str


class VariantProfile(Strict):
    code: str
    present_answers: list[str]
    gene_component: str
    gene_system: str
    significance_component: str
    excluded_significance_answers: list[str]
    zygosity_component: str | None = None
    heterozygous_answers: list[str] = Field(default_factory=list)
    homozygous_or_hemizygous_answers: list[str] = Field(default_factory=list)


class ConditionSet(Strict):
    label: str
    icd10cm: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    source: str


class InfectionClass(Strict):
    id: str
    label: str
    icd10cm: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    severity: Literal["non-severe", "severe", "life-threatening"]
    bacterial: bool | None
    opportunistic: bool = False
    source: str


class MedicationSet(Strict):
    label: str
    rxnorm: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    exclude_names: list[str] = Field(default_factory=list)
    source: str


class CodeSet(Strict):
    codes: list[str]
    source: str


class NameSet(Strict):
    names: list[str]
    source: str


class VaccineSets(Strict):
    live_cvx: CodeSet
    live_names: NameSet
    measles_varicella_cvx: CodeSet
    measles_varicella_names: NameSet


class RouteSet(Strict):
    snomed: list[str]
    text: list[str]
    source: str


class Omitted(Strict):
    code: str
    system: str
    note: str


class ValueSets(Strict):
    version: str
    observations: dict[str, ObservationSet]
    variant: VariantProfile
    genes: dict[str, str]
    conditions: dict[str, ConditionSet]
    infections: list[InfectionClass]
    medications: dict[str, MedicationSet]
    vaccines: VaccineSets
    routes: dict[Literal["intravenous", "subcutaneous"], RouteSet]
    unverified_omitted: list[Omitted] = Field(default_factory=list)


# --- site policy -----------------------------------------------------------------------------------


# The sections `Policy` is grouped in (`policy.dosing.max_mg_per_kg_4wk`); each key names one.
PolicySection = Literal[
    "dosing", "trough", "infections", "scope", "diagnosis", "igrt_history", "products_and_infusion", "report"
]


class PolicyKey(Strict):
    section: PolicySection
    default: str | int | float
    choices: list[str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str
    basis: str
    citations: list[str]


class PolicyFile(Strict):
    version: str
    keys: dict[str, PolicyKey]
