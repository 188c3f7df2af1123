"""Schema of measures.yaml: the population quality measures, each a denominator and a numerator
over assessments, cited. Re-exported by `igcds.knowledge.schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from igcds.knowledge.strict import Strict

# --- population quality measures ------------------------------------------------------------------


class MeasureCriterion(Strict):
    """Holds when every given field holds for a patient's assessment."""

    diagnoses: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)  # any one of these knowledge-base recommendation ids
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
