"""Schema of schedules.yaml: the label and ACIP figures the rules time things by (the interval
between immune globulin and measles/varicella vaccines, measles prophylaxis doses, the TMP-SMX
order). Re-exported by `igcds.knowledge.schema`."""

from __future__ import annotations

from pydantic import Field

from igcds.knowledge.strict import Strict

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
    covered_iv_mg_per_kg: float = Field(gt=0)
    """An IVIG dose this large within `covered_iv_days` before an exposure covers it (ACIP)."""
    covered_iv_days: int = Field(gt=0)
    covered_sc_mg_per_kg_week: float = Field(gt=0)
    """SCIG at least this much each week for `covered_sc_weeks` weeks before an exposure covers it."""
    covered_sc_weeks: int = Field(gt=0)
    exposure_citations: list[str] = Field(min_length=1)
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


class PjpInfant(Strict):
    """Pneumocystis prophylaxis below the age TMP-SMX is given from."""

    tmp_smx_from_age_months: int = Field(gt=0)
    alternatives_from_age_months: int = Field(ge=0)
    alternatives_note: str
    too_young_note: str
    citations: list[str] = Field(min_length=1)


class Schedules(Strict):
    version: str
    vaccine_interval_after_igiv: VaccineInterval
    measles: MeaslesProphylaxis
    pjp_tmp_smx_order: PjpOrder
    pjp_infant: PjpInfant
