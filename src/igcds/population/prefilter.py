"""The candidate pre-filter: regular expressions, one per kind of resource, derived from the
knowledge base, that a raw NDJSON line must match to count as a scope signal. Both engines apply the same pattern to the
same text (DuckDB: RE2; Spark: java.util.regex; the pattern uses only syntax both read alike).

Why it is a superset of what the reader would find: every code the FHIR reader matches is a JSON
string in the line, so a line whose text holds none of the codes (as a whole string, or an
ICD-10-CM code starting with one of the prefixes, dots anywhere) and none of the name fragments
(any case) cannot carry the fact. It may match more (a code in an unrelated element): those
patients are assessed, and the engine finds them out of scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from igcds.fhir.observations import FACT_SYSTEM
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.valuesets import normalise_icd10

# Observation sets that are immunoglobulin results (serum immunoglobulins and IgG subclasses).
IMMUNOGLOBULIN_RESULTS = ("igg", "iga", "igm", "igg_subclass")
# Condition sets that are antibody deficiencies igcds reads.
IMMUNE_DIAGNOSES = ("hyper_igm", "selective_igm_deficiency")


# Every code the reader reads is the value of a `code` element (Coding.code).
CODE = r'"code"\s*:\s*"'
MEDICATION_TYPES = ("MedicationStatement", "MedicationRequest", "MedicationAdministration", "Medication")


Conjunctions = tuple[tuple[str, ...], ...]  # a line is a signal if it matches all of any one tuple


@dataclass(frozen=True, slots=True)
class Signals:
    """What puts a patient's record in front of the engine, as raw codes and names, per kind of
    resource (a resource of any other type is never a signal)."""

    observation_codes: frozenset[str]  # LOINC, matched as a whole JSON string
    fact_system: str  # every Observation coded in this system is a signal
    condition_icd10_prefixes: frozenset[str]  # normalised (no dot, upper case)
    condition_snomed: frozenset[str]
    medication_codes: frozenset[str]  # RxNorm, as a whole JSON string
    medication_names: frozenset[str]  # lower-case fragments, anywhere in the text, any case
    # Signals only when given intravenously (e.g. antibiotics), with the route's codes and texts.
    iv_medication_codes: frozenset[str] = frozenset()
    iv_medication_names: frozenset[str] = frozenset()
    iv_route_snomed: frozenset[str] = frozenset()
    iv_route_texts: frozenset[str] = frozenset()

    def patterns(self) -> dict[str, Conjunctions]:
        """Resource type -> the patterns one of its lines must match to be a signal."""
        observation = _any(f'{CODE}(?:{_alternation(self.observation_codes)})"', _escape(self.fact_system))
        dotted = (r"\.?".join(_escape(char) for char in prefix) for prefix in sorted(self.condition_icd10_prefixes))
        condition = _any(
            CODE + r"\s*(?i:" + "|".join(dotted) + ")" if self.condition_icd10_prefixes else "",
            f'{CODE}(?:{_alternation(self.condition_snomed)})"' if self.condition_snomed else "",
        )
        medication = _medication(self.medication_codes, self.medication_names)
        found: dict[str, Conjunctions] = {"Observation": ((observation,),), "Condition": ((condition,),)}
        found |= dict.fromkeys(MEDICATION_TYPES, ((medication,),))
        iv_medication = _medication(self.iv_medication_codes, self.iv_medication_names)
        if iv_medication:
            # The route is a JSON string equal to one of its texts (as the reader compares it), or
            # its SNOMED code. A referenced Medication carries no route: its name alone signals.
            route = _any(
                f'{CODE}(?:{_alternation(self.iv_route_snomed)})"' if self.iv_route_snomed else "",
                f'"\\s*(?i:{_alternation(self.iv_route_texts)})\\s*"' if self.iv_route_texts else "",
            )
            for rtype in MEDICATION_TYPES:
                found[rtype] += ((iv_medication,) if rtype == "Medication" else (iv_medication, route),)
        return found


def _medication(codes: frozenset[str], names: frozenset[str]) -> str:
    return _any(
        f'{CODE}(?:{_alternation(codes)})"' if codes else "",
        f"(?i:{_alternation(names)})" if names else "",
    )


def _any(*patterns: str) -> str:
    return "|".join(f"(?:{p})" for p in patterns if p)


def _escape(text: str) -> str:
    """Escape the metacharacters only: the same pattern must read alike in RE2 and Java."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def _alternation(texts: Iterable[str]) -> str:
    return "|".join(_escape(text) for text in sorted(texts))


def signals(kb: KnowledgeBase) -> Signals:
    """Immunoglobulin results, HIGM variants, immune diagnoses, infections, immune globulin
    therapy and project-defined facts, from the knowledge base's value sets."""
    sets = kb.valuesets
    codes = {code for name in IMMUNOGLOBULIN_RESULTS for code in sets.observations[name].codes}
    codes.add(sets.variant.code)
    prefixes = {prefix for name in IMMUNE_DIAGNOSES for prefix in kb.conditions[name].icd10_prefixes}
    snomed = {code for name in IMMUNE_DIAGNOSES for code in kb.conditions[name].snomed}
    for infection in kb.infections:
        prefixes.update(infection.matcher.icd10_prefixes)
        snomed.update(infection.matcher.snomed)
    immune_globulin = kb.medications["immune_globulin"]
    return Signals(
        observation_codes=frozenset(codes),
        fact_system=FACT_SYSTEM,
        condition_icd10_prefixes=frozenset(normalise_icd10(p) for p in prefixes),
        condition_snomed=frozenset(snomed),
        medication_codes=frozenset(immune_globulin.codes),
        medication_names=frozenset(immune_globulin.names),
    )


def signal_patterns(kb: KnowledgeBase) -> dict[str, Conjunctions]:
    return signals(kb).patterns()
