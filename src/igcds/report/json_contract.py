"""The Assessment as the stable JSON contract `igcds.assessment/1` (DESIGN.md §5). Keys are only
ever added, never renamed."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from igcds.domain.assessment import Assessment, Criterion, Recommendation
from igcds.domain.judged import LabValue
from igcds.knowledge.loader import KnowledgeBase
from igcds.report.citations import cited, format_reference
from igcds.version import __version__

SCHEMA = "igcds.assessment/1"
__all__ = ["SCHEMA", "format_reference", "render", "to_dict"]  # format_reference: kept for older importers


def _evidence(owner: Criterion | Recommendation) -> dict[str, Any]:
    """`evidence`, and `evidence_total` when the list was capped (the most recent are listed)."""
    shown: dict[str, Any] = {"evidence": list(owner.evidence)}
    if owner.evidence_total > len(owner.evidence):
        shown["evidence_total"] = owner.evidence_total
    return shown


def to_dict(assessment: Assessment, kb: KnowledgeBase) -> dict[str, Any]:
    dx = assessment.diagnosis
    return {
        "schema": SCHEMA,
        "igcds_version": __version__,
        "knowledge_version": assessment.knowledge_version,
        "as_of": assessment.as_of.isoformat(),
        "patient": asdict(assessment.patient),
        "diagnosis": {
            "code": dx.code,
            "genotype": dx.genotype,
            "source": dx.source,
            "specific_antibody_response": dx.specific_antibody_response,
            "label": dx.label,
            "suspected_cd40l_deficiency": dx.suspected_cd40l_deficiency,
            "criteria": [
                {"name": c.name, "met": c.met, **_evidence(c), "values": _values(c.values)} for c in dx.criteria
            ],
        },
        "recommendations": [
            {
                "code": r.code,
                "id": r.id,
                "priority": r.priority,
                "title": r.title,
                "text": r.text,
                "rationale": r.rationale,
                "strength": r.strength,
                "evidence_quality": r.evidence_quality,
                "citations": list(r.citations),
                **_evidence(r),
                "source_divergence": list(r.source_divergence),
                "due": _day(r.due),
                "not_before": _day(r.not_before),
                "values": _values(r.values),
                "safety_stop": r.safety_stop,
            }
            for r in assessment.recommendations
        ],
        "dose": _dose(assessment),
        "data_gaps": [asdict(g) for g in assessment.data_gaps],
        "warnings": list(assessment.warnings),
        "references": [
            {"id": ref_id, "citation": format_reference(kb.references[ref_id]), "url": kb.references[ref_id].url}
            for ref_id in cited(assessment)
        ],
        "timeline": _timeline(assessment),
        "disclaimer": assessment.disclaimer,
    }


def _timeline(assessment: Assessment) -> dict[str, Any] | None:
    """The charted series (dates as ISO strings); an igcds addition to the contract."""
    if assessment.timeline is None:
        return None
    return _plain(asdict(assessment.timeline))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its dates as ISO strings."""
    plain: dict[str, Any] = json.loads(json.dumps(data, default=lambda day: day.isoformat()))
    return plain


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _values(values: tuple[LabValue, ...]) -> list[dict[str, Any]]:
    """The laboratory values a criterion or recommendation rests on, with the range judged by."""
    return [_plain(asdict(value)) for value in values]


def _dose(assessment: Assessment) -> dict[str, Any] | None:
    if assessment.dose is None:
        return None
    return _plain(asdict(assessment.dose))


def render(assessment: Assessment, kb: KnowledgeBase) -> str:
    return json.dumps(to_dict(assessment, kb), indent=2, ensure_ascii=False) + "\n"
