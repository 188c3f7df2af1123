"""The product catalogue as the dose plan uses it: look a product up by id (an unknown id is an
input error listing the known ones) or recognise it in a record's medication text."""

from __future__ import annotations

import re
from functools import cache

from igcds.domain.errors import FigureError
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase


def product(kb: KnowledgeBase, product_id: str) -> schema.Product:
    """The catalogue entry (the id in any case); an unknown id is a `FigureError` on 'product'
    listing the known ids."""
    try:
        return kb.products[product_id.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(kb.products))
        raise FigureError("product", f"unknown product {product_id!r}; known products: {known}") from None


@cache
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])")


def recognise(kb: KnowledgeBase, text: str) -> schema.Product | None:
    """The catalogue product named in lower-case medication text, if exactly one is."""
    by_name = {name: p for p in kb.products.values() for name in p.names}
    found = {by_name[m.group(1)].id for m in _name_pattern(tuple(by_name)).finditer(text)}
    return kb.products[found.pop()] if len(found) == 1 else None
