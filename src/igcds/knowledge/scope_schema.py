"""Schema of scope.yaml: the record criteria and warning signs that give igcds a reason to speak.
Re-exported by `igcds.knowledge.schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from igcds.knowledge.strict import Strict

# --- scope: when igcds speaks at all (scope.yaml) --------------------------------------------------


class RecordCriterion(Strict):
    """One fact on record that brings a patient into scope; exactly one kind is set."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    label: str
    observations: list[str] = Field(default_factory=list)
    icd10cm: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)
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
