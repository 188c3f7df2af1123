"""Observations: immunoglobulins, body measurements, neutrophils, lymphocyte subsets, HIGM gene
variants and project-defined facts (system urn:igcds:fact)."""

from __future__ import annotations

from datetime import date
from typing import Any

from igcds.domain import quantity as units
from igcds.domain.errors import InputError
from igcds.domain.record import Fact, LabResult, Measurement, ReaderNote, TestPerformed, Variant
from igcds.fhir.primitives import JsonObject, codings, first_date, parse_date, quantity
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.valuesets import FACT_SYSTEM

COUNTING_STATUSES = frozenset({"final", "amended", "corrected"})
BOOLEAN_FACTS = frozenset(
    {"poor-venous-access", "prefers-home-therapy", "measles-exposure", "measles-risk", "anti-iga-antibodies"}
)
ANTIBODY_RESPONSES = frozenset({"adequate", "impaired"})
IMMUNOGLOBULINS = frozenset({"igg", "iga", "igm", "igg_subclass"})
EFFECTIVE_PATHS = ("effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued")


class ObservationReader:
    """Sorts each counting Observation into the record's lists."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.labs: list[LabResult] = []
        self.tests_performed: list[TestPerformed] = []
        self.weights: list[Measurement] = []
        self.heights: list[Measurement] = []
        self.variants: list[Variant] = []
        self.facts: list[Fact] = []
        self.notes: list[ReaderNote] = []

    def read(self, resource: JsonObject, ref: str) -> None:
        if resource.get("status") not in COUNTING_STATUSES:
            return
        code = codings(resource.get("code"))
        fact_codes = [c.code for c in code if c.system == FACT_SYSTEM]
        if fact_codes:
            self._fact(resource, ref, fact_codes[0])
            return
        loinc = [c.code for c in code if c.system == "http://loinc.org"]
        if self.kb.valuesets.variant.code in loinc:
            self._variant(resource, ref)
            return
        analyte = next((self.kb.analyte_by_loinc[c] for c in loinc if c in self.kb.analyte_by_loinc), None)
        if analyte is None:
            return
        when = first_date(resource, ref, EFFECTIVE_PATHS)
        if when is None:
            self.notes.append(ReaderNote(f"{ref}: no effective date, so it was not used"))
            return
        if analyte == "lymphocyte_subsets":
            # Only the fact that subsets were measured is used.
            self.tests_performed.append(TestPerformed(analyte, when, ref))
            return
        if "valueQuantity" not in resource:
            self.notes.append(ReaderNote(f"{ref}: no valueQuantity, so it was not used", when))
            return
        self._measurement(resource, ref, analyte, when, loinc)

    def _measurement(self, resource: JsonObject, ref: str, analyte: str, when: date, loinc: list[str]) -> None:
        value, unit, comparator = quantity(resource["valueQuantity"], ref, "valueQuantity")
        if value < 0:
            raise InputError(ref, "valueQuantity.value", f"negative {analyte} {value:g}")
        if analyte == "ige":
            if unit not in units.IGE_UNITS:
                raise InputError(
                    ref,
                    "valueQuantity.unit",
                    f"unknown unit {unit!r} for IgE (expected one of {', '.join(sorted(units.IGE_UNITS))})",
                )
            self.labs.append(LabResult(analyte, value, when, ref, comparator, loinc=loinc[0]))
            return
        kind = self._kind(analyte)
        canonical = self._convert(kind, value, unit, ref, "valueQuantity.unit")
        if analyte in ("weight", "height"):
            if canonical <= 0:
                raise InputError(ref, "valueQuantity.value", f"{analyte} must be positive, got {value:g}")
            problem = units.implausible(analyte, canonical)
            if problem:
                raise InputError(ref, "valueQuantity", problem)
            target = self.weights if analyte == "weight" else self.heights
            target.append(Measurement(canonical, when, ref))
            return
        low, high = self._reference_range(resource, ref, kind)
        self.labs.append(LabResult(analyte, canonical, when, ref, comparator, low, high, loinc[0]))

    @staticmethod
    def _kind(analyte: str) -> str:
        if analyte in IMMUNOGLOBULINS:
            return "immunoglobulin"
        if analyte == "neutrophils_absolute":
            return "neutrophils"
        return analyte

    @staticmethod
    def _convert(kind: str, value: float, unit: str, ref: str, field: str) -> float:
        try:
            return units.to_canonical(kind, value, unit)
        except units.UnknownUnit as problem:
            raise InputError(ref, field, str(problem)) from None

    def _reference_range(self, resource: JsonObject, ref: str, kind: str) -> tuple[float | None, float | None]:
        ranges = resource.get("referenceRange")
        if not isinstance(ranges, list) or not ranges or not isinstance(ranges[0], dict):
            return None, None
        bounds: list[float | None] = []
        for end in ("low", "high"):
            if end in ranges[0]:
                field = f"referenceRange[0].{end}"
                value, unit, _ = quantity(ranges[0][end], ref, field)
                bounds.append(self._convert(kind, value, unit, ref, f"{field}.unit"))
            else:
                bounds.append(None)
        return bounds[0], bounds[1]

    def _fact(self, resource: JsonObject, ref: str, code: str) -> None:
        when = first_date(resource, ref, EFFECTIVE_PATHS)
        if code in BOOLEAN_FACTS:
            value = resource.get("valueBoolean")
            if not isinstance(value, bool):
                raise InputError(ref, "valueBoolean", f"{code} needs a boolean value")
            self.facts.append(Fact(code, value, when, ref))
        elif code == "pneumococcal-response":
            answers = [c.code for c in codings(resource.get("valueCodeableConcept")) if c.system == FACT_SYSTEM]
            answer = next((a for a in answers if a in ANTIBODY_RESPONSES), None)
            if answer is None:
                raise InputError(
                    ref,
                    "valueCodeableConcept",
                    f"pneumococcal-response must be 'adequate' or 'impaired' (system {FACT_SYSTEM})",
                )
            self.facts.append(Fact(code, answer, when, ref))
        else:
            self.notes.append(ReaderNote(f"{ref}: unknown {FACT_SYSTEM} code {code!r}, not used", when))

    def _variant(self, resource: JsonObject, ref: str) -> None:
        profile = self.kb.valuesets.variant
        when = first_date(resource, ref, EFFECTIVE_PATHS)
        present = {c.code for c in codings(resource.get("valueCodeableConcept"))}
        if not present & set(profile.present_answers):
            return
        gene: str | None = None
        heterozygous = biallelic = False
        for index, component in enumerate(resource.get("component") or ()):
            if not isinstance(component, dict):
                continue
            component_codes = {c.code for c in codings(component.get("code"))}
            value = component.get("valueCodeableConcept")
            if profile.gene_component in component_codes:
                gene = self._gene(value, ref, index)
            elif profile.significance_component in component_codes:
                if {c.code for c in codings(value)} & set(profile.excluded_significance_answers):
                    return  # benign or of uncertain significance: not a genotype
            elif profile.zygosity_component in component_codes:
                answers = {c.code for c in codings(value)}
                heterozygous = bool(answers & set(profile.heterozygous_answers))
                biallelic = bool(answers & set(profile.homozygous_or_hemizygous_answers))
        if gene is not None:
            self.variants.append(Variant(gene, heterozygous, ref, when, homozygous_or_hemizygous=biallelic))

    def _gene(self, value: Any, ref: str, index: int) -> str | None:
        for coding in codings(value):
            if coding.code in self.kb.gene_by_hgnc:
                return self.kb.gene_by_hgnc[coding.code]
            for candidate in (coding.display, coding.code):
                if candidate.upper() in self.kb.valuesets.genes:
                    return candidate.upper()
        text = value.get("text") if isinstance(value, dict) else None
        if isinstance(text, str) and text.strip().upper() in self.kb.valuesets.genes:
            return text.strip().upper()
        return None


def parse_birth_date(resource: JsonObject, ref: str, as_of: date | None) -> date | None:
    raw = resource.get("birthDate")
    if raw is None:
        return None
    born = parse_date(raw, ref, "birthDate")
    if as_of is not None and born > as_of:
        raise InputError(ref, "birthDate", f"{raw} is after the assessment date {as_of.isoformat()}")
    return born
