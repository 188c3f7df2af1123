"""Cross-checks of the knowledge files beyond their schemas: unique ids, citations that resolve,
contiguous reference-range bands, policy defaults within their ranges, and a product catalogue
whose figures are each sourced or marked unverified. Each failure is a KnowledgeError naming the
file."""

from __future__ import annotations

import string
from typing import Any

from pydantic import BaseModel

from igcds.domain.errors import KnowledgeError
from igcds.knowledge import schema
from igcds.knowledge.plausibility import Plausibility


def unique(name: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise KnowledgeError(f"{name}: duplicate id {identifier!r}")
        seen.add(identifier)


def resolve(name: str, owner: str, cited: list[str], known: dict[str, Any]) -> None:
    for citation in cited:
        if citation not in known:
            raise KnowledgeError(f"{name}: {owner} cites {citation!r}, which does not resolve")


def template_fields(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def check_bands(ranges: schema.ReferenceRanges) -> None:
    expected_start = 0
    for band in ranges.bands:
        if band.min_age_months != expected_start:
            raise KnowledgeError(
                f"reference_ranges.yaml: band starting at {band.min_age_months} months leaves a gap "
                f"or overlap (expected {expected_start})"
            )
        for analyte in ("igm", "igg", "iga"):
            low, high = getattr(band, analyte)
            if not 0 <= low < high:
                raise KnowledgeError(f"reference_ranges.yaml: {analyte} range {low}-{high} invalid")
        if band.max_age_months is None:
            break
        expected_start = band.max_age_months
    if ranges.bands[-1].max_age_months is not None:
        raise KnowledgeError("reference_ranges.yaml: the last band must be open (max_age_months: null)")


def check_policy(policy: schema.PolicyFile, references: dict[str, schema.Reference]) -> None:
    for key, entry in policy.keys.items():
        resolve("policy.yaml", key, entry.citations, references)
        if entry.choices is not None and entry.default not in entry.choices:
            raise KnowledgeError(f"policy.yaml: {key} default is not one of its choices")
        if entry.choices is None:
            if entry.minimum is None or entry.maximum is None or isinstance(entry.default, str):
                raise KnowledgeError(f"policy.yaml: {key} needs choices or a numeric range")
            if not entry.minimum <= float(entry.default) <= entry.maximum:
                raise KnowledgeError(f"policy.yaml: {key} default is outside its range")


VIAL_VOLUME_TOLERANCE = 0.05  # labels round mL (Cutaquig: 1 g in 6 mL of a 16.5% solution)
PRODUCT_POLICY_KEYS = {"iv_product": "IV", "sc_product": "SC"}


def _figure_exists(product: schema.Product, path: str) -> bool:
    node: Any = product
    for part in path.split("."):
        if not isinstance(node, BaseModel) or part not in type(node).model_fields:
            return False
        node = getattr(node, part)
    return True


def check_products(
    catalogue: schema.Catalogue, references: dict[str, schema.Reference], policy: schema.PolicyFile
) -> dict[str, schema.Product]:
    unique("products.yaml", [p.id for p in catalogue.products])
    unique("products.yaml names", [name for p in catalogue.products for name in p.names])
    for product in catalogue.products:
        cited = [product.label, *(ref for refs in product.sources.values() for ref in refs)]
        cited += [ref for flagged in product.contraindicated_when for ref in flagged.citations]
        resolve("products.yaml", product.id, cited, references)
        for path in (*product.sources, *product.unverified):
            if not _figure_exists(product, path):
                raise KnowledgeError(f"products.yaml: {product.id} names no figure {path!r}")
        if product.contains_sucrose is None and "contains_sucrose" not in product.unverified:
            raise KnowledgeError(f"products.yaml: {product.id} sucrose content unknown and not marked unverified")
        for route, name, section in (("IV", "iv", product.iv), ("SC", "sc", product.sc)):
            # A labelled route may lack its section only when the figures are recorded as unverified.
            if section is not None and route not in product.routes:
                raise KnowledgeError(f"products.yaml: {product.id} has {name} figures but no {route} route")
            if section is None and route in product.routes and name not in product.unverified:
                raise KnowledgeError(f"products.yaml: {product.id} {route} figures missing and not marked unverified")
        if product.concentration_percent is None:
            if "concentration_percent" not in product.unverified or product.vials or product.iv or product.sc:
                raise KnowledgeError(
                    f"products.yaml: {product.id} has no verified concentration: it needs an `unverified` "
                    "entry saying so and no vials or infusion figures"
                )
            continue
        for vial in product.vials:
            expected_ml = vial.grams * 100 / product.concentration_percent
            if abs(vial.ml - expected_ml) > VIAL_VOLUME_TOLERANCE * expected_ml:
                raise KnowledgeError(f"products.yaml: {product.id} vial {vial.grams:g} g in {vial.ml:g} mL")
        if product.iv and product.iv.initial_rate_mg_kg_min > product.iv.max_rate_mg_kg_min:
            raise KnowledgeError(f"products.yaml: {product.id} initial rate above its maximum")
    products = {p.id: p for p in catalogue.products}
    for key, route in PRODUCT_POLICY_KEYS.items():
        for choice in (policy.keys[key].choices or []) if key in policy.keys else []:
            if choice != "none" and (choice not in products or route not in products[choice].routes):
                raise KnowledgeError(f"policy.yaml: {key} choice {choice!r} is not a {route} product")
    return products


def plausibility(limits: Plausibility, analytes: set[str]) -> None:
    """plausibility.yaml: limits for known observation sets, low below high, weight bands contiguous."""
    for analyte, lab in limits.laboratory.items():
        if analyte not in analytes:
            raise KnowledgeError(f"plausibility.yaml: {analyte!r} is not an observation set in valuesets.yaml")
        if lab.low >= lab.high:
            raise KnowledgeError(f"plausibility.yaml: {analyte} low {lab.low:g} is not below high {lab.high:g}")
    if set(limits.body) != {"weight", "height"} or any(b.low >= b.high for b in limits.body.values()):
        raise KnowledgeError("plausibility.yaml: body needs weight and height, each low below high")
    expected_start = 0
    for band in limits.weight_for_age:
        if band.min_age_months != expected_start or band.low_kg >= band.high_kg:
            raise KnowledgeError(f"plausibility.yaml: weight band from {band.min_age_months} months is out of order")
        if band.max_age_months is None:
            break
        expected_start = band.max_age_months
    if limits.weight_for_age[-1].max_age_months is not None:
        raise KnowledgeError("plausibility.yaml: the last weight band must be open (max_age_months: null)")
