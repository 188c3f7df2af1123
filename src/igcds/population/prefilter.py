"""The candidate pre-filter: the scope's resource-level signals (knowledge/data/scope.yaml, compiled
into `KnowledgeBase.scope_signals`, the same definition `igcds assess` decides scope from) turned
into regular expressions over raw NDJSON lines, per kind of resource. Both engines apply the same
patterns to the same text (DuckDB: RE2; Spark: java.util.regex; only syntax both read alike).

Why it is a superset of the scope signals: every code the FHIR reader matches is the value of a
`code` element in the line's JSON, and every name it matches is a fragment of the line's text, so
a line whose text holds none of the codes as a `"code": "..."` value (an ICD-10-CM code starting
with one of the prefixes, dots anywhere, any case) and none of the name fragments (any case) cannot
be a signal. Status, dates and exclusion names are ignored, so it may match more: those patients
are assessed, and the engine itself finds them out of scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from igcds.knowledge.loader import KnowledgeBase

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
    """The scope signals of the knowledge base, as raw codes and names."""
    scope = kb.scope_signals
    return Signals(
        observation_codes=scope.observation_loinc,
        fact_system=scope.fact_system,
        condition_icd10_prefixes=frozenset(scope.condition_icd10_prefixes),
        condition_snomed=scope.condition_snomed,
        medication_codes=frozenset(code for matcher in scope.medications for code in matcher.codes),
        medication_names=frozenset(name for matcher in scope.medications for name in matcher.names),
        iv_medication_codes=scope.iv_antibiotics.codes,
        iv_medication_names=frozenset(scope.iv_antibiotics.names),
        iv_route_snomed=scope.intravenous_route_snomed,
        iv_route_texts=scope.intravenous_route_text,
    )


def signal_patterns(kb: KnowledgeBase) -> dict[str, Conjunctions]:
    return signals(kb).patterns()
