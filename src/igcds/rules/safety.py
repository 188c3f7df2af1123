"""Shared IgRT safety: FDA class warnings for thrombosis (2013 boxed warning), renal dysfunction
(with any sucrose-stabilised product on record) and hyperviscosity; previous infusion reactions and
no re-challenge with the product that caused one; pregnancy on IgRT. Apply to anyone on or
starting IgRT."""

from __future__ import annotations

from igcds.domain.assessment import Priority
from igcds.domain.record import Route
from igcds.knowledge.product_names import iga_text, products_named
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag, listing
from igcds.rules.reactions import reactions

THROMBOSIS_CONDITIONS = (
    "thrombosis_history",
    "hypercoagulable_state",
    "cardiovascular_risk",
    "central_venous_catheter",
    "immobility",
    "paraproteinemia",
    "cryoglobulinemia",
    "hypertriglyceridemia",
)
HISTORY_COUNTS = frozenset({"thrombosis_history"})
RENAL_CONDITIONS = ("renal_insufficiency", "diabetes", "volume_depletion", "sepsis", "paraproteinemia")
VISCOSITY_CONDITIONS = ("cryoglobulinemia", "paraproteinemia", "hypertriglyceridemia")


def _risk_factors(
    ctx: ClinicalContext, condition_sets: tuple[str, ...], drug_sets: tuple[str, ...], age: bool
) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    evidence: list[str] = []
    if age and ctx.is_older_than(ctx.policy.risk_age_years) and ctx.age_years is not None:
        texts.append(f"age {ctx.age_years:.0f} (> {ctx.policy.risk_age_years:g})")
        evidence.append(ctx.record.ref)
    for name in condition_sets:
        # A past thrombosis counts even when resolved: the label warns on any history.
        for condition in ctx.conditions_in(name, active_only=name not in HISTORY_COUNTS):
            texts.append(condition.text or ctx.kb.conditions[name].label)
            evidence.append(condition.ref)
    for name in drug_sets:
        for use in ctx.medications_in(name):
            texts.append(ctx.kb.medications[name].first_name_in(use.names) or ctx.kb.medications[name].label)
            evidence.append(use.ref)
    return texts, list(dict.fromkeys(evidence))


def findings(ctx: ClinicalContext, route: Route | None) -> list[Finding]:
    """`route` of the IgRT planned or given; the renal warning is labelled for IV products."""
    found = []
    checks = [
        ("IGRT-THR-01", THROMBOSIS_CONDITIONS, ("estrogens",), True, Flag.THROMBOSIS_RISK),
        ("IGRT-VISC-01", VISCOSITY_CONDITIONS, (), False, None),
    ]
    if route == "IV":
        checks.insert(1, ("IGRT-REN-01", RENAL_CONDITIONS, ("nephrotoxic",), True, Flag.RENAL_RISK))
    for rec_id, condition_sets, drug_sets, age, flag in checks:
        texts, evidence = _risk_factors(ctx, condition_sets, drug_sets, age)
        if texts:
            flags = frozenset({flag} if flag else ())
            values = {"factors": listing(texts)}
            if rec_id == "IGRT-REN-01":
                sucrose, refs = _sucrose_products(ctx)
                values["sucrose_text"] = (
                    f"{sucrose} on record is sucrose-stabilised: change to a sucrose-free product"
                    if sucrose
                    else "no sucrose-stabilised product on record"
                )
                evidence += refs
            found.append(Finding(rec_id, values, tuple(evidence), flags=flags))
    found += _reaction_findings(ctx)
    found += _pregnancy(ctx)
    return found


def _sucrose_products(ctx: ClinicalContext) -> tuple[str, tuple[str, ...]]:
    """Sucrose-stabilised products named in the immune globulin record (Carimune NF)."""
    named = [
        (product.name, use.ref)
        for use in ctx.medications_in("immune_globulin", active_only=False)
        for product in products_named(ctx.kb.products, use.names)
        if product.contains_sucrose
    ]
    return listing(name for name, _ in named), tuple(dict.fromkeys(ref for _, ref in named))


def _lowest_iga_iv(ctx: ClinicalContext, avoid: set[str]) -> str:
    candidates = [
        p
        for p in ctx.kb.products.values()
        if "IV" in p.routes and p.iga_ug_per_ml is not None and p.id not in avoid and p.plannable
    ]
    if not candidates:
        return "a low-IgA IV product"
    low = min(candidates, key=lambda p: p.iga_ug_per_ml or 0.0)
    return f"{low.name} ({iga_text(low)})"


def _reaction_findings(ctx: ClinicalContext) -> list[Finding]:
    seen = reactions(ctx)
    if not seen.events:
        return []
    texts = [f"{r.text} ({r.when.isoformat()})" if r.when else r.text for r in seen.events]
    priority: Priority = "critical" if seen.severe else "urgent"
    found = [Finding("IGRT-RXN-01", {"reactions": "; ".join(texts)}, tuple(r.ref for r in seen.events), priority)]
    if not seen.products and not seen.prefer_low_iga:
        return found
    avoid = {p.product_id for p in seen.products}
    products = listing(p.name for p in seen.products) or "the product is not identified in the record"
    iga = f"{seen.low_iga[0]}" if seen.low_iga else "no anti-IgA antibodies or IgA deficiency recorded"
    if seen.prefer_low_iga:
        alternative = f"prefer {_lowest_iga_iv(ctx, avoid)} or SCIG under supervision"
    else:
        alternative = "choose another product"
    values = {
        "products": products,
        "severity": "severe (anaphylaxis or serious)" if seen.severe else "not recorded as severe",
        "iga_text": iga,
        "alternative": alternative,
    }
    evidence = (*(ref for p in seen.products for ref in p.refs), *(r.ref for r in seen.events))
    evidence += (seen.low_iga[1],) if seen.low_iga else ()
    found.append(Finding("IGRT-RXN-02", values, tuple(dict.fromkeys(evidence)), priority))
    return found


def _pregnancy(ctx: ClinicalContext) -> list[Finding]:
    pregnant = ctx.conditions_in("pregnancy")
    if not pregnant:
        return []
    weight = f"{ctx.weight.value:g} kg on {ctx.weight.effective.isoformat()}" if ctx.weight else "no weight recorded"
    evidence = (*(c.ref for c in pregnant), *((ctx.weight.ref,) if ctx.weight else ()))
    values = {"pregnancy": listing(c.text or "pregnancy" for c in pregnant), "weight_text": weight}
    return [Finding("IGRT-PREG-01", values, evidence)]
