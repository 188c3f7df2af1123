"""Sentences every human-facing report shares, so the terminal, Markdown and HTML say the same."""

from __future__ import annotations

from igcds.domain.assessment import Assessment, Criterion, Recommendation, Timeline
from igcds.knowledge.schema import Divergence

PRIORITY_LABEL = {"critical": "CRITICAL", "urgent": "Urgent", "routine": "Routine"}


def no_troughs(trough_window_days: int) -> str:
    return (
        f"No trough IgG on record (an IgG drawn on the day of, or up to {trough_window_days} days before, "
        "an IV infusion, or any IgG on SC therapy)."
    )


def patient_line(a: Assessment) -> str:
    p = a.patient
    age = f"{p.age_years:.2f} years" if p.age_years is not None else "age unknown"
    weight = f"{p.weight_kg:g} kg" if p.weight_kg is not None else "weight unknown"
    return f"{p.sex}, {age}, {weight}"


def infection_history_before_igrt(timeline: Timeline) -> bool:
    """Whether any infection before IgRT began is on record: without one, the rate before IgRT
    is unknown (a data gap), not zero."""
    started = timeline.igrt_started
    return started is not None and any(e.day < started for e in timeline.infections)


def infection_rates(timeline: Timeline) -> str:
    if timeline.igrt_started is None:
        if timeline.infections_per_year_before is None:
            return "No infections on record."
        return f"{timeline.infections_per_year_before:g} infection(s) in the last 12 months; not on IgRT."
    started = timeline.igrt_started.isoformat()
    if infection_history_before_igrt(timeline) and timeline.infections_per_year_before is not None:
        before = f"{timeline.infections_per_year_before:g} infection(s) in the 12 months before IgRT began ({started})"
    else:
        before = f"no infection history before IgRT began ({started}) is on record: a data gap, not a zero"
    on = (
        f"{timeline.infections_per_year_on_igrt:g} per year since"
        if timeline.infections_per_year_on_igrt is not None
        else "too short a time on IgRT for a rate"
    )
    return f"{before}; {on}."


def divergence_sentence(entry: Divergence) -> str:
    return f"the {entry.source_document} source document says “{entry.claim}”; {entry.igcds_position}"


def due(rec: Recommendation) -> str:
    """The dates the core set on a recommendation, in words, or '' when it set none."""
    parts = [f"not before {rec.not_before.isoformat()}"] if rec.not_before else []
    if rec.due:
        parts.append(f"by {rec.due.isoformat()}")
    return ", ".join(parts)


def new_dose(a: Assessment) -> str:
    """For an escalation: the regimen on record (as the core read it) and the new dose."""
    if a.dose is None:
        return ""
    d = a.dose
    grams = d.rounded_dose_g if d.rounded_dose_g else d.dose_g
    new = f"{grams:g} g {d.route} every {_interval(d.interval_days)}"
    current = d.current
    if current is None:
        return f"New dose: {new} ({d.mg_per_kg:g} mg/kg)."
    was = f"{current.dose_g:g} g" if current.dose_g is not None else f"{current.mg_per_kg:g} mg/kg"
    given = f"; last given {current.given.isoformat()}" if current.given else ""
    return f"New dose: {was} → {new} ({d.mg_per_kg:g} mg/kg{given})."


def _interval(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return "week" if weeks == 1 else f"{weeks} weeks"
    return f"{days} days"


def more_evidence(owner: Recommendation | Criterion) -> str:
    """Said beside a capped evidence list, so the reader knows the record holds more."""
    hidden = owner.evidence_total - len(owner.evidence)
    return f" (the {len(owner.evidence)} most recent shown; {hidden} more in the record)" if hidden > 0 else ""
