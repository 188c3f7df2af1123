"""Phrases that fill a recommendation's rationale template (`{infection_summary}` in
recommendations.yaml) from this patient's facts. They are part of the assessment itself (the
`rationale` of the JSON contract), so they are made in the core, not by a report."""

from __future__ import annotations

from igcds.rules.infection_history import Infections


def infection_summary(infections: Infections, window_months: int) -> str:
    recent = infections.recent
    if not recent:
        return f"no infections recorded in the last {window_months} months"
    labels = ", ".join(f"{e.infection.label} ({e.onset.isoformat()})" for e in recent)
    severe = sum(1 for e in recent if e.is_severe)
    extra = f", {severe} severe or life-threatening" if severe else ""
    return f"{len(recent)} infection(s) in the last {window_months} months{extra}: {labels}"
