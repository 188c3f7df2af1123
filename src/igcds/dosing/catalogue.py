"""The product catalogue as the dose plan uses it: look a product up by id (an unknown id, or a
product recognised only and never planned, is an input error saying so) or recognise it in a
record's medication text."""

from __future__ import annotations

from igcds.domain.errors import FigureError
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.product_names import products_named


def product(kb: KnowledgeBase, product_id: str) -> schema.Product:
    """The catalogue entry (the id in any case); an unknown id is a `FigureError` on 'product'
    listing the known ids, and a product recognised only in records is refused for planning."""
    found = kb.products.get(product_id.strip().lower())
    if found is None:
        known = ", ".join(sorted(p.id for p in kb.products.values() if p.plannable))
        raise FigureError("product", f"unknown product {product_id!r}; known products: {known}")
    if not found.plannable:
        why = found.unverified.get("concentration_percent", "")
        raise FigureError(
            "product",
            f"{found.name} is recognised in records but not used for dose planning: its concentration is "
            f"not verified ({why}); choose a catalogued product",
        )
    return found


def recognise(kb: KnowledgeBase, text: str) -> schema.Product | None:
    """The catalogue product named in lower-case medication text, if exactly one is."""
    found = products_named(kb.products, text)
    return found[0] if len(found) == 1 else None
