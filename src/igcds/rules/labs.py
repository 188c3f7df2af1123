"""Laboratory results as the rules read them: by analyte, judged against the lab's own range or
the knowledge table for the patient's age at the draw (DESIGN.md §6.1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cached_property
from typing import Literal

from igcds.domain.judged import LabValue, RangeSource
from igcds.domain.quantity import CANONICAL_UNIT
from igcds.domain.record import LabResult, PatientRecord
from igcds.knowledge.loader import KnowledgeBase

Judgement = Literal["low", "normal", "high", "unknown"]
AGE_BANDED = ("igm", "igg", "iga")
JUDGED_BY_RANGE = (*AGE_BANDED, "igg_subclass")
"""Analytes judged against a reference range; neutrophils are judged by a policy threshold."""
UNIT = {
    **dict.fromkeys(JUDGED_BY_RANGE, CANONICAL_UNIT["immunoglobulin"]),
    "neutrophils_absolute": CANONICAL_UNIT["neutrophils"],
    "ige": "kU/L",  # kU/L, k[IU]/L and IU/mL are the same number; IgE is not converted
}


class Labs:
    def __init__(
        self,
        record: PatientRecord,
        kb: KnowledgeBase,
        age_months_on: Callable[[date], int | None],
        igrt_since: date | None,
    ) -> None:
        self._record = record
        self._kb = kb
        self._age_months_on = age_months_on
        self._igrt_since = igrt_since

    def results(self, analyte: str) -> list[LabResult]:
        return [lab for lab in self._record.labs if lab.analyte == analyte]

    def latest(self, analyte: str) -> LabResult | None:
        found = self.results(analyte)
        return found[-1] if found else None

    def performed(self, analyte: str) -> bool:
        """A result, or a test recorded as done whose value igcds does not read."""
        done = any(t.analyte == analyte for t in self._record.tests_performed)
        return done or bool(self.results(analyte))

    def reference_limits(self, result: LabResult) -> tuple[float | None, float | None]:
        """The lab's own range when given, else the knowledge table for the age at the draw."""
        low, high, _ = self.reference_range(result)
        return low, high

    def reference_range(self, result: LabResult) -> tuple[float | None, float | None, RangeSource | None]:
        """`reference_limits` with where the range came from."""
        if result.reference_low is not None or result.reference_high is not None:
            return result.reference_low, result.reference_high, "lab"
        months = self._age_months_on(result.effective)
        if months is None or result.analyte not in AGE_BANDED:
            return None, None, None
        for band in self._kb.reference_ranges.bands:
            if band.max_age_months is None or months < band.max_age_months:
                low, high = getattr(band, result.analyte)
                return low, high, "igcds age table"
        return None, None, None  # unreachable: the last band is open

    @cached_property
    def _by_ref(self) -> dict[str, LabResult]:
        return {lab.ref: lab for lab in self._record.labs}

    def values_of(self, refs: Iterable[str]) -> tuple[LabValue, ...]:
        """The laboratory results among `refs`, each with the range it is judged by (none for
        analytes not judged against a range)."""
        found = []
        for ref in dict.fromkeys(refs):
            lab = self._by_ref.get(ref)
            if lab is None:
                continue
            judged = lab.analyte in JUDGED_BY_RANGE
            low, high, source = self.reference_range(lab) if judged else (None, None, None)
            unit = UNIT.get(lab.analyte, "")
            drawn = (lab.value, lab.comparator, unit, lab.effective)
            found.append(LabValue(lab.ref, lab.analyte, lab.loinc, *drawn, low, high, source))
        return tuple(found)

    def judge(self, result: LabResult | None) -> Judgement:
        if result is None:
            return "unknown"
        low, high = self.reference_limits(result)
        if low is not None and (result.value < low or (result.is_upper_bound and result.value <= low)):
            return "low"
        if low is None and high is None:
            return "unknown"
        if high is not None and result.value > high and not result.is_upper_bound:
            return "high"
        return "normal"

    @cached_property
    def low_igm_results(self) -> list[LabResult]:
        return [r for r in self.results("igm") if self.judge(r) == "low"]

    @cached_property
    def igg_for_diagnosis(self) -> LabResult | None:
        """The last IgG before IgRT began (infused IgG masks the patient's own)."""
        started = self._igrt_since
        candidates = [r for r in self.results("igg") if started is None or r.effective <= started]
        return candidates[-1] if candidates else None
