"""Value sets compiled for fast membership tests. Rules ask "is this condition an autoimmune
disease?"; the answer comes from codes and names in `data/valuesets.yaml`, never from Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from igcds.domain.record import Coding
from igcds.knowledge import schema

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
LOINC = "http://loinc.org"


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

    def matches(self, codings: Iterable[Coding]) -> bool:
        for coding in codings:
            if coding.system == ICD10CM:
                code = normalise_icd10(coding.code)
                if code.startswith(self.icd10_prefixes):
                    return True
            elif coding.system == SNOMED and coding.code in self.snomed:
                return True
        return False


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

    def matches(self, codings: Iterable[Coding], text: str) -> bool:
        for coding in codings:
            if coding.system == self.system and coding.code in self.codes:
                return True
        return any(fragment in text for fragment in self.names)

    def first_name_in(self, text: str) -> str | None:
        return next((fragment for fragment in self.names if fragment in text), None)


def code_matcher(name: str, label: str, icd10cm: Iterable[str], snomed: Iterable[str]) -> CodeMatcher:
    return CodeMatcher(
        name=name,
        label=label,
        icd10_prefixes=tuple(normalise_icd10(c) for c in icd10cm),
        snomed=frozenset(snomed),
    )


def name_matcher(name: str, label: str, system: str, codes: Iterable[str], names: Iterable[str]) -> NameMatcher:
    return NameMatcher(
        name=name,
        label=label,
        system=system,
        codes=frozenset(codes),
        names=tuple(n.lower() for n in names),
    )
