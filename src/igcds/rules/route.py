"""Route of immunoglobulin: IV unless a reason for subcutaneous therapy applies (AACI 2005 reasons;
Orange principle 7: route by patient characteristics)."""

from __future__ import annotations

from igcds.domain.record import Route
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag, IgrtPlan
from igcds.rules.reactions import product_choice, reactions

SC_REASON_FACTS = {
    "poor-venous-access": "poor venous access",
    "prefers-home-therapy": "prefers home therapy",
}


def sc_reasons(ctx: ClinicalContext) -> list[tuple[str, str]]:
    """(reason, ref) for choosing the SC route."""
    reasons = []
    for code, text in SC_REASON_FACTS.items():
        fact = ctx.fact(code)
        if fact is not None and fact[0] is True:
            reasons.append((text, fact[1]))
    seen = reactions(ctx)
    # A reaction is a reason for SC only after an IV one, and while an SC product may be planned.
    if seen.events and not seen.on_sc and product_choice(ctx, seen).sc_left(ctx.kb.products):
        reasons += [("previous reaction to immune globulin", r.ref) for r in seen.events]
    return reasons


def start_route(ctx: ClinicalContext) -> Route:
    """A restart after a lapse resumes the previous route; a first start is IV unless an SC
    reason applies."""
    previous = ctx.igrt_history.previous_dose
    if previous is not None and previous.route is not None:
        return previous.route
    return "SC" if sc_reasons(ctx) else "IV"


def findings(ctx: ClinicalContext, plan: IgrtPlan | None) -> list[Finding]:
    """Consider SCIG for a patient on, or starting, IgRT by a route other than SC."""
    if plan is None:
        return []
    reasons = sc_reasons(ctx)
    on_iv = plan.intent != "start" and plan.route == "IV"
    starting_sc = plan.intent == "start" and plan.route == "SC"
    if not reasons or not (on_iv or starting_sc):
        return []
    text = ", ".join(reason for reason, _ in reasons)
    evidence = tuple(ref for _, ref in reasons)
    return [Finding("IGRT-SC-01", {"reasons": text}, evidence, flags=frozenset({Flag.SC_ROUTE_ADVISED}))]


def current_route(ctx: ClinicalContext) -> Route:
    """The route of current therapy; IV when the record does not say."""
    return ctx.igrt.route or "IV"
