"""Load the packaged knowledge base once, validate every file against its schema and cross-check
the whole: unique ids, every citation resolving in the bibliography, every divergence and
recommendation reference resolving, reference-range bands contiguous. Any failure raises
KnowledgeError naming the file and the problem."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from igcds.domain.errors import KnowledgeError
from igcds.knowledge import checks, citation_hosts, schema
from igcds.knowledge import scope as scope_knowledge
from igcds.knowledge.plausibility import Plausibility
from igcds.knowledge.policy import check_sections
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
    "plausibility.yaml",
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
    plausibility: Plausibility
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
    plausibility = _validate("plausibility.yaml", Plausibility, files["plausibility.yaml"])

    checks.unique("bibliography.yaml", [r.id for r in bibliography.references])
    checks.unique("recommendations.yaml", [r.id for r in recs.recommendations])
    checks.unique("divergences.yaml", [d.id for d in divs.divergences])
    checks.unique("valuesets.yaml infections", [i.id for i in valuesets.infections])
    references = {r.id: r for r in bibliography.references}
    citation_hosts.check(bibliography.references)
    recommendations = {r.id: r for r in recs.recommendations}
    divergences = {d.id: d for d in divs.divergences}

    for rec in recs.recommendations:
        checks.resolve("recommendations.yaml", rec.id, rec.citations, references)
        checks.resolve("recommendations.yaml", rec.id, rec.source_divergence, divergences)
        try:
            checks.template_fields(rec.rationale)
        except ValueError as error:
            raise KnowledgeError(f"recommendations.yaml: {rec.id} rationale: {error}") from None
    for div in divs.divergences:
        checks.resolve("divergences.yaml", div.id, div.citations, references)
        checks.resolve("divergences.yaml", div.id, div.recommendations, recommendations)
        if not div.citations and div.finding != "unverified":
            raise KnowledgeError(f"divergences.yaml: {div.id} corrects a claim without a citation")
    checks.resolve("reference_ranges.yaml", "citation", [ranges.citation], references)
    checks.check_bands(ranges)
    checks.check_policy(policy, references)
    check_sections(policy)
    products = checks.check_products(catalogue, references, policy)
    for name, guideline in guidelines.guidelines.items():
        for section in guideline.sections:
            checks.resolve("guidelines.yaml", f"{name} / {section.title}", section.recommendations, recommendations)
            checks.resolve("guidelines.yaml", f"{name} / {section.title}", section.policy, dict(policy.keys))
    measles = schedules.measles
    cited = [
        *schedules.vaccine_interval_after_igiv.citations,
        *measles.citations,
        *measles.sc_citations,
        *measles.exposure_citations,
        *schedules.pjp_tmp_smx_order.citations,
        *schedules.pjp_infant.citations,
    ]
    checks.resolve("schedules.yaml", "schedules", cited, references)
    measures = _validate("measures.yaml", schema.Measures, files["measures.yaml"]).measures
    checks.unique("measures.yaml", [m.id for m in measures])
    for measure in measures:
        checks.resolve("measures.yaml", measure.id, measure.citations, references)
        used = [*measure.denominator.recommendations, *measure.numerator.recommendations]
        checks.resolve("measures.yaml", measure.id, used, recommendations)
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
    checks.plausibility(plausibility, set(valuesets.observations))
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
        plausibility=plausibility,
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
