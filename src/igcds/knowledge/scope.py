"""The scope of igcds (data/scope.yaml) checked against the rest of the knowledge base, and compiled
into `ScopeSignals`: the codes that make ONE resource a reason to look at a patient.

A patient is in scope only if some resource of theirs is a scope signal (every record criterion
rests on one resource; every warning sign needs a recorded infection of its classes, or, for the
IV-antibiotic sign, an intravenous antibiotic record). The population run therefore selects as
candidates the patients with at least one signal and lets the full engine decide; a patient
without any signal is `not-in-scope` by construction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from igcds.domain.errors import KnowledgeError
from igcds.domain.record import Coding
from igcds.knowledge import schema
from igcds.knowledge.valuesets import LOINC, NameMatcher, normalise_icd10, split_codes

FACT_SYSTEM = "urn:igcds:fact"


@dataclass(frozen=True, slots=True)
class ScopeSignals:
    """What makes a single FHIR resource a scope signal (a superset of what the engine counts).

    - Observation: a LOINC `code` in `observation_loinc` (immunoglobulins, IgG subclasses, the
      genomic variant panel), or any coding in `fact_system`.
    - Condition: an ICD-10-CM code starting with one of `condition_icd10_prefixes` (compared
      without the dot, upper case) or a SNOMED CT code in `condition_snomed`.
    - MedicationStatement/Request/Administration (and referenced Medication): a medication matching
      one of `medications` (immune globulin), or an `iv_antibiotics` match given by a route in
      `intravenous_route_snomed` / `intravenous_route_text`.

    `igcds.fhir.scope.is_scope_signal` applies these to one resource exactly as the reader does. A
    translation into a query (SQL over NDJSON) stays a superset if it ignores status, dates and
    `exclude_names`, and matches name fragments as lower-case substrings of the text and displays.
    """

    observation_loinc: frozenset[str]
    fact_system: str
    condition_icd10_prefixes: tuple[str, ...]
    condition_snomed: frozenset[str]
    medications: tuple[NameMatcher, ...]
    iv_antibiotics: NameMatcher
    intravenous_route_snomed: frozenset[str]
    intravenous_route_text: frozenset[str]

    def observation(self, codings: Iterable[Coding]) -> bool:
        return any(
            c.system == self.fact_system or (c.system == LOINC and c.code in self.observation_loinc) for c in codings
        )

    def condition(self, codings: Iterable[Coding]) -> bool:
        icd10, snomed = split_codes(codings)
        return bool(snomed & self.condition_snomed) or any(
            code.startswith(prefix) for code in icd10 for prefix in self.condition_icd10_prefixes
        )

    def medication(self, codings: Iterable[Coding], text: str, intravenous: bool) -> bool:
        """`text`: the lower-cased medication text and displays; `intravenous`: a dosage route in
        the intravenous route set (as the FHIR reader decides it)."""
        codings = tuple(codings)
        if any(m.matches(codings, text) for m in self.medications):
            return True
        return intravenous and self.iv_antibiotics.matches(codings, text)


def check(scope: schema.Scope, references: dict[str, Any], valuesets: schema.ValueSets, policy: dict[str, Any]) -> None:
    """Every citation, value set, infection class and policy key named in scope.yaml exists."""
    classes = {i.id for i in valuesets.infections}
    ids = [c.id for c in scope.record_criteria] + [s.id for s in scope.warning_signs]
    if len(ids) != len(set(ids)):
        raise KnowledgeError("scope.yaml: duplicate criterion id")
    for criterion in scope.record_criteria:
        where = f"scope.yaml: {criterion.id}"
        kinds = [bool(criterion.observations), bool(criterion.icd10cm), bool(criterion.medications)]
        if sum(kinds) + criterion.variants + criterion.facts != 1:
            raise KnowledgeError(f"{where} must name exactly one kind of fact")
        named: list[tuple[str, Mapping[str, object]]] = [
            (item, valuesets.observations) for item in criterion.observations
        ]
        named += [(item, valuesets.medications) for item in criterion.medications]
        for item, known in named:
            if item not in known:
                raise KnowledgeError(f"{where} names no value set {item!r}")
        _cited(where, criterion.citations, references)
    for sign in scope.warning_signs:
        where = f"scope.yaml: {sign.id}"
        for name in [] if sign.infections == "any" else sign.infections:
            if name not in classes:
                raise KnowledgeError(f"{where} names no infection class {name!r}")
        for key in (sign.count_key, sign.window_key, sign.iv_antibiotic_days_key):
            if key is not None and key not in policy:
                raise KnowledgeError(f"{where} names no policy key {key!r}")
        _cited(where, sign.citations, references)


def _cited(where: str, citations: list[str], references: dict[str, Any]) -> None:
    for citation in citations:
        if citation not in references:
            raise KnowledgeError(f"{where} cites {citation!r}, which does not resolve")


def signals(scope: schema.Scope, valuesets: schema.ValueSets, medications: dict[str, NameMatcher]) -> ScopeSignals:
    loinc = {valuesets.variant.code}
    icd10: list[str] = []
    snomed: set[str] = set()
    wanted: set[str] = set()
    for criterion in scope.record_criteria:
        for analyte in criterion.observations:
            loinc.update(valuesets.observations[analyte].codes)
        icd10 += [normalise_icd10(code) for code in criterion.icd10cm]
    for sign in scope.warning_signs:
        if sign.iv_antibiotic_days_key is None and sign.infections != "any":
            wanted.update(sign.infections)  # the IV sign is signalled by its IV antibiotic instead
    for infection in valuesets.infections:
        if infection.id in wanted:
            icd10 += [normalise_icd10(code) for code in infection.icd10cm]
            snomed.update(infection.snomed)
    intravenous = valuesets.routes["intravenous"]
    return ScopeSignals(
        observation_loinc=frozenset(loinc),
        fact_system=FACT_SYSTEM,
        condition_icd10_prefixes=tuple(dict.fromkeys(icd10)),
        condition_snomed=frozenset(snomed),
        medications=tuple(medications[name] for c in scope.record_criteria for name in c.medications),
        iv_antibiotics=medications["antibiotics"],
        intravenous_route_snomed=frozenset(intravenous.snomed),
        intravenous_route_text=frozenset(intravenous.text),
    )
