"""Reactions to immune globulin as the safety rules and the dose plan use them: which reactions
count (they name an immune globulin, point at an immune globulin administration, or happened on
the day one was given), which catalogue products caused them (never planned again), whether one
was severe, on which route, and whether IgA is absent or anti-IgA antibodies are recorded (then the
lowest-IgA IV product is preferred: Berger 2013; labels; Rachid 2011).

`product_choice` is the one decision the card and the dose both follow: which products are off
limits (reacted to, a label contraindication matching the record, or a label whose
contraindications igcds has not read after any reaction), the lowest-IgA IV product to prefer,
and why no product may be planned at all (the reacted product is unknown)."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.domain.record import InfusionReaction, MedicationUse, Route
from igcds.knowledge import schema
from igcds.knowledge.product_names import products_named
from igcds.rules.context import ClinicalContext


@dataclass(frozen=True, slots=True)
class ReactedProduct:
    product_id: str
    name: str
    refs: tuple[str, ...]
    """The reactions, and the administrations they point at."""


@dataclass(frozen=True, slots=True)
class Reactions:
    events: tuple[InfusionReaction, ...]
    products: tuple[ReactedProduct, ...]
    unidentified: tuple[InfusionReaction, ...]
    """Reactions whose product igcds could not tell from the record."""
    severe: bool
    low_iga: tuple[str, str] | None
    """(what, reference) when anti-IgA antibodies are recorded or IgA is absent."""
    anti_iga_deficient: tuple[str, ...] = ()
    """References when IgA deficiency and anti-IgA antibodies are both recorded (label wording)."""
    routes: frozenset[Route] = frozenset()
    """Routes of the reacted administrations or products, where the record tells."""

    @property
    def prefer_low_iga(self) -> bool:
        return bool(self.events) and self.low_iga is not None

    @property
    def on_sc(self) -> bool:
        return "SC" in self.routes


@dataclass(frozen=True, slots=True)
class ProductChoice:
    excluded: tuple[tuple[str, str], ...]
    """(product id, why) for every product that is not planned for this patient."""
    preferred_iv: str | None
    """The lowest-IgA IV product left, after a reaction with anti-IgA antibodies or absent IgA."""
    withheld: str | None
    """Why no product at all is planned (the reacted product is not known)."""

    def allowed(self, product: schema.Product) -> bool:
        return self.withheld is None and product.plannable and product.id not in dict(self.excluded)

    def sc_left(self, products: dict[str, schema.Product]) -> bool:
        """An SC product's label allows it (whether or not the reacted product is known)."""
        excluded = dict(self.excluded)
        return any("SC" in p.routes and p.plannable and p.id not in excluded for p in products.values())


def _anti_iga(ctx: ClinicalContext) -> tuple[str, str] | None:
    anti_iga = ctx.fact("anti-iga-antibodies")
    if anti_iga is not None and anti_iga[0] is True:
        return "anti-IgA antibodies recorded", anti_iga[1]
    return None


def _absent_iga(ctx: ClinicalContext) -> tuple[str, str] | None:
    recorded = ctx.conditions_in("iga_deficiency", active_only=False)
    if recorded:
        return recorded[-1].text or ctx.kb.conditions["iga_deficiency"].label, recorded[-1].ref
    iga = [lab for lab in ctx.record.labs if lab.analyte == "iga"]
    if iga:
        last, limit = iga[-1], ctx.policy.products_and_infusion.absent_iga_mg_dl
        if last.value < limit or (last.is_upper_bound and last.value <= limit):
            shown = f"{last.comparator or ''}{last.value:g} mg/dL"
            return f"IgA {shown} on {last.effective.isoformat()} (absent: < {limit:g} mg/dL)", last.ref
    return None


