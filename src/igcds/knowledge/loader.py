"""Load the packaged knowledge base once, validate every file against its schema and cross-check
the whole: unique ids, every citation resolving in the bibliography, every divergence and
recommendation reference resolving, reference-range bands contiguous. Any failure raises
KnowledgeError naming the file and the problem."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from igcds.domain.errors import KnowledgeError
from igcds.knowledge import citation_hosts, schema
from igcds.knowledge import scope as scope_knowledge
from igcds.knowledge.valuesets import (
    CVX,
    RXNORM,
    CodeMatcher,
    InfectionMatcher,
    NameMatcher,
    PrefixIndex,
    code_matcher,
    name_matcher,
)

DATA_FILES = (
    "bibliography.yaml",
    "recommendations.yaml",
    "divergences.yaml",
    "valuesets.yaml",
    "reference_ranges.yaml",
    "policy.yaml",
    "products.yaml",
    "schedules.yaml",
    "guidelines.yaml",
    "scope.yaml",
    "measures.yaml",
)
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    version: str
    disclaimer: str
    references: dict[str, schema.Reference]
    recommendations: dict[str, schema.RecommendationEntry]
    divergences: dict[str, schema.Divergence]
    valuesets: schema.ValueSets
    reference_ranges: schema.ReferenceRanges
    policy: schema.PolicyFile
    products: dict[str, schema.Product]
    schedules: schema.Schedules
    guidelines: dict[str, schema.Guideline]
    conditions: dict[str, CodeMatcher]
    infections: tuple[InfectionMatcher, ...]
    medications: dict[str, NameMatcher]
    live_vaccines: NameMatcher
    measles_varicella_vaccines: NameMatcher
    condition_index: PrefixIndex
    infection_index: PrefixIndex
    gene_by_hgnc: dict[str, str]
    analyte_by_loinc: dict[str, str]
    scope: schema.Scope
    scope_signals: scope_knowledge.ScopeSignals
    """The codes that make one resource a scope signal: the population run's candidate pre-filter."""
    measures: tuple[schema.Measure, ...] = ()

    def recommendation(self, rec_id: str) -> schema.RecommendationEntry:
        try:
            return self.recommendations[rec_id]
        except KeyError:
            raise KnowledgeError(f"recommendations.yaml: no recommendation {rec_id!r}") from None


def _read(name: str) -> tuple[Any, bytes]:
    raw = resources.files("igcds.knowledge").joinpath("data", name).read_bytes()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader), raw  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{name}: not valid YAML: {error}") from None


