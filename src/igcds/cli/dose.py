"""`igcds dose`: the dose for a weight and regimen (grams, vials, mL, infusion plan) on site policy,
computed by the same core functions as the assessment's dose; as text, JSON, or a printable
infusion sheet (HTML). A product implies its route; choices are case-insensitive."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

import typer

from igcds.cli.program import OutputFileOption, PolicyOption, emit, guarded, load_policy, now, today


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class RouteChoice(StrEnum):
    IV = "IV"
    SC = "SC"


class SexChoice(StrEnum):
    male = "male"
    female = "female"


class RiskChoice(StrEnum):
    thrombosis = "thrombosis"
    renal = "renal"


def dose(
    weight_kg: Annotated[float, typer.Option("--weight", help="Body weight in kg.")],
    height_cm: Annotated[
        float | None, typer.Option("--height", help="Height in cm (adjusted-weight policies).")
    ] = None,
    sex: Annotated[
        SexChoice | None, typer.Option("--sex", case_sensitive=False, help="male or female (ideal body weight).")
    ] = None,
    age_years: Annotated[
        float | None, typer.Option("--age", help="Age in years (NBA exclusions, SC site limits by age).")
    ] = None,
    mg_per_kg: Annotated[float | None, typer.Option("--mg-per-kg", help="Dose per kg (default: policy start).")] = None,
    interval_weeks: Annotated[float | None, typer.Option("--interval-weeks", help="Weeks between doses.")] = None,
    route: Annotated[
        RouteChoice | None,
        typer.Option("--route", case_sensitive=False, help="IV or SC (default: the product's only route, else IV)."),
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product id (vials, mL, infusion plan); see `igcds products`.")
    ] = None,
    from_iv: Annotated[
        bool,
        typer.Option(
            "--from-iv", help="With --route SC: --mg-per-kg and --interval-weeks are the IV regimen to convert."
        ),
    ] = False,
    risk: Annotated[
        list[RiskChoice] | None,
        typer.Option("--risk", case_sensitive=False, help="thrombosis or renal (repeatable): hold the IV rate down."),
    ] = None,
    continuing: Annotated[
        bool, typer.Option("--continuing", help="Already on this product: later-infusion SC limits, no ramp-up.")
    ] = False,
    policy_file: PolicyOption = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", case_sensitive=False, help="text, json, or html (a printable infusion sheet)."),
    ] = OutputFormat.text,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Infusion sheet start, HH:MM today or YYYY-MM-DDTHH:MM (default: now)."),
    ] = None,
    output: OutputFileOption = None,
) -> None:
    """Dose for a weight and regimen: grams, vials, mL and the infusion plan, on site policy."""

    def run() -> None:
        import json
        import math
        import textwrap
        from dataclasses import asdict

        from igcds import engine
        from igcds.domain.errors import InputError
        from igcds.knowledge import loader
        from igcds.report.dose_text import dose_lines
        from igcds.report.infusion_sheet import infusion_sheet

        kb = loader.load()
        policy = load_policy(policy_file)
        if interval_weeks is not None and not math.isfinite(interval_weeks * 7):
            raise InputError("--interval-weeks", None, f"must be a number of weeks, got {interval_weeks:g}")
        figures = engine.DoseOrder(
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=sex.value if sex else "unknown",
            age_years=age_years,
            route=route.value if route else None,
            mg_per_kg=mg_per_kg,
            interval_days=round(interval_weeks * 7) if interval_weeks is not None else None,
            product=product,
            from_iv=from_iv,
            risks=tuple(r.value for r in risk or ()),
            new_to_product=not continuing,
        )
        result = engine.dose_for_figures(figures, policy, kb, today())
        if output_format is OutputFormat.json:
            # The core's warnings (no product for vial rounding, above the ceiling) also stand at the
            # top level, where callers of `igcds dose --format json` have always read them.
            payload = {"dose": asdict(result), "warnings": list(result.warnings), "disclaimer": kb.disclaimer}
            emit(json.dumps(payload, indent=2) + "\n", output)
            return
        if output_format is OutputFormat.html:
            emit(infusion_sheet(result, sheet_start(start), kb), output)
            return
        lines = dose_lines(result, "")
        if result.product is None:
            lines += textwrap.wrap(
                "For vials, mL and the infusion plan, choose a product with --product ID (`igcds products` "
                "lists them).",
                80,
                subsequent_indent="  ",
            )
        emit("\n".join([*lines, *textwrap.wrap(kb.disclaimer, 80)]) + "\n", output)

    guarded(run)


SHEET_MINUTES = 5  # a sheet starting "now" starts at the next 5 minutes on the clock


def sheet_start(value: str | None) -> datetime:
    """`--start` as a wall-clock time: HH:MM today, or a full YYYY-MM-DDTHH:MM."""
    from igcds.domain.errors import InputError

    if value is None:
        moment = now().replace(second=0, microsecond=0)
        return moment + timedelta(minutes=-moment.minute % SHEET_MINUTES)
    try:
        if "T" in value or len(value) > len("HH:MM"):
            return datetime.fromisoformat(value).replace(tzinfo=None)
        clock = datetime.strptime(value, "%H:%M")  # noqa: DTZ007 - a wall-clock time on the ward
    except ValueError:
        raise InputError("--start", None, f"not a time (HH:MM or YYYY-MM-DDTHH:MM): {value!r}") from None
    return datetime.combine(today(), clock.time())
