"""The dose block as statements, shared by every report and `igcds dose`: what to dispense
(grams, vials, mL) and how to give it (IV rate steps, SC sites, ramp-up), each with its basis.
`dose_statements` gives (depth, sentence) pairs; `dose_lines` wraps them for a terminal, `dose_list`
nests them as HTML lists (the HTML report and the web calculator)."""

from __future__ import annotations

import textwrap
from html import escape

from igcds.domain.assessment import Dose
from igcds.report.dose_detail_text import detail_statements

WIDTH = 80
Statement = tuple[int, str]


def hours(minutes: int) -> str:
    """A duration as a nurse reads it: 2 h 05 min, 45 min."""
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def dose_statements(d: Dose, depth: int = 0) -> list[Statement]:
    out: list[Statement] = [
        (
            depth,
            f"{d.route} {d.mg_per_kg:g} mg/kg every {d.interval_days} days on {d.dosing_weight_kg:g} kg "
            f"({d.weight_basis}) = {d.dose_g:g} g; weekly equivalent {d.weekly_equivalent_mg_per_kg:g} mg/kg.",
        )
    ]
    out += detail_statements(d, depth)  # weight arithmetic and part vial (report/dose_detail_text.py)
    if d.converted_from:
        out.append((depth, f"Converted from {d.converted_from} with factor {d.conversion_factor:g}."))
    if d.rounding == "vial" and not d.vials:  # no product, or none with verified vial sizes: say so once
        why = f"{d.product_name} has no verified vial sizes" if d.product_name else "no product chosen"
        volume = f", {d.volume_ml:g} mL" if d.volume_ml else ""
        rounded = f"{d.rounded_dose_g:g} g ({d.rounding_difference_percent:+.1f}%{volume})"
        out.append((depth, f"No vials ({why}): {rounded} is the dose to the nearest gram."))
    else:
        dispensed = f"Dispense ({d.rounding} rounding): {d.rounded_dose_g:g} g ({d.rounding_difference_percent:+.1f}%)"
        if d.product_name:
            dispensed += f" of {d.product_name} [{d.product}] = {d.volume_ml:g} mL"
        out.append((depth, dispensed + "."))
    if d.vials:
        out.append((depth, "Vials: " + ", ".join(f"{v.count} x {v.grams:g} g ({v.ml:g} mL)" for v in d.vials) + "."))
    if d.iv_infusion:
        plan = d.iv_infusion
        out.append(
            (
                depth,
                f"IV rate steps (per {plan.rate_weight_kg:g} kg, maximum {plan.max_rate_mg_kg_min:g} mg/kg/min), "
                f"about {hours(plan.total_minutes)} in all:",
            )
        )
        out += [
            (depth + 1, f"from {s.start_minute:>3} min  {s.mg_kg_min:>5g} mg/kg/min  {s.ml_h:>6g} mL/h")
            for s in plan.steps
        ]
        out += [(depth + 1, note) for note in plan.notes]
    if d.sc_infusion:
        sc = d.sc_infusion
        frequency = f"{sc.infusions_per_week} infusion(s) a week" if sc.infusions_per_week else "each dose"
        out.append(
            (
                depth,
                f"SC: {frequency} of {sc.dose_per_infusion_g:g} g = {sc.volume_per_infusion_ml:g} mL over "
                f"{sc.sites} site(s), {sc.ml_per_site:g} mL per site at up to {sc.ml_h_per_site:g} mL/h per "
                f"site: about {hours(sc.minutes)} (label limits for {sc.limits_for}).",
            )
        )
        out += [(depth + 1, note) for note in sc.notes]
    if d.ramp_up:
        ramp = "; ".join(f"week {r.week}: {r.dose_g:g} g ({r.volume_ml:g} mL)" for r in d.ramp_up)
        out.append((depth, f"Ramp-up (label): {ramp}; then the full dose."))
    if d.trough_model:
        m = d.trough_model
        out.append(
            (
                depth,
                f"Trough model: {m.model}, +{m.mg_dl_per_100_mg_kg_4wk:g} mg/dL per +100 mg/kg per 4 weeks "
                f"({m.points} dose-trough pair(s) on record); {m.uncertainty}.",
            )
        )
    out.append((depth, f"Basis: {d.basis}. Sources: {', '.join(d.citations) or 'current prescription'}."))
    out += [(depth, f"Note: {warning}.") for warning in d.warnings if not warning.startswith("no product chosen")]
    if d.sc_switch:
        out.append((depth, "If switched to SC:"))
        out += dose_statements(d.sc_switch, depth + 1)
    return out


def dose_lines(d: Dose, indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for depth, sentence in dose_statements(d):
        prefix = indent + "  " * depth
        wrapped = textwrap.wrap(
            sentence, WIDTH, initial_indent=prefix, subsequent_indent=prefix + "  ", break_on_hyphens=False
        )
        lines += wrapped or [prefix]
    return lines


def dose_list(d: Dose) -> str:
    """Nested <ul> of the dose statements, each nested list inside the item it belongs to (IV
    rate steps in a fixed-width font)."""
    html, depth = ['<ul class="dose">'], None
    for level, sentence in dose_statements(d):
        if depth is not None and level > depth:
            html.append("<ul>" + "<li><ul>" * (level - depth - 1))
        elif depth is not None:
            html.append("</li>" + "</ul></li>" * (depth - level))
        depth = level
        kind = ' class="step"' if sentence.startswith("from ") else ""
        html.append(f"<li{kind}>{escape(sentence)}")
    if depth is not None:
        html.append("</li>" + "</ul></li>" * depth)
    return "".join([*html, "</ul>"])
