"""Shared IgRT safety: FDA class warnings for thrombosis (2013 boxed warning), renal dysfunction and
hyperviscosity, and previous infusion reactions. Apply to anyone on or starting IgRT."""

from __future__ import annotations

from igcds.domain.record import Route
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag, listing

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
            found.append(Finding(rec_id, {"factors": listing(texts)}, tuple(evidence), flags=flags))
    if ctx.record.reactions:
        texts = [f"{r.text} ({r.when.isoformat()})" if r.when else r.text for r in ctx.record.reactions]
        found.append(
            Finding("IGRT-RXN-01", {"reactions": "; ".join(texts)}, tuple(r.ref for r in ctx.record.reactions))
        )
    return found
