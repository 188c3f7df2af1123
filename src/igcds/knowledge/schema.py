"""Schemas of the knowledge files. Unknown keys are errors (`extra="forbid"`), so a typo in a data
file fails loudly at load time instead of being ignored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    read_at: list[str] = []
    """Where the text was actually read (mirrors, copies): the audit trail, never shown as the link."""
    kind: Literal["primary", "secondary"] = "primary"
    """`secondary`: the cited work itself only reports or summarises a primary source (a drug
    monograph, a point-of-care summary, a preprint, a product sheet); weaker than the primary."""
    verification: Literal["verified", "verified-secondary", "partial"]
    verified_content: str
    unverified_fields: list[str] = []
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
    source_divergence: list[str] = []
    fires_on_absence: bool = False
    """True when a missing fact (a test not done, no genotype, no secondary cause recorded) is what
    decides that the recommendation fires, so it may legitimately cite no record fact."""


class Recommendations(Strict):
    disclaimer: str
    recommendations: list[RecommendationEntry]


class Divergence(Strict):
    id: str = Field(pattern=r"^div-[a-z0-9-]+$")
    source_document: Literal["igm-deficiency", "hyper-igm"]
    claim: str
    finding: Literal["unverified", "not-supported", "partial", "corrected"]
    igcds_position: str
    citations: list[str] = []
    recommendations: list[str] = []


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
    heterozygous_answers: list[str] = []


class ConditionSet(Strict):
    label: str
    icd10cm: list[str] = []
    snomed: list[str] = []
    source: str


class InfectionClass(Strict):
    id: str
    label: str
    icd10cm: list[str] = []
    snomed: list[str] = []
    severity: Literal["non-severe", "severe", "life-threatening"]
    bacterial: bool | None
    opportunistic: bool = False
    source: str


class MedicationSet(Strict):
    label: str
    rxnorm: list[str] = []
    names: list[str] = []
    exclude_names: list[str] = []
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
    unverified_omitted: list[Omitted] = []


# --- reference ranges ------------------------------------------------------------------------------


class AgeBand(Strict):
    min_age_months: int = Field(ge=0)
    max_age_months: int | None
    igm: tuple[float, float]
    igg: tuple[float, float]
    iga: tuple[float, float]


class ReferenceRanges(Strict):
    version: str
    name: str
    citation: str
    unit: Literal["mg/dL"]
    note: str
    bands: list[AgeBand] = Field(min_length=1)


# --- site policy -----------------------------------------------------------------------------------


class PolicyKey(Strict):
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


# --- product catalogue -----------------------------------------------------------------------------


class VialSize(Strict):
    grams: float = Field(gt=0)
    ml: float = Field(gt=0)


class IvInfusion(Strict):
    """Label infusion rates for primary immunodeficiency, in mg/kg/min."""

    initial_rate_mg_kg_min: float = Field(gt=0)
    initial_minutes: int | None = Field(default=None, gt=0)
    """How long the initial rate runs; when the label does not say, the site's step interval."""
    max_rate_mg_kg_min: float = Field(gt=0)
    at_risk_max_rate_mg_kg_min: float | None = Field(default=None, gt=0)
    """A lower maximum the label states for patients at risk of renal dysfunction or thrombosis."""


class SiteLimit(Strict):
    """Per-site volume and rate for a group of patients and infusions, as the label splits them."""

    infusions: Literal["first", "later", "all"]
    min_weight_kg: float | None = None
    max_weight_kg: float | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    ml_per_site: float = Field(gt=0)
    ml_h_per_site: float = Field(gt=0)
    max_ml_h_all_sites: float | None = Field(default=None, gt=0)


class RampUpStep(Strict):
    week: int = Field(ge=1)
    dose_weeks: int = Field(ge=1)
    """The infusion gives this many weeks' worth of the maintenance dose."""


class ScInfusion(Strict):
    frequency: Literal["weekly", "as-iv"]
    """`weekly`: the weekly dose (may be split); `as-iv`: the IV dose and interval, 1:1 (HyQvia)."""
    conversion_factor: float | None = Field(default=None, gt=0)
    """US-label IVIG -> SCIG dose-adjustment factor; null when the label figure is not verified."""
    first_infusions: int = Field(default=1, ge=1)
    """How many infusions the `first` site limits apply to."""
    site_limits: list[SiteLimit] = []
    """Empty when no per-site volume and rate were verified: no site plan is then computed."""
    max_sites: int | None = Field(default=None, ge=1)
    ramp_up: dict[int, list[RampUpStep]] = {}
    """Ramp-up schedule by maintenance interval in weeks (HyQvia)."""


