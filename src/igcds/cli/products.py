"""`igcds products`: the product catalogue as a table (Rich), one row a product, with what a
pharmacist checks before choosing one: vials in grams and mL, IgA content, the stabiliser (sucrose,
maltose, glycine, proline) and the IV-to-SC factor, then what that factor means. A figure the
catalogue has not verified is shown as "not verified", never filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from igcds.cli.program import guarded

if TYPE_CHECKING:
    from igcds.knowledge.schema import Product

NOT_VERIFIED = "not verified"
WIDE = 200  # off a terminal (a pipe, a file) rows are never wrapped
SC_FACTOR_NOTE = (
    "SC factor: the US-label dose-adjustment factor for switching from IVIG to weekly SCIG: weekly SC dose = "
    "IV dose x factor / weeks between IV doses (Hizentra 1.37: 28 g every 4 weeks -> 9.59 g a week). It "
    "makes up for the lower bioavailability under the skin. 'as IV' products (HyQvia) keep the IV dose and "
    'interval after a ramp-up. Under the site policy scig_conversion = "eu-1to1" the factor is 1 (EU '
    "practice). Details and sources: docs/product-catalogue.md."
)


def products() -> None:
    """List the product catalogue: vials (g and mL), IgA, stabiliser, routes, SC factor, label date."""

    def run() -> None:
        import sys
        import textwrap

        from rich import box
        from rich.console import Console
        from rich.table import Table

        from igcds.knowledge import loader

        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        for column in ("id", "conc.", "routes", "vials g/mL", "IgA µg/mL", "stabiliser", "SC factor", "label"):
            table.add_column(column, overflow="fold")
        for item in loader.load().products.values():
            table.add_row(
                item.id,
                f"{item.concentration_percent:g}%" if item.plannable else "recognised only",
                "/".join(item.routes),
                " ".join(f"{v.grams:g}/{v.ml:g}" for v in item.vials) or NOT_VERIFIED,
                _iga(item.iga_ug_per_ml, item.iga_qualifier),
                _stabiliser(item.stabiliser, item.contains_sucrose),
                _sc_factor(item),
                item.label_date or NOT_VERIFIED,
            )
        if sys.stdout.isatty():
            Console(highlight=False).print(table)
        else:  # a pipe or a file: unwrapped rows without trailing blanks
            console = Console(width=WIDE, highlight=False, color_system=None)
            with console.capture() as captured:
                console.print(table)
            typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
        typer.echo("\n".join(textwrap.wrap(SC_FACTOR_NOTE, 100)))

    guarded(run)


def _iga(value: float | None, qualifier: str | None) -> str:
    if value is None:
        return NOT_VERIFIED
    prefix = {"mean": "mean ", "max": "max ", "less-than": "< "}.get(qualifier or "", "")
    return f"{prefix}{value:g}"


def _stabiliser(stabiliser: str | None, sucrose: bool | None) -> str:
    text = stabiliser or NOT_VERIFIED
    if sucrose is None:
        return f"{text}; sucrose {NOT_VERIFIED}"
    if sucrose and "sucrose" not in text:
        return f"{text}; contains sucrose"
    return text


def _sc_factor(item: Product) -> str:
    if item.sc is None:
        return "-"
    if item.sc.frequency == "as-iv":
        return "as IV (1:1)"
    return f"{item.sc.conversion_factor:g}" if item.sc.conversion_factor else NOT_VERIFIED
