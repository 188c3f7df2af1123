"""What a person's record can plausibly hold (knowledge/data/plausibility.yaml): laboratory values
in their canonical unit, the oldest possible age, and body weight by age band. Outside these a
value is taken as a wrong unit or a typing error, never as a fact about the patient."""

from __future__ import annotations

from pydantic import Field

from igcds.knowledge.schema import Strict


class PlausibleRange(Strict):
    unit: str
    low: float = Field(ge=0)
    high: float = Field(gt=0)
    why: str

    def excludes(self, value: float) -> bool:
        return not self.low <= value <= self.high


class BodyRange(Strict):
    unit: str
    low: float = Field(gt=0)
    high: float = Field(gt=0)


class WeightForAge(Strict):
    min_age_months: int = Field(ge=0)
    max_age_months: int | None
    low_kg: float = Field(gt=0)
    high_kg: float = Field(gt=0)


class WeightChange(Strict):
    within_days: int = Field(ge=0)
    max_change_percent: float = Field(gt=0)


class Plausibility(Strict):
    version: str
    basis: str
    laboratory: dict[str, PlausibleRange]
    body: dict[str, BodyRange]
    max_age_years: int = Field(gt=0, le=150)
    weight_for_age: list[WeightForAge] = Field(min_length=1)
    weight_change: WeightChange
    recorded_dose_min_mg_per_kg_4wk: float = Field(gt=0)
    max_single_dose_mg_per_kg: float = Field(gt=0)

    def weight_band(self, age_months: int) -> WeightForAge:
        """The band holding `age_months` (the bands are contiguous and the last is open)."""
        for band in self.weight_for_age:
            if band.max_age_months is None or age_months < band.max_age_months:
                return band
        return self.weight_for_age[-1]

    def body_problem(self, measure: str, value: float) -> str | None:
        """Why a weight (kg) or height (cm) cannot be a person's, or None when it can."""
        limits = self.body[measure]
        if limits.low <= value <= limits.high:
            return None
        return (
            f"{measure} {value:g} {limits.unit} is outside {limits.low:g}-{limits.high:g} {limits.unit}: "
            "is it in another unit?"
        )
