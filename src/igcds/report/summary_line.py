"""One line per patient, for a list of patients (`igcds assess --format summary`, `make demo`):
the diagnosis, the first action (the most urgent recommendation) and the dose."""

from __future__ import annotations

from igcds.domain.assessment import Assessment, Dose

WEEK_DAYS = 7


def dose_phrase(dose: Dose | None) -> str:
    if dose is None:
        return "no dose"
    every = (
        f"every {dose.interval_days // WEEK_DAYS} weeks"
        if dose.interval_days % WEEK_DAYS == 0 and dose.interval_days > WEEK_DAYS
        else ("weekly" if dose.interval_days == WEEK_DAYS else f"every {dose.interval_days} days")
    )
    product = dose.product or "no product chosen"
    return f"{dose.route} {dose.rounded_dose_g:g} g {every} ({dose.mg_per_kg:g} mg/kg, {product})"


def render(assessment: Assessment) -> str:
    first = assessment.recommendations[0] if assessment.recommendations else None
    action = f"{first.title} [{first.priority}]" if first else "none"
    return (
        f"{assessment.patient.id}: {assessment.diagnosis.label} | first: {action} | "
        f"dose: {dose_phrase(assessment.dose)}\n"
    )
