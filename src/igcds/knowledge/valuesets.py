"""Value sets compiled for fast membership tests. Rules ask "is this condition an autoimmune
disease?"; the answer comes from codes and names in `data/valuesets.yaml`, never from Python."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from igcds.domain.record import Coding
from igcds.knowledge import schema

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
LOINC = "http://loinc.org"
FACT_SYSTEM = "urn:igcds:fact"
"""Project-defined codes (DESIGN.md §6): facts such as poor venous access, and their answers."""


def normalise_icd10(code: str) -> str:
    """ICD-10-CM codes are compared without the dot and in upper case (D80.5 == D805)."""
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True, slots=True)
class CodeMatcher:
    """ICD-10-CM prefixes and exact SNOMED codes of one named set."""

    name: str
    label: str
    icd10_prefixes: tuple[str, ...]
    snomed: frozenset[str]


@dataclass(frozen=True, slots=True)
class InfectionMatcher:
    matcher: CodeMatcher
    entry: schema.InfectionClass


@dataclass(frozen=True, slots=True)
class NameMatcher:
    """RxNorm or CVX codes plus lower-case name fragments matched in free text."""

    name: str
    label: str
    system: str
    codes: frozenset[str]
    names: tuple[str, ...]
    exclude_names: tuple[str, ...] = ()
    _names_pattern: re.Pattern[str] | None = None
    _exclude_pattern: re.Pattern[str] | None = None

    def matches(self, codings: Iterable[Coding], text: str) -> bool:
        for coding in codings:
            if coding.system == self.system and coding.code in self.codes:
                return True
        # One compiled alternation per set: substring search in C, the hot path of every record.
        if self._exclude_pattern is not None and self._exclude_pattern.search(text):
            return False
        return self._names_pattern is not None and self._names_pattern.search(text) is not None

    def first_name_in(self, text: str) -> str | None:
        return next((fragment for fragment in self.names if fragment in text), None)


def split_codes(codings: Iterable[Coding]) -> tuple[tuple[str, ...], frozenset[str]]:
    """(normalised ICD-10-CM codes, SNOMED codes) of a concept, for `PrefixIndex.sets_of`."""
    icd10 = tuple(normalise_icd10(c.code) for c in codings if c.system == ICD10CM)
    return icd10, frozenset(c.code for c in codings if c.system == SNOMED)


def code_matcher(name: str, label: str, icd10cm: Iterable[str], snomed: Iterable[str]) -> CodeMatcher:
    return CodeMatcher(
        name=name,
        label=label,
        icd10_prefixes=tuple(normalise_icd10(c) for c in icd10cm),
        snomed=frozenset(snomed),
    )


def name_matcher(
    name: str, label: str, system: str, codes: Iterable[str], names: Iterable[str], exclude: Iterable[str] = ()
) -> NameMatcher:
    included = tuple(n.lower() for n in names)
    excluded = tuple(n.lower() for n in exclude)
    return NameMatcher(
        name=name,
        label=label,
        system=system,
        codes=frozenset(codes),
        names=included,
        exclude_names=excluded,
        _names_pattern=_alternation(included),
        _exclude_pattern=_alternation(excluded),
    )


def _alternation(fragments: tuple[str, ...]) -> re.Pattern[str] | None:
    """Plain substring search for any of the fragments (no word boundaries: as `in`)."""
    return re.compile("|".join(re.escape(f) for f in fragments)) if fragments else None


@dataclass(frozen=True, slots=True)
class PrefixIndex:
    """All named code sets in one lookup: ICD-10-CM prefix (normalised) or SNOMED code -> the
    names of the sets that hold it. Looking up a code costs its length, not the number of sets."""

    icd10: dict[str, frozenset[str]]
    snomed: dict[str, frozenset[str]]

    @classmethod
    def build(cls, matchers: Iterable[CodeMatcher]) -> PrefixIndex:
        icd10: dict[str, set[str]] = {}
        snomed: dict[str, set[str]] = {}
        for matcher in matchers:
            for prefix in matcher.icd10_prefixes:
                icd10.setdefault(prefix, set()).add(matcher.name)
            for code in matcher.snomed:
                snomed.setdefault(code, set()).add(matcher.name)
        return cls(
            {k: frozenset(v) for k, v in icd10.items()},
            {k: frozenset(v) for k, v in snomed.items()},
        )

    def sets_of(self, icd10: tuple[str, ...], snomed: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for code in icd10:
            for end in range(1, len(code) + 1):
                found.update(self.icd10.get(code[:end], ()))
        for code in snomed:
            found.update(self.snomed.get(code, ()))
        return found
