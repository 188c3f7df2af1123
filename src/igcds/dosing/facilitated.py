"""Facilitated SC immune globulin (HyQvia): given at an IV-like dose and interval (every 3 or 4
weeks on its label) after the label's ramp-up, with the hyaluronidase infused first. Every figure
comes from the product catalogue; what the catalogue has not verified (per-site limits) stays a
stated gap in the dose's notes."""

from __future__ import annotations

from igcds.dosing import regimen
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

WEEK_DAYS = 7


def is_facilitated(product: schema.Product | None) -> bool:
    """A product given at the IV dose and interval under the skin (the catalogue's `as-iv`)."""
    return product is not None and product.sc is not None and product.sc.frequency == "as-iv"


def starting(product: schema.Product, policy: Policy, kb: KnowledgeBase) -> regimen.Regimen:
    """A new start on the product: the site's IVIG starting dose and interval (policy range 3-4
    weeks), which the label's 300-600 mg/kg every 3 to 4 weeks contains."""
    iv = regimen.starting("IV", policy, kb)
    weeks = iv.interval_days // WEEK_DAYS
    return regimen.Regimen(
        "SC",
        iv.mg_per_kg,
        iv.interval_days,
        f"{product.name} starting dose {iv.mg_per_kg:g} mg/kg every {weeks} weeks after the ramp-up "
        f"(site IVIG starting dose; label: 300-600 mg/kg every 3 to 4 weeks)",
        (*iv.citations, product.label),
    )


def notes(product: schema.Product, dose_g: float, interval_days: int) -> list[str]:
    """What whoever gives the product must know beyond the dose: an interval the label does not
    give, the hyaluronidase step, and the per-site limits igcds could not verify."""
    assert product.sc is not None
    sc = product.sc
    out = []
    weeks = interval_days / WEEK_DAYS
    if sc.interval_weeks and weeks not in sc.interval_weeks:
        given = " or ".join(f"{w}" for w in sc.interval_weeks)
        out.append(f"{product.name}: the label gives intervals of {given} weeks, not every {interval_days} days")
    if sc.hyaluronidase is not None:
        hy = sc.hyaluronidase
        out.append(
            f"{product.name}: infuse the hyaluronidase first, {dose_g * hy.ml_per_g:g} mL for {dose_g:g} g "
            f"({hy.ml_per_g:g} mL per g, as the kits supply it), at about {hy.initial_ml_min_per_site_low:g}-"
            f"{hy.initial_ml_min_per_site_high:g} mL/min per site, divided equally between sites; start the "
            f"immune globulin within {hy.start_ig_within_minutes} minutes (label)"
        )
    if not sc.site_limits:
        out.append(
            f"{product.name}: per-site volume and pump rates are not in igcds' verified catalogue: "
            "set the sites and rates as the label directs"
        )
    return out
