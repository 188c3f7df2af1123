"""`igcds products`: the product catalogue, one line a product."""

from __future__ import annotations

import typer

from igcds.cli.program import guarded


def products() -> None:
    """List the product catalogue: concentration, routes, vials, conversion factor, label date."""

    def run() -> None:
        from igcds.knowledge import loader

        for item in loader.load().products.values():
            vials = ", ".join(f"{v.grams:g} g" for v in item.vials) or "vials not verified"
            factor = (
                f"SC factor {item.sc.conversion_factor:g}"
                if item.sc and item.sc.conversion_factor
                else ("SC as IV (1:1)" if item.sc and item.sc.frequency == "as-iv" else "")
            )
            details = "; ".join(
                part for part in (f"{item.concentration_percent:g}%", "/".join(item.routes), vials, factor) if part
            )
            typer.echo(f"{item.id:18} {item.name}: {details} (label {item.label_date or 'date not verified'})")

    guarded(run)
