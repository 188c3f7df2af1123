"""The rate steps on the clock: when each step of the core's infusion plan starts and ends, its
pump rate, the volume it gives and the volume given by its end. Shared by the printable infusion
sheet (`igcds dose --format html`, the web calculator's print button) and the web calculator's
rate table, so both show the same rows.

Presentation only: the steps and rates are the core's `Dose`; a step's volume is its pump rate over
its minutes, and the last step gives what remains of the dose's volume, so the column adds up to
the bag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from igcds.domain.assessment import Dose, IvInfusionPlan

VITALS = ("BP", "Pulse", "Temp", "Resp", "SpO2")


@dataclass(frozen=True, slots=True)
class InfusionStep:
    """One row: what runs from `start` to `end`, and the volume given by its end."""

    label: str
    start: datetime
    end: datetime
    rate: str
    pump_ml_h: float
    step_ml: float | None
    cumulative_ml: float | None


def clock(moment: datetime, first_day: datetime) -> str:
    """HH:MM on the ward's clock, with the day count once the infusion runs past midnight."""
    days = (moment.date() - first_day.date()).days
    return moment.strftime("%H:%M") + (f" (+{days} d)" if days else "")


def iv_steps(plan: IvInfusionPlan, volume_ml: float, start: datetime) -> list[InfusionStep]:
    """The rate steps on the clock, each with its volume and the volume given by its end."""
    rows: list[InfusionStep] = []
    given = 0.0
    for index, step in enumerate(plan.steps):
        last = index == len(plan.steps) - 1
        until = plan.total_minutes if last else plan.steps[index + 1].start_minute
        step_ml = volume_ml - given if last else min(step.ml_h * (until - step.start_minute) / 60, volume_ml - given)
        given += step_ml
        rows.append(
            InfusionStep(
                f"Step {index + 1}",
                start + timedelta(minutes=step.start_minute),
                start + timedelta(minutes=until),
                f"{step.mg_kg_min:g} mg/kg/min",
                step.ml_h,
                round(step_ml, 1),
                round(given, 1),
            )
        )
    return rows


def dose_steps(dose: Dose, start: datetime) -> list[InfusionStep]:
    """The IV rate steps, or the SC infusion as one row (all sites at once); none without a plan."""
    if dose.iv_infusion and dose.volume_ml:
        return iv_steps(dose.iv_infusion, dose.volume_ml, start)
    if dose.sc_infusion is None:
        return []
    sc = dose.sc_infusion
    return [
        InfusionStep(
            f"{sc.sites} site(s), {sc.ml_per_site:g} mL each",
            start,
            start + timedelta(minutes=sc.minutes),
            f"up to {sc.ml_h_per_site:g} mL/h per site",
            sc.ml_h_per_site * sc.sites,
            sc.volume_per_infusion_ml,
            sc.volume_per_infusion_ml,
        )
    ]


def box(label: str) -> str:
    """A checkbox to tick on paper, with its label and a line to write on."""
    return f'<span class="box"></span>{escape(label)} <span class="blank"></span>'


def _vitals_row(columns: int, when: str) -> str:
    boxes = " ".join(box(v) for v in (*VITALS, "Initials"))
    return (
        f'<tr class="vitals"><td colspan="{columns}">Vital signs at {escape(when)}: {boxes} '
        '<span class="box"></span>reaction: slowed / stopped</td></tr>'
    )


def steps_table(steps: list[InfusionStep], first: datetime, caption: str, vitals: bool = True) -> str:
    """The steps as a table (caption and header cells for screen readers); with `vitals`, a
    vital-signs row to tick at each step and at the end."""
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("Step", "From", "To", "Rate", "Pump mL/h", "mL this step", "Cumulative mL")
    )
    rows = []
    for step in steps:
        volume = f"{step.step_ml:g}" if step.step_ml is not None else "-"
        total = f"{step.cumulative_ml:g}" if step.cumulative_ml is not None else "-"
        rows.append(
            f'<tr class="step"><th scope="row">{escape(step.label)}</th><td>{clock(step.start, first)}</td>'
            f"<td>{clock(step.end, first)}</td><td>{escape(step.rate)}</td>"
            f'<td class="num">{step.pump_ml_h:g}</td><td class="num">{volume}</td><td class="num">{total}</td></tr>'
        )
        if vitals:
            rows.append(_vitals_row(7, clock(step.start, first)))
    if vitals and steps:
        rows.append(_vitals_row(7, f"the end ({clock(steps[-1].end, first)})"))
    return (
        f'<table class="steps"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def plan_table(dose: Dose, start: datetime, vitals: bool = True) -> str:
    """The dose's infusion plan on the clock as a table ("" when it has none)."""
    steps = dose_steps(dose, start)
    if not steps:
        return ""
    caption = "IV rate steps on the clock" if dose.iv_infusion else "SC infusion on the clock (all sites together)"
    return steps_table(steps, start, caption, vitals)
