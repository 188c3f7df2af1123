"""Lines of the dose block a pharmacist checks by hand: the weight arithmetic (actual, ideal and
adjusted weight with BMI, and the adjusted-weight dose the site may choose) and the part vial the
exact dose is drawn from. Presents what the core decided; computes nothing."""

from __future__ import annotations

from igcds.domain.assessment import Dose

Statement = tuple[int, str]


def detail_statements(d: Dose, depth: int = 0) -> list[Statement]:
    out: list[Statement] = []
    w = d.weight_arithmetic
    if w is not None:
        ideal = f"{w.ideal_kg:g} kg" if w.ideal_kg is not None else "not defined"
        adjusted = f"{w.adjusted_kg:g} kg" if w.adjusted_kg is not None else "not defined"
        out.append(
            (
                depth,
                f"Weights: actual {w.actual_kg:g} kg, height {w.height_cm:g} cm, BMI {w.bmi:g}; ideal (Devine) "
                f"{ideal}; adjusted {adjusted}.",
            )
        )
        out.append((depth + 1, f"{w.formula}."))
        if w.adjusted_dose_g is not None:
            out.append(
                (
                    depth + 1,
                    f"On adjusted weight ({adjusted}) the dose would be {w.adjusted_dose_g:g} g: "
                    "the site may choose it.",
                )
            )
    if d.part_vial is not None:
        p = d.part_vial
        out.append(
            (
                depth,
                f"Part vial: whole vials would move the dose by {p.shift_percent:+.1f}%; open {p.opened_g:g} g of "
                f"vials, draw {p.draw_ml:g} mL ({p.left_ml:g} mL left over). The pump infuses the drawn dose.",
            )
        )
    return out
