"""Which product a dose is planned in: the clinician's request, the lowest-IgA IV product after a
reaction with anti-IgA antibodies or absent IgA, the patient's own, the site's; never one the patient
reacted to or whose label contraindicates it, and what to say about those left out."""

from __future__ import annotations

from igcds.domain.record import Route
from igcds.dosing.facts import DosingFacts
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.knowledge.product_names import iga_text


def chosen_product(
    kb: KnowledgeBase,
    policy: Policy,
    route: Route,
    requested: schema.Product | None,
    current: schema.Product | None,
    facts: DosingFacts | None = None,
) -> schema.Product | None:
    """The requested product if it suits the route, else (after a reaction with anti-IgA or absent
    IgA, on IV) the lowest-IgA IV product left, else the patient's own, else the site's. Never a
    product excluded for this patient (reacted to, or contraindicated by its label), none while
    the product behind a reaction is unknown, nor one igcds only recognises (no verified
    concentration)."""
    avoid = {pid for pid, _ in facts.excluded} if facts else set()

    def usable(product: schema.Product | None) -> bool:
        return product is not None and route in product.routes and product.plannable and product.id not in avoid

    if facts is not None and facts.withheld is not None:  # only the clinician's explicit choice
        return requested if usable(requested) else None

    preferred = kb.products.get(facts.preferred_iv) if facts is not None and facts.preferred_iv else None
    for candidate in (requested, preferred if route == "IV" else None, current):
        if usable(candidate):
            return candidate
    site = kb.products.get(
        policy.products_and_infusion.iv_product if route == "IV" else policy.products_and_infusion.sc_product
    )
    return site if usable(site) else None


def reaction_warnings(facts: DosingFacts, route: Route, product: schema.Product | None, kb: KnowledgeBase) -> list[str]:
    excluded = [(kb.products[pid], why) for pid, why in facts.excluded]
    excluded = [(p, why) for p, why in excluded if p.plannable and route in p.routes]
    unread = [p.name for p, _ in excluded if not p.contraindications_read]
    warnings = [f"{p.name} is not planned: {why}" for p, why in excluded if p.contraindications_read]
    if unread and facts.withheld is None:
        warnings.append(f"not planned, as their labels' contraindications were not read: {', '.join(unread)}")
    if facts.withheld is not None:
        chosen = f"{product.name} is given only because it was requested" if product else "no product is planned"
        warnings.append(f"{chosen}: {facts.withheld}")
    if product is not None and product.id == facts.preferred_iv:
        warnings.append(
            f"{product.name} ({iga_text(product)}) after a reaction "
            "with anti-IgA antibodies or absent IgA: first infusion under supervision at the minimum rate"
        )
    return warnings


def none_left(route: Route, facts: DosingFacts, kb: KnowledgeBase) -> str:
    excluded = dict(facts.excluded)
    left = [p.name for p in kb.products.values() if route in p.routes and p.plannable and p.id not in excluded]
    if left:
        return f"the site's product is excluded for this patient: choose another ({', '.join(left)})"
    return f"every {route} product is excluded for this patient: a specialist chooses (grams only)"
