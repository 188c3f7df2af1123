"""Reactions to immune globulin as the safety rules and the dose plan use them: which reactions
count (they name an immune globulin, or point at an immune globulin administration), which
catalogue products caused them (never planned again), whether one was severe, and whether IgA is
absent or anti-IgA antibodies are recorded (then the lowest-IgA IV product or SCIG is preferred:
Berger 2013; labels' contraindications; Rachid 2011)."""

from __future__ import annotations

from dataclasses import dataclass

from igcds.domain.record import InfusionReaction
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

    @property
    def prefer_low_iga(self) -> bool:
        return bool(self.events) and self.low_iga is not None


def _low_iga(ctx: ClinicalContext) -> tuple[str, str] | None:
    anti_iga = ctx.fact("anti-iga-antibodies")
    if anti_iga is not None and anti_iga[0] is True:
        return "anti-IgA antibodies recorded", anti_iga[1]
    recorded = ctx.conditions_in("iga_deficiency", active_only=False)
    if recorded:
        return recorded[-1].text or ctx.kb.conditions["iga_deficiency"].label, recorded[-1].ref
    iga = [lab for lab in ctx.record.labs if lab.analyte == "iga"]
    if iga:
        last, limit = iga[-1], ctx.policy.absent_iga_mg_dl
        if last.value < limit or (last.is_upper_bound and last.value <= limit):
            shown = f"{last.comparator or ''}{last.value:g} mg/dL"
            return f"IgA {shown} on {last.effective.isoformat()} (absent: < {limit:g} mg/dL)", last.ref
    return None


def reactions(ctx: ClinicalContext) -> Reactions:
    given = {m.ref: m for m in ctx.medications_in("immune_globulin", active_only=False)}
    events: list[InfusionReaction] = []
    by_product: dict[str, list[str]] = {}
    unidentified: list[InfusionReaction] = []
    for event in ctx.record.reactions:
        pointed = [given[ref] for ref in event.suspects if ref in given]
        if not event.names_immune_globulin and not pointed:
            continue
        events.append(event)
        named = products_named(ctx.kb.products, " ".join([event.text, *(m.names for m in pointed)]))
        for product in named:
            by_product.setdefault(product.id, []).extend([event.ref, *(m.ref for m in pointed)])
        if not named:
            unidentified.append(event)
    products = tuple(
        ReactedProduct(pid, ctx.kb.products[pid].name, tuple(dict.fromkeys(refs))) for pid, refs in by_product.items()
    )
    return Reactions(
        tuple(events), products, tuple(unidentified), any(e.severe for e in events), _low_iga(ctx) if events else None
    )
