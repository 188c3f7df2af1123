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
from igcds.rules.reactions import product_choice, reactions

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
    if age and ctx.is_older_than(ctx.policy.products_and_infusion.risk_age_years) and ctx.age_years is not None:
        texts.append(f"age {ctx.age_years:.0f} (> {ctx.policy.products_and_infusion.risk_age_years:g})")
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
    found += _reaction_findings(ctx, route)
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


def _reaction_findings(ctx: ClinicalContext, route: Route | None) -> list[Finding]:
    seen = reactions(ctx)
    if not seen.events:
        return []
    choice = product_choice(ctx, seen)
    texts = [f"{r.text} ({r.when.isoformat()})" if r.when else r.text for r in seen.events]
    priority: Priority = "critical" if seen.severe else "urgent"
    if seen.on_sc:
        route_advice = "the reaction was to a subcutaneous product: SCIG is not suggested"
    elif choice.sc_left(ctx.kb.products):
        route_advice = "consider subcutaneous IgG, which causes fewer systemic reactions"
    else:
        route_advice = "no SC product can be planned for this patient either"
    if choice.withheld is not None:
        route_advice += "; igcds plans no product until the record names the one that caused the reaction"
    found = [
        Finding(
            "IGRT-RXN-01",
            {"reactions": "; ".join(texts), "route_advice": route_advice},
            tuple(r.ref for r in seen.events),
            priority,
        )
    ]
    planned_route: Route = route or "IV"
    left = [p for p in ctx.kb.products.values() if planned_route in p.routes and choice.allowed(p)]
    if not seen.products and not seen.prefer_low_iga and (choice.withheld is not None or left):
        return found  # an unknown product is said on IGRT-RXN-01 and in the dose
    products = listing(p.name for p in seen.products) or "the product is not identified in the record"
    iga = f"{seen.low_iga[0]}" if seen.low_iga else "no anti-IgA antibodies or IgA deficiency recorded"
    if choice.withheld is not None:
        alternative = f"igcds plans no product: {choice.withheld}; record which product caused it"
    elif not left:
        alternative = f"no {planned_route} product in igcds' catalogue is free of a matching label contraindication"
    elif planned_route == "IV" and choice.preferred_iv is not None:
        preferred = ctx.kb.products[choice.preferred_iv]
        sc_too = " or SCIG" if not seen.on_sc and choice.sc_left(ctx.kb.products) else ""
        alternative = f"prefer {preferred.name} ({iga_text(preferred)}){sc_too} under supervision"
    else:
        alternative = "choose a product the patient has not reacted to and whose label allows it"
    values = {
        "products": products,
        "severity": "severe (anaphylaxis or serious)" if seen.severe else "not recorded as severe",
        "iga_text": iga,
        "alternative": alternative,
    }
    evidence = (*(ref for p in seen.products for ref in p.refs), *(r.ref for r in seen.events))
    evidence += (seen.low_iga[1],) if seen.low_iga else ()
    evidence += seen.anti_iga_deficient
    evidence = tuple(dict.fromkeys(evidence))
    found.append(Finding("IGRT-RXN-02", values, evidence, priority))
    if choice.withheld is None and not left:
        off_limits = "; ".join(
            f"{ctx.kb.products[pid].name}: {why}"
            for pid, why in choice.excluded
            if planned_route in ctx.kb.products[pid].routes and ctx.kb.products[pid].plannable
        )
        found.append(Finding("IGRT-RXN-03", {"route": planned_route, "excluded": off_limits}, evidence, "critical"))
    return found


def _pregnancy(ctx: ClinicalContext) -> list[Finding]:
    pregnant = ctx.conditions_in("pregnancy")
    if not pregnant:
        return []
    weight = f"{ctx.weight.value:g} kg on {ctx.weight.effective.isoformat()}" if ctx.weight else "no weight recorded"
    evidence = (*(c.ref for c in pregnant), *((ctx.weight.ref,) if ctx.weight else ()))
    values = {"pregnancy": listing(c.text or "pregnancy" for c in pregnant), "weight_text": weight}
    return [Finding("IGRT-PREG-01", values, evidence)]