def _validate(name: str, model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise KnowledgeError(f"{name}: {where}: {first['msg']} ({error.error_count()} error(s))") from None


def _unique(name: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise KnowledgeError(f"{name}: duplicate id {identifier!r}")
        seen.add(identifier)


def _resolve(name: str, owner: str, cited: list[str], known: dict[str, Any]) -> None:
    for citation in cited:
        if citation not in known:
            raise KnowledgeError(f"{name}: {owner} cites {citation!r}, which does not resolve")


def _template_fields(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def _check_bands(ranges: schema.ReferenceRanges) -> None:
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


def _check_policy(policy: schema.PolicyFile, references: dict[str, schema.Reference]) -> None:
    for key, entry in policy.keys.items():
        _resolve("policy.yaml", key, entry.citations, references)
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


def _check_products(
    catalogue: schema.Catalogue, references: dict[str, schema.Reference], policy: schema.PolicyFile
) -> dict[str, schema.Product]:
    _unique("products.yaml", [p.id for p in catalogue.products])
    _unique("products.yaml names", [name for p in catalogue.products for name in p.names])
    for product in catalogue.products:
        cited = [product.label, *(ref for refs in product.sources.values() for ref in refs)]
        _resolve("products.yaml", product.id, cited, references)
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


def build(files: dict[str, Any], version: str) -> KnowledgeBase:
    """Validate and cross-check parsed knowledge files (exposed for tests of broken data)."""
    bibliography = _validate("bibliography.yaml", schema.Bibliography, files["bibliography.yaml"])
    recs = _validate("recommendations.yaml", schema.Recommendations, files["recommendations.yaml"])
    divs = _validate("divergences.yaml", schema.Divergences, files["divergences.yaml"])
    valuesets = _validate("valuesets.yaml", schema.ValueSets, files["valuesets.yaml"])
    ranges = _validate("reference_ranges.yaml", schema.ReferenceRanges, files["reference_ranges.yaml"])
    policy = _validate("policy.yaml", schema.PolicyFile, files["policy.yaml"])
    catalogue = _validate("products.yaml", schema.Catalogue, files["products.yaml"])
    schedules = _validate("schedules.yaml", schema.Schedules, files["schedules.yaml"])
    guidelines = _validate("guidelines.yaml", schema.Guidelines, files["guidelines.yaml"])
    in_scope = _validate("scope.yaml", schema.Scope, files["scope.yaml"])

    _unique("bibliography.yaml", [r.id for r in bibliography.references])
    _unique("recommendations.yaml", [r.id for r in recs.recommendations])
    _unique("divergences.yaml", [d.id for d in divs.divergences])
    _unique("valuesets.yaml infections", [i.id for i in valuesets.infections])
    references = {r.id: r for r in bibliography.references}
    citation_hosts.check(bibliography.references)
    recommendations = {r.id: r for r in recs.recommendations}
    divergences = {d.id: d for d in divs.divergences}

    for rec in recs.recommendations:
        _resolve("recommendations.yaml", rec.id, rec.citations, references)
        _resolve("recommendations.yaml", rec.id, rec.source_divergence, divergences)
        try:
            _template_fields(rec.rationale)
        except ValueError as error:
            raise KnowledgeError(f"recommendations.yaml: {rec.id} rationale: {error}") from None
    for div in divs.divergences:
        _resolve("divergences.yaml", div.id, div.citations, references)
        _resolve("divergences.yaml", div.id, div.recommendations, recommendations)
        if not div.citations and div.finding != "unverified":
            raise KnowledgeError(f"divergences.yaml: {div.id} corrects a claim without a citation")
    _resolve("reference_ranges.yaml", "citation", [ranges.citation], references)
    _check_bands(ranges)
    _check_policy(policy, references)
    products = _check_products(catalogue, references, policy)
    for name, guideline in guidelines.guidelines.items():
        for section in guideline.sections:
            _resolve("guidelines.yaml", f"{name} / {section.title}", section.recommendations, recommendations)
            _resolve("guidelines.yaml", f"{name} / {section.title}", section.policy, dict(policy.keys))
    measles = schedules.measles
    cited = [
        *schedules.vaccine_interval_after_igiv.citations,
        *measles.citations,
        *measles.sc_citations,
        *schedules.pjp_tmp_smx_order.citations,
    ]
    _resolve("schedules.yaml", "schedules", cited, references)
    measures = _validate("measures.yaml", schema.Measures, files["measures.yaml"]).measures
    _unique("measures.yaml", [m.id for m in measures])
    for measure in measures:
        _resolve("measures.yaml", measure.id, measure.citations, references)
        used = [*measure.denominator.recommendations, *measure.numerator.recommendations]
        _resolve("measures.yaml", measure.id, used, recommendations)
    rows = [row.up_to_mg_per_kg for row in schedules.vaccine_interval_after_igiv.rows]
    if rows != sorted(rows):
        raise KnowledgeError("schedules.yaml: vaccine interval rows must rise with the dose")

    analyte_by_loinc: dict[str, str] = {}
    for analyte, observation_set in valuesets.observations.items():
        for code in observation_set.codes:
            if code in analyte_by_loinc:
                raise KnowledgeError(f"valuesets.yaml: LOINC {code} is in two observation sets")
            analyte_by_loinc[code] = analyte

    scope_knowledge.check(in_scope, references, valuesets, policy.keys)
    conditions = {name: code_matcher(name, s.label, s.icd10cm, s.snomed) for name, s in valuesets.conditions.items()}
    infections = tuple(
        InfectionMatcher(code_matcher(i.id, i.label, i.icd10cm, i.snomed), i) for i in valuesets.infections
    )
    medications = {
        name: name_matcher(name, s.label, RXNORM, s.rxnorm, s.names, s.exclude_names)
        for name, s in valuesets.medications.items()
    }
    return KnowledgeBase(
        version=version,
        disclaimer=recs.disclaimer,
        references=references,
        recommendations=recommendations,
        divergences=divergences,
        valuesets=valuesets,
        reference_ranges=ranges,
        policy=policy,
        products=products,
        schedules=schedules,
        guidelines={str(name): guideline for name, guideline in guidelines.guidelines.items()},
        conditions=conditions,
        infections=infections,
        condition_index=PrefixIndex.build(conditions.values()),
        infection_index=PrefixIndex.build(i.matcher for i in infections),
        medications=medications,
        live_vaccines=name_matcher(
            "live_vaccines",
            "live vaccine",
            CVX,
            valuesets.vaccines.live_cvx.codes,
            valuesets.vaccines.live_names.names,
        ),
        measles_varicella_vaccines=name_matcher(
            "measles_varicella_vaccines",
            "measles- or varicella-containing vaccine",
            CVX,
            valuesets.vaccines.measles_varicella_cvx.codes,
            valuesets.vaccines.measles_varicella_names.names,
        ),
        gene_by_hgnc={hgnc: symbol for symbol, hgnc in valuesets.genes.items()},
        analyte_by_loinc=analyte_by_loinc,
        scope=in_scope,
        scope_signals=scope_knowledge.signals(in_scope, valuesets, medications),
        measures=tuple(measures),
    )


@cache
def load() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process."""
    files: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name in DATA_FILES:
        files[name], raw = _read(name)
        digest.update(raw)
    version = f"{files['policy.yaml'].get('version', 'unversioned')}+{digest.hexdigest()[:8]}"
    return build(files, version)
