"""Live vaccines: contraindicated in hyper-IgM (IDSA 2013 recs 48-49) and in any antibody
deficiency on IgRT (ACIP: immune globulin blocks the response to measles and varicella vaccines).
A pending live-vaccine order makes it critical."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag, listing
from igcds.rules.predicates import diagnosis_evidence

ANTIBODY_DEFICIENCY_STATES = frozenset(
    {"selective-igm-deficiency", "possible-selective-igm-deficiency", "other-antibody-deficiency", "secondary-low-igm"}
)

BARRED = frozenset({Flag.LIVE_VACCINES_BARRED})
"""Every finding here bars live vaccines, so no separate interval check applies to them."""


def findings(ctx: ClinicalContext, dx: Diagnosis, *, igrt_planned: bool) -> list[Finding]:
    if dx.code == "hyper-igm-syndrome":
        rec_id = "HIGM-VAX-01"
    elif dx.code == "possible-hyper-igm-syndrome":
        rec_id = "PHIGM-VAX-01"
    elif dx.code in ANTIBODY_DEFICIENCY_STATES and (ctx.igrt.on_igrt or igrt_planned):
        rec_id = "IGRT-VAX-01"
    else:
        return []
    # Never "on immunoglobulin replacement" beside a recommendation to start it.
    igrt_text = "On immunoglobulin replacement" if ctx.igrt.on_igrt else "Starting immunoglobulin replacement"
    orders = ctx.live_vaccine_orders
    if orders:
        names = listing(order.names or "live vaccine" for order in orders)
        values = {"order_text": f"a live vaccine is ordered ({names}): cancel the order", "igrt_text": igrt_text}
        return [Finding(rec_id, values, tuple(o.ref for o in orders), "critical", BARRED)]
    # What makes live vaccines unsafe here: the IgRT given, else the diagnosis behind the advice.
    basis = ctx.igrt.refs if rec_id == "IGRT-VAX-01" and ctx.igrt.on_igrt else diagnosis_evidence(dx)
    values = {"order_text": "no live-vaccine order on record", "igrt_text": igrt_text}
    return [Finding(rec_id, values, basis, flags=BARRED)]
