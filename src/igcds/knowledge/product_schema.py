"""Schema of the product catalogue (products.yaml): concentration, vials, label infusion rates,
SC site limits and ramp-up, each figure sourced or listed as unverified. Re-exported by
`igcds.knowledge.schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from igcds.knowledge.strict import Strict

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


class Hyaluronidase(Strict):
    """The hyaluronidase a facilitated SC product (HyQvia) gives before its immune globulin."""

    ml_per_g: float = Field(gt=0)
    """Millilitres of hyaluronidase supplied with each gram of immune globulin (the kits' ratio)."""
    initial_ml_min_per_site_low: float = Field(gt=0)
    initial_ml_min_per_site_high: float = Field(gt=0)
    start_ig_within_minutes: int = Field(gt=0)
    """Start the immune globulin within this many minutes of the end of the hyaluronidase."""


class ScInfusion(Strict):
    frequency: Literal["weekly", "as-iv"]
    """`weekly`: the weekly dose (may be split); `as-iv`: the IV dose and interval, 1:1 (HyQvia)."""
    conversion_factor: float | None = Field(default=None, gt=0)
    """US-label IVIG -> SCIG dose-adjustment factor; null when the label figure is not verified."""
    first_infusions: int = Field(default=1, ge=1)
    """How many infusions the `first` site limits apply to."""
    site_limits: list[SiteLimit] = Field(default_factory=list)
    """Empty when no per-site volume and rate were verified: no site plan is then computed."""
    max_sites: int | None = Field(default=None, ge=1)
    ramp_up: dict[int, list[RampUpStep]] = Field(default_factory=dict)
    """Ramp-up schedule by maintenance interval in weeks (HyQvia)."""
    interval_weeks: list[int] = Field(default_factory=list)
    """For `as-iv` products: the maintenance intervals the label gives (HyQvia: 3 and 4 weeks)."""
    hyaluronidase: Hyaluronidase | None = None


ContraindicationFlag = Literal[
    "reaction-to-immune-globulin",
    "severe-reaction-to-immune-globulin",
    "anti-iga-with-hypersensitivity",
]
"""What in a record matches a label contraindication: any recorded reaction to a human immune
globulin; an anaphylactic or severe systemic one; IgA deficiency with anti-IgA antibodies and a
recorded reaction (hypersensitivity) to immune globulin."""


class LabelFlag(Strict):
    """A label contraindication igcds checks against the record: its text (one of the product's
    `contraindications`), the flag that matches it, and the label text it was read from."""

    flag: ContraindicationFlag
    text: str
    citations: list[str] = Field(min_length=1)


class Product(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    names: list[str] = Field(min_length=1)
    """Lower-case names to recognise the product in a record's medication text."""
    label: str
    """Bibliography id of the label text the figures come from."""
    label_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2})?$")
    concentration_percent: float | None = Field(gt=0, le=30)
    """None when no label text gave it (listed under `unverified`): the product is then recognised
    in a record but never used to plan a dose (no grams-to-mL arithmetic from an assumed figure)."""
    routes: list[Literal["IV", "SC"]] = Field(min_length=1)
    vials: list[VialSize] = Field(default_factory=list)
    stabiliser: str | None
    contains_sucrose: bool | None
    """None when no label text said (listed under `unverified`)."""
    iga_ug_per_ml: float | None = None
    iga_qualifier: Literal["mean", "max", "less-than"] | None = None
    iv: IvInfusion | None = None
    sc: ScInfusion | None = None
    contraindications: list[str] = Field(default_factory=list)
    """The label's contraindications as its text gives them; cited under sources['contraindications']."""
    contraindicated_when: list[LabelFlag] = Field(default_factory=list)
    """The contraindications igcds can match against a record; the others are shown, not checked."""
    notes: list[str] = Field(default_factory=list)
    sources: dict[str, list[str]] = Field(default_factory=dict)
    """Figures from sources other than `label`: field path -> bibliography ids."""
    unverified: dict[str, str] = Field(default_factory=dict)
    """Figures left out because no label text confirmed them: field name -> what was tried."""

    @model_validator(mode="after")
    def _flags_quote_the_label(self) -> Product:
        for flagged in self.contraindicated_when:
            if flagged.text not in self.contraindications:
                raise ValueError(
                    f"{self.id}: flagged contraindication {flagged.text!r} is not in its contraindications"
                )
        return self

    @property
    def contraindications_read(self) -> bool:
        """The label's contraindications section was read (else they cannot be checked)."""
        return "contraindications" not in self.unverified

    @property
    def plannable(self) -> bool:
        """A dose can be planned in this product: its concentration is verified."""
        return self.concentration_percent is not None


class Catalogue(Strict):
    version: str
    products: list[Product] = Field(min_length=1)
