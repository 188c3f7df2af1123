"""Which catalogue products a record's text names ('privigen', 'carimune nf'): used by the rules
(a reaction to a product, a sucrose-stabilised product on record) and by the dose plan (the
patient's own product)."""

from __future__ import annotations

import re
from functools import cache

from igcds.knowledge import schema


@cache
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])")


def products_named(products: dict[str, schema.Product], text: str) -> list[schema.Product]:
    """Every catalogue product named in lower-case text, in catalogue order."""
    by_name = {name: p for p in products.values() for name in p.names}
    found = {by_name[m.group(1)].id for m in _name_pattern(tuple(by_name)).finditer(text.lower())}
    return [p for p in products.values() if p.id in found]


IGA_QUALIFIERS = {"mean": "mean ", "max": "up to ", "less-than": "< "}


def iga_text(product: schema.Product) -> str:
    """'IgA < 1 ug/mL', 'IgA mean 37 ug/mL'; 'IgA content not verified' when the label was not read."""
    if product.iga_ug_per_ml is None:
        return "IgA content not verified"
    return f"IgA {IGA_QUALIFIERS.get(product.iga_qualifier or '', '')}{product.iga_ug_per_ml:g} ug/mL"
