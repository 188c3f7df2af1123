"""`igcds dose`: the dose for a weight and regimen (grams, vials, mL, infusion plan) on site policy,
computed by the same core functions as the assessment's dose."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from igcds.cli.program import PolicyOption, guarded, load_policy, today


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


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
    sex: Annotated[SexChoice | None, typer.Option("--sex", help="male or female (ideal body weight).")] = None,
    age_years: Annotated[
        float | None, typer.Option("--age", help="Age in years (NBA exclusions, SC site limits by age).")
    ] = None,
    mg_per_kg: Annotated[float | None, typer.Option("--mg-per-kg", help="Dose per kg (default: policy start).")] = None,
    interval_weeks: Annotated[float | None, typer.Option("--interval-weeks", help="Weeks between doses.")] = None,
    route: Annotated[RouteChoice, typer.Option("--route", help="IV or SC.")] = RouteChoice.IV,
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
        list[RiskChoice] | None, typer.Option("--risk", help="thrombosis or renal (repeatable): hold the IV rate down.")
    ] = None,
    continuing: Annotated[
        bool, typer.Option("--continuing", help="Already on this product: later-infusion SC limits, no ramp-up.")
    ] = False,
    policy_file: PolicyOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """Dose for a weight and regimen: grams, vials, mL and the infusion plan, on site policy."""

    def run() -> None:
        import json
        import textwrap
        from dataclasses import asdict

        from igcds import engine
        from igcds.knowledge import loader
        from igcds.report.dose_text import dose_lines

        kb = loader.load()
        policy = load_policy(policy_file)
        figures = engine.DoseOrder(
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=sex.value if sex else "unknown",
            age_years=age_years,
            route=route.value,
            mg_per_kg=mg_per_kg,
            interval_days=round(interval_weeks * 7) if interval_weeks is not None else None,
            product=product,
            from_iv=from_iv,
            risks=tuple(r.value for r in risk or ()),
            new_to_product=not continuing,
        )
        result = engine.dose_for_figures(figures, policy, kb, today())
        warnings = []
        if policy.rounding == "vial" and result.product is None:
            warnings.append("no product chosen: vial rounding not applied (rounded to the nearest gram)")
        if engine.review_dose(result, policy):
            warnings.append(
                f"above the ceiling of {policy.max_mg_per_kg_4wk:g} mg/kg per 4 weeks (policy max_mg_per_kg_4wk)"
            )
        if output_format is OutputFormat.json:
            payload = {"dose": asdict(result), "warnings": warnings, "disclaimer": kb.disclaimer}
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        lines = dose_lines(result, "")
        lines += [f"Warning: {warning}." for warning in warnings]
        typer.echo("\n".join([*lines, *textwrap.wrap(kb.disclaimer, 80)]))

    guarded(run)
