"""Sentences every human-facing report shares, so the terminal, Markdown and HTML say the same."""

from __future__ import annotations

from igcds.domain.assessment import Assessment, Timeline
from igcds.knowledge.schema import Divergence

PRIORITY_LABEL = {"critical": "CRITICAL", "urgent": "Urgent", "routine": "Routine"}
NO_TROUGHS = "No trough IgG on record (an IgG drawn up to 7 days before an IV infusion, or on SC therapy)."


def patient_line(a: Assessment) -> str:
    p = a.patient
    age = f"{p.age_years:.2f} years" if p.age_years is not None else "age unknown"
    weight = f"{p.weight_kg:g} kg" if p.weight_kg is not None else "weight unknown"
    return f"{p.sex}, {age}, {weight}"


def infection_rates(timeline: Timeline) -> str:
    if timeline.igrt_started is None:
        if timeline.infections_per_year_before is None:
            return "No infections on record."
        return f"{timeline.infections_per_year_before:g} infection(s) in the last 12 months; not on IgRT."
    before = (
        f"{timeline.infections_per_year_before:g} infection(s) in the 12 months before IgRT began "
        f"({timeline.igrt_started.isoformat()})"
        if timeline.infections_per_year_before is not None
        else f"no infections recorded before IgRT began ({timeline.igrt_started.isoformat()})"
    )
    on = (
        f"{timeline.infections_per_year_on_igrt:g} per year since"
        if timeline.infections_per_year_on_igrt is not None
        else "too short a time on IgRT for a rate"
    )
    return f"{before}; {on}."


def divergence_sentence(entry: Divergence) -> str:
    return f"the {entry.source_document} source document says “{entry.claim}”; {entry.igcds_position}"


def cited(a: Assessment) -> list[str]:
    """Every reference the assessment cites, in order of first use."""
    ids = [c for r in a.recommendations for c in r.citations]
    if a.dose:
        ids += a.dose.cited()
    return list(dict.fromkeys(ids))
