"""The dose block in plain text, shared by `igcds assess` and `igcds dose`: what to dispense
(grams, vials, mL) and how to give it (IV rate steps, SC sites, ramp-up), each with its basis."""

from __future__ import annotations

import textwrap

from igcds.domain.assessment import Dose

WIDTH = 80


def _wrap(text: str, indent: str) -> list[str]:
    wrapped = textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)
    return wrapped or [indent]


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def dose_lines(d: Dose, indent: str = "  ") -> list[str]:
    lines = _wrap(
        f"{d.route} {d.mg_per_kg:g} mg/kg every {d.interval_days} days on {d.dosing_weight_kg:g} kg "
        f"({d.weight_basis}) = {d.dose_g:g} g; weekly equivalent {d.weekly_equivalent_mg_per_kg:g} mg/kg.",
        indent,
    )
    if d.converted_from:
        lines += _wrap(f"Converted from {d.converted_from} with factor {d.conversion_factor:g}.", indent)
    dispensed = f"Dispense ({d.rounding} rounding): {d.rounded_dose_g:g} g ({d.rounding_difference_percent:+.1f}%)"
    if d.product_name:
        dispensed += f" of {d.product_name} [{d.product}] = {d.volume_ml:g} mL"
    lines += _wrap(dispensed + ".", indent)
    if d.vials:
        lines += _wrap("Vials: " + ", ".join(f"{v.count} x {v.grams:g} g ({v.ml:g} mL)" for v in d.vials) + ".", indent)
    if d.iv_infusion:
        plan = d.iv_infusion
        lines += _wrap(
            f"IV rate steps (per {plan.rate_weight_kg:g} kg, maximum {plan.max_rate_mg_kg_min:g} mg/kg/min), "
            f"about {_hours(plan.total_minutes)} in all:",
            indent,
        )
        lines += [
            f"{indent}  from {s.start_minute:>3} min  {s.mg_kg_min:>5g} mg/kg/min  {s.ml_h:>6g} mL/h"
            for s in plan.steps
        ]
        lines += [line for note in plan.notes for line in _wrap(note, indent + "  ")]
    if d.sc_infusion:
        sc = d.sc_infusion
        frequency = f"{sc.infusions_per_week} infusion(s) a week" if sc.infusions_per_week else "each dose"
        lines += _wrap(
            f"SC: {frequency} of {sc.dose_per_infusion_g:g} g = {sc.volume_per_infusion_ml:g} mL over "
            f"{sc.sites} site(s), {sc.ml_per_site:g} mL per site at up to {sc.ml_h_per_site:g} mL/h per site: "
            f"about {_hours(sc.minutes)} (label limits for {sc.limits_for}).",
            indent,
        )
        lines += [line for note in sc.notes for line in _wrap(note, indent + "  ")]
    if d.ramp_up:
        ramp = "; ".join(f"week {r.week}: {r.dose_g:g} g ({r.volume_ml:g} mL)" for r in d.ramp_up)
        lines += _wrap(f"Ramp-up (label): {ramp}; then the full dose.", indent)
    if d.trough_model:
        m = d.trough_model
        lines += _wrap(
            f"Trough model: {m.model}, +{m.mg_dl_per_100_mg_kg_4wk:g} mg/dL per +100 mg/kg per 4 weeks "
            f"({m.points} dose-trough pair(s) on record); {m.uncertainty}.",
            indent,
        )
    lines += _wrap(f"Basis: {d.basis}. Sources: {', '.join(d.citations) or 'current prescription'}.", indent)
    lines += [line for warning in d.warnings for line in _wrap(f"Note: {warning}.", indent)]
    if d.sc_switch:
        lines += _wrap("If switched to SC:", indent)
        lines += dose_lines(d.sc_switch, indent + "  ")
    return lines