class Product(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    names: list[str] = Field(min_length=1)
    """Lower-case names to recognise the product in a record's medication text."""
    label: str
    """Bibliography id of the label text the figures come from."""
    label_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2})?$")
    concentration_percent: float = Field(gt=0, le=30)
    routes: list[Literal["IV", "SC"]] = Field(min_length=1)
    vials: list[VialSize] = []
    stabiliser: str | None
    contains_sucrose: bool | None
    """None when no label text said (listed under `unverified`)."""
    iga_ug_per_ml: float | None = None
    iga_qualifier: Literal["mean", "max", "less-than"] | None = None
    iv: IvInfusion | None = None
    sc: ScInfusion | None = None
    contraindications: list[str] = []
    """The label's contraindications as its text gives them; cited under sources['contraindications']."""
    notes: list[str] = []
    sources: dict[str, list[str]] = {}
    """Figures from sources other than `label`: field path -> bibliography ids."""
    unverified: dict[str, str] = {}
    """Figures left out because no label text confirmed them: field name -> what was tried."""


class Catalogue(Strict):
    version: str
    products: list[Product] = Field(min_length=1)


# --- schedules: label and ACIP figures the rules time things by ------------------------------------


class IntervalRow(Strict):
    up_to_mg_per_kg: float = Field(gt=0)
    months: int = Field(gt=0)


class VaccineInterval(Strict):
    """Months to wait after an IGIV dose before a measles- or varicella-containing vaccine."""

    rows: list[IntervalRow] = Field(min_length=1)
    citations: list[str] = Field(min_length=1)
    note: str


class MeaslesProphylaxis(Strict):
    post_exposure_mg_per_kg: float = Field(gt=0)
    within_days: int = Field(gt=0)
    at_risk_min_iv_mg_per_kg: float = Field(gt=0)
    at_risk_min_sc_mg_per_kg_week: float = Field(gt=0)
    citations: list[str] = Field(min_length=1)
    sc_citations: list[str] = Field(min_length=1)


class PjpOrder(Strict):
    drug_text: str
    adult_from_age_years: float
    adult_dosage: str
    child_dosage: str
    citations: list[str] = Field(min_length=1)


class Schedules(Strict):
    version: str
    vaccine_interval_after_igiv: VaccineInterval
    measles: MeaslesProphylaxis
    pjp_tmp_smx_order: PjpOrder


# --- guideline documents ---------------------------------------------------------------------------


class GuidelineSection(Strict):
    title: str
    recommendations: list[str] = []
    policy: list[str] = []


class Guideline(Strict):
    title: str
    source_document: Literal["igm-deficiency", "hyper-igm"]
    summary: str
    sections: list[GuidelineSection] = Field(min_length=1)


class Guidelines(Strict):
    version: str
    guidelines: dict[Literal["igm-deficiency", "hyper-igm"], Guideline]


# --- scope: when igcds speaks at all (scope.yaml) --------------------------------------------------


class RecordCriterion(Strict):
    """One fact on record that brings a patient into scope; exactly one kind is set."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    label: str
    observations: list[str] = []
    icd10cm: list[str] = []
    medications: list[str] = []
    variants: bool = False
    facts: bool = False
    igcds_choice: str | None = None
    citations: list[str] = Field(min_length=1)


class WarningSign(Strict):
    """A published warning sign of primary immunodeficiency, counted from recorded infections."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    label: str
    infections: list[str] | Literal["any"]
    count_key: str | None = None
    """Policy key holding the number of episodes; none means one episode is the sign."""
    window_key: str
    iv_antibiotic_days_key: str | None = None
    """When set, an episode counts only if an IV antibiotic starts within these days of its onset."""
    below_age_years: float | None = None
    from_age_years: float | None = None
    source_says: str
    igcds_choice: str | None = None
    citations: list[str] = Field(min_length=1)


class Scope(Strict):
    version: str
    out_of_scope: str
    record_criteria: list[RecordCriterion] = Field(min_length=1)
    warning_signs: list[WarningSign] = Field(min_length=1)


# --- population quality measures ------------------------------------------------------------------


class MeasureCriterion(Strict):
    """Holds when every given field holds for a patient's assessment."""

    diagnoses: list[str] = []
    recommendations: list[str] = []  # any one of these knowledge-base recommendation ids
    priority: Literal["routine", "urgent", "critical"] | None = None  # of the matching recommendation
    has_trough: bool | None = None
    trough_within_days: int | None = Field(default=None, ge=1)
    trough_at_target: bool | None = None


class Measure(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    description: str
    improvement: Literal["increase", "decrease"]
    denominator: MeasureCriterion
    numerator: MeasureCriterion
    citations: list[str] = Field(min_length=1)


class Measures(Strict):
    version: str
    measures: list[Measure] = Field(min_length=1)
