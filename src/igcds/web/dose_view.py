"""The core's Dose laid out for the calculator and the infusion sheet: the pump-rate steps with
clock times and the volume given by the end of each step. Presentation only: every rate, volume
and duration is the core's."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from igcds.domain.assessment import Dose

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class PumpStep:
    number: int
    starts: str
    ends: str
    start_minute: int
    end_minute: int
    mg_kg_min: float
    ml_h: float
    ml_in_step: float
    ml_by_end: float


def clock(minute_of_day: int) -> str:
    minute = minute_of_day % MINUTES_PER_DAY
    later = " (+1 day)" if minute_of_day >= MINUTES_PER_DAY else ""
    return f"{minute // 60:02d}:{minute % 60:02d}{later}"


def pump_steps(dose: Dose, start_minute: int) -> list[PumpStep]:
    """Each IV step from its start to the next (the last to the plan's end). The last step gives
    what is left of the dispensed volume, so the column adds up to the bag."""
    plan = dose.iv_infusion
    if plan is None or dose.volume_ml is None:
        return []
    steps: list[PumpStep] = []
    given = 0.0
    for index, step in enumerate(plan.steps):
        last = index == len(plan.steps) - 1
        end = plan.total_minutes if last else plan.steps[index + 1].start_minute
        in_step = max(0.0, dose.volume_ml - given) if last else step.ml_h * (end - step.start_minute) / 60
        given += in_step
        steps.append(
            PumpStep(
                number=index + 1,
                starts=clock(start_minute + step.start_minute),
                ends=clock(start_minute + end),
                start_minute=step.start_minute,
                end_minute=end,
                mg_kg_min=step.mg_kg_min,
                ml_h=step.ml_h,
                ml_in_step=round(in_step, 1),
                ml_by_end=round(given, 1),
            )
        )
    return steps


def figures(dose: Dose) -> dict[str, Any]:
    """The dose as `igcds dose --format json` gives it (its `dose` object)."""
    return asdict(dose)


def hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
