"""Schema of reference_ranges.yaml: immunoglobulin reference ranges by age band, cited.
Re-exported by `igcds.knowledge.schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from igcds.knowledge.strict import Strict

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
