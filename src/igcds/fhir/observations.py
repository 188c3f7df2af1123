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
LABELS = {"igg": "IgG", "iga": "IgA", "igm": "IgM", "igg_subclass": "IgG subclass", "neutrophils_absolute": "ANC"}


class ObservationReader:
    """Sorts each counting Observation into the record's lists."""

    def __init__(self, kb: KnowledgeBase, born: date | None = None) -> None:
        self.kb = kb
        self.born = born
        self.labs: list[LabResult] = []
        self.tests_performed: list[TestPerformed] = []
        self.weights: list[Measurement] = []
        self.heights: list[Measurement] = []
        self.variants: list[Variant] = []
        self.facts: list[Fact] = []
        self.notes: list[ReaderNote] = []

    def read(self, resource: JsonObject, ref: str) -> None:
        code = codings(resource.get("code"))
        fact_codes = [c.code for c in code if c.system == FACT_SYSTEM]
        loinc = [c.code for c in code if c.system == "http://loinc.org"]
        is_variant = self.kb.valuesets.variant.code in loinc
        analyte = next((self.kb.analyte_by_loinc[c] for c in loinc if c in self.kb.analyte_by_loinc), None)
        if not (fact_codes or is_variant or analyte):
            return  # not an observation igcds reads
        status = resource.get("status")
        if status not in COUNTING_STATUSES:
            text = f"{ref}: status {status!r}, not used (only final, amended or corrected results count)"
            self.notes.append(ReaderNote(text, self._date_if_readable(resource, ref)))
            return
        if fact_codes:
            self._fact(resource, ref, fact_codes[0])
            return
        if is_variant or analyte is None:
            self._variant(resource, ref)
            return
        when = first_date(resource, ref, EFFECTIVE_PATHS)
        if when is None:
            self.notes.append(ReaderNote(f"{ref}: no effective date, so it was not used"))
            return
        if self.born is not None and when < self.born:
            self.notes.append(ReaderNote(f"{ref}: dated {when.isoformat()}, before the patient's birth date: not used"))
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
            problem = self.kb.plausibility.body_problem(analyte, canonical)
            if problem:
                raise InputError(ref, "valueQuantity", problem)
            if analyte == "weight":
                self._check_weight_for_age(canonical, when, ref)
            target = self.weights if analyte == "weight" else self.heights
            target.append(Measurement(canonical, when, ref))
            return
        limits = self.kb.plausibility.laboratory.get(analyte)
        undetectable = comparator in ("<", "<=")  # "IgM <3 mg/dL": below the assay, not a slip
        if limits is not None and limits.excludes(canonical) and not (undetectable and canonical < limits.low):
            text = (
                f"{ref}: {LABELS.get(analyte, analyte)} {value:g} {unit} is outside the plausible "
                f"{limits.low:g}-{limits.high:g} {limits.unit} (another unit?), so it was not used"
            )
            self.notes.append(ReaderNote(text, when))
            return
        low, high = self._reference_range(resource, ref, kind)
        self.labs.append(LabResult(analyte, canonical, when, ref, comparator, low, high, loinc[0]))

    @staticmethod
    def _date_if_readable(resource: JsonObject, ref: str) -> date | None:
        """The date of a result that is not used anyway: a broken one is no reason to refuse it."""
        try:
            return first_date(resource, ref, EFFECTIVE_PATHS)
        except InputError:
            return None

    def _check_weight_for_age(self, kg: float, when: date, ref: str) -> None:
        if self.born is None:
            return
        months = (when.year - self.born.year) * 12 + when.month - self.born.month - (when.day < self.born.day)
        band = self.kb.plausibility.weight_band(max(months, 0))
        if not band.low_kg <= kg <= band.high_kg:
            raise InputError(
                ref,
                "valueQuantity",
                f"weight {kg:g} kg is impossible at {months // 12} years {months % 12} months "
                f"(plausible {band.low_kg:g}-{band.high_kg:g} kg): another unit or another patient?",
            )

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


def parse_birth_date(resource: JsonObject, ref: str, as_of: date | None, max_age_years: int) -> date | None:
    """The birth date; one after `as_of`, or giving an age above `max_age_years` on it, is an
    input error."""
    raw = resource.get("birthDate")
    if raw is None:
        return None
    born = parse_date(raw, ref, "birthDate")
    if as_of is None:
        return born
    if born > as_of:
        raise InputError(ref, "birthDate", f"{raw} is after the assessment date {as_of.isoformat()}")
    years = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    if years > max_age_years:
        raise InputError(
            ref, "birthDate", f"{raw} gives an age of {years} years on {as_of.isoformat()}, above {max_age_years}"
        )
    return born
