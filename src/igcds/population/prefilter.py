"""The candidate pre-filter: one regular expression, derived from the knowledge base, that a raw
NDJSON line must match to count as a scope signal. Both engines apply the same pattern to the
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


@dataclass(frozen=True, slots=True)
class Signals:
    """What puts a patient's record in front of the engine, as raw codes and names."""

    codes: frozenset[str]  # LOINC, SNOMED, RxNorm: matched as a whole JSON string
    icd10_prefixes: frozenset[str]  # normalised (no dot, upper case)
    names: frozenset[str]  # lower-case fragments, matched anywhere in any case
    systems: frozenset[str]  # a code system whose every code is a signal

    def pattern(self) -> str:
        parts = [f'"(?:{_alternation(self.codes)})"'] if self.codes else []
        if self.icd10_prefixes:
            dotted = (r"\.?".join(re.escape(char) for char in prefix) for prefix in sorted(self.icd10_prefixes))
            parts.append(r'"\s*(?:' + "|".join(dotted) + ")")
        parts += [_alternation(self.names | self.systems)] if self.names or self.systems else []
        return "(?i)(?:" + "|".join(parts) + ")"


def _alternation(texts: Iterable[str]) -> str:
    return "|".join(re.escape(text) for text in sorted(texts))


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
        codes=frozenset(codes | snomed | immune_globulin.codes),
        icd10_prefixes=frozenset(normalise_icd10(p) for p in prefixes),
        names=frozenset(immune_globulin.names),
        systems=frozenset({FACT_SYSTEM}),
    )


def signal_pattern(kb: KnowledgeBase) -> str:
    return signals(kb).pattern()