def _anti_iga_deficient(ctx: ClinicalContext) -> tuple[str, ...]:
    """Anti-IgA antibodies with IgA deficiency, as the labels word it. With no IgA result, anti-IgA
    antibodies alone count (they arise in IgA deficiency; igcds' choice, on the safe side)."""
    anti = _anti_iga(ctx)
    if anti is None:
        return ()
    absent = _absent_iga(ctx)
    low = [lab for lab in ctx.record.labs if lab.analyte == "iga"]
    if absent is not None:
        return anti[1], absent[1]
    if not low:
        return (anti[1],)
    if ctx.labs.judge(low[-1]) == "low":
        return anti[1], low[-1].ref
    return ()


def _linked(event: InfusionReaction, given: dict[str, MedicationUse]) -> list[MedicationUse]:
    """The immune globulin records the event points at; else the administrations of that day."""
    pointed = [given[ref] for ref in event.suspects if ref in given]
    if pointed or event.when is None:
        return pointed
    return [m for m in given.values() if m.kind == "administration" and m.start == event.when]


def reactions(ctx: ClinicalContext) -> Reactions:
    given = {m.ref: m for m in ctx.medications_in("immune_globulin", active_only=False)}
    events: list[InfusionReaction] = []
    by_product: dict[str, list[str]] = {}
    unidentified: list[InfusionReaction] = []
    routes: set[Route] = set()
    for event in ctx.record.reactions:
        linked = _linked(event, given)
        if not event.names_immune_globulin and not [m for m in linked if m.ref in event.suspects]:
            continue
        events.append(event)
        named = products_named(ctx.kb.products, event.text) or products_named(
            ctx.kb.products, " ".join(m.names for m in linked)
        )
        for product in named:
            by_product.setdefault(product.id, []).extend([event.ref, *(m.ref for m in linked)])
            if len(product.routes) == 1:
                routes.add(product.routes[0])
        routes.update(m.route for m in linked if m.route is not None)
        if not named:
            unidentified.append(event)
    products = tuple(
        ReactedProduct(pid, ctx.kb.products[pid].name, tuple(dict.fromkeys(refs))) for pid, refs in by_product.items()
    )
    found = bool(events)
    return Reactions(
        tuple(events),
        products,
        tuple(unidentified),
        any(e.severe for e in events),
        (_anti_iga(ctx) or _absent_iga(ctx)) if found else None,
        _anti_iga_deficient(ctx) if found else (),
        frozenset(routes),
    )


def _matching_label(product: schema.Product, seen: Reactions) -> str | None:
    for flagged in product.contraindicated_when:
        if (
            flagged.flag == "reaction-to-immune-globulin"
            or (flagged.flag == "severe-reaction-to-immune-globulin" and seen.severe)
            or (flagged.flag == "anti-iga-with-hypersensitivity" and seen.anti_iga_deficient)
        ):
            return f"label contraindication: {flagged.text}"
    return None


def product_choice(ctx: ClinicalContext, seen: Reactions | None = None) -> ProductChoice:
    seen = seen or reactions(ctx)
    if not seen.events:
        return ProductChoice((), None, None)
    excluded: dict[str, str] = {p.product_id: f"reaction recorded ({', '.join(p.refs)})" for p in seen.products}
    for product in ctx.kb.products.values():
        if product.id in excluded:
            continue
        matched = _matching_label(product, seen)
        if matched is not None:
            excluded[product.id] = matched
        elif not product.contraindications_read:
            excluded[product.id] = "its label's contraindications were not read: igcds cannot check them"
    withheld = None
    if seen.unidentified:
        refs = ", ".join(e.ref for e in seen.unidentified)
        withheld = f"the product behind the reaction ({refs}) is not identified in the record"
    preferred = None
    if seen.prefer_low_iga and withheld is None:
        left = [
            p
            for p in ctx.kb.products.values()
            if "IV" in p.routes and p.plannable and p.iga_ug_per_ml is not None and p.id not in excluded
        ]
        preferred = min(left, key=lambda p: p.iga_ug_per_ml or 0.0).id if left else None
    return ProductChoice(tuple(excluded.items()), preferred, withheld)
