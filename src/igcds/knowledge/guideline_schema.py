"""Schema of guidelines.yaml: the guideline documents' sections, in the source documents'
structure. Re-exported by `igcds.knowledge.schema`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from igcds.knowledge.strict import Strict

# --- guideline documents ---------------------------------------------------------------------------


class GuidelineSection(Strict):
    title: str
    recommendations: list[str] = Field(default_factory=list)
    policy: list[str] = Field(default_factory=list)


class Guideline(Strict):
    title: str
    source_document: Literal["igm-deficiency", "hyper-igm"]
    summary: str
    sections: list[GuidelineSection] = Field(min_length=1)


class Guidelines(Strict):
    version: str
    guidelines: dict[Literal["igm-deficiency", "hyper-igm"], Guideline]
