"""Quality measures over the assessments: the definitions live in knowledge/data/measures.yaml;
this module counts patients and writes a FHIR R4 Bundle of the Measure definitions (each cited)
and one summary MeasureReport per measure."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.schema import Measure, MeasureCriterion
from igcds.report.json_contract import format_reference
from igcds.version import __version__

MEASURE_URL = "urn:igcds:measure:"
POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
IMPROVEMENT = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
SCORING = "http://terminology.hl7.org/CodeSystem/measure-scoring"


def holds(criterion: MeasureCriterion, assessment: dict[str, Any], as_of: date) -> bool:
    """Whether a patient's assessment (the igcds.assessment/1 dict) meets the criterion."""
    if criterion.diagnoses and assessment["diagnosis"]["code"] not in criterion.diagnoses:
        return False
    if criterion.recommendations and not any(
        rec["id"] in criterion.recommendations and criterion.priority in (None, rec["priority"])
        for rec in assessment["recommendations"]
    ):
        return False
    troughs = (assessment.get("timeline") or {}).get("troughs") or []
    if criterion.has_trough is not None and bool(troughs) != criterion.has_trough:
        return False
    if criterion.trough_within_days is not None and not any(
        (as_of - date.fromisoformat(t["day"])).days <= criterion.trough_within_days for t in troughs
    ):
        return False
    if criterion.trough_at_target is not None:
        if not troughs:
            return False
        target = assessment["timeline"]["trough_target_mg_dl"]
        latest = max(troughs, key=lambda t: t["day"])
        if (latest["mg_dl"] >= target) != criterion.trough_at_target:
            return False
    return True


class MeasureCounter:
    def __init__(self, kb: KnowledgeBase, as_of: date) -> None:
        self.kb = kb
        self.as_of = as_of
        self.counts = {m.id: [0, 0] for m in kb.measures}  # denominator, numerator

    def add(self, assessment: dict[str, Any]) -> None:
        for measure in self.kb.measures:
            if holds(measure.denominator, assessment, self.as_of):
                self.counts[measure.id][0] += 1
                if holds(measure.numerator, assessment, self.as_of):
                    self.counts[measure.id][1] += 1

    def bundle(self, population: int) -> dict[str, Any]:
        """`population`: patients assessed (the initial population of every measure)."""
        entries = [self._measure(m) for m in self.kb.measures]
        entries += [self._report(m, population) for m in self.kb.measures]
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"urn:igcds:{r['resourceType']}:{r['id']}", "resource": r} for r in entries],
        }

    def _measure(self, measure: Measure) -> dict[str, Any]:
        def population(code: str, criterion: MeasureCriterion | None, text: str) -> dict[str, Any]:
            expression = criterion.model_dump(exclude_defaults=True) if criterion else {}
            return {
                "code": {"coding": [{"system": POPULATION, "code": code}]},
                "description": text,
                "criteria": {"language": "application/json", "expression": json.dumps(expression, sort_keys=True)},
            }

        return {
            "resourceType": "Measure",
            "id": measure.id,
            "url": MEASURE_URL + measure.id,
            "version": self.kb.version,
            "name": measure.id.replace("-", "_"),
            "title": measure.title,
            "status": "active",
            "description": measure.description,
            "scoring": {"coding": [{"system": SCORING, "code": "proportion"}]},
            "improvementNotation": {"coding": [{"system": IMPROVEMENT, "code": measure.improvement}]},
            "relatedArtifact": [
                {
                    "type": "citation",
                    "label": ref,
                    "citation": format_reference(self.kb.references[ref]),
                    "url": self.kb.references[ref].url,
                }
                for ref in measure.citations
            ],
            "group": [
                {
                    "population": [
                        population("initial-population", None, "every patient igcds assessed"),
                        population("denominator", measure.denominator, "patients meeting the denominator criterion"),
                        population("numerator", measure.numerator, "denominator patients meeting the numerator"),
                    ]
                }
            ],
        }

    def _report(self, measure: Measure, population: int) -> dict[str, Any]:
        denominator, numerator = self.counts[measure.id]

        def count(code: str, value: int) -> dict[str, Any]:
            return {"code": {"coding": [{"system": POPULATION, "code": code}]}, "count": value}

        group: dict[str, Any] = {
            "population": [
                count("initial-population", population),
                count("denominator", denominator),
                count("numerator", numerator),
            ]
        }
        if denominator:
            group["measureScore"] = {"value": round(numerator / denominator, 4)}
        day = self.as_of.isoformat()
        return {
            "resourceType": "MeasureReport",
            "id": f"{measure.id}-{day}",
            "status": "complete",
            "type": "summary",
            "measure": MEASURE_URL + measure.id,
            "date": day,
            "period": {"start": day, "end": day},
            "improvementNotation": {"coding": [{"system": IMPROVEMENT, "code": measure.improvement}]},
            "reporter": {"display": f"igcds {__version__} (knowledge base {self.kb.version})"},
            "group": [group],
        }
