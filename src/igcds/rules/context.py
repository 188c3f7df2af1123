"""The clinical context every rule reads: the record (as known on `as_of`) interpreted once against
the knowledge base and the site policy. The patient's own figures and value-set membership live
here; laboratory results, IgRT history and infections are focused views (`labs`, `igrt_history`,
`infections`), each computed on first use and named in clinical words."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from igcds.domain.record import Condition, Measurement, MedicationUse, PatientRecord, VaccineEvent
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.knowledge.valuesets import split_codes
from igcds.rules.igrt_history import IgrtHistory, IgrtStatus
from igcds.rules.infection_history import Infections
from igcds.rules.labs import Labs
from igcds.rules.time_windows import months_before, whole_months_between, years_between


class ClinicalContext:
    def __init__(self, record: PatientRecord, kb: KnowledgeBase, policy: Policy, as_of: date) -> None:
        self.record = record
        self.kb = kb
        self.policy = policy
        self.as_of = as_of

    # --- the views ------------------------------------------------------------------------------

    @cached_property
    def labs(self) -> Labs:
        return Labs(self.record, self.kb, self.age_months_on, self.igrt.since)

    @cached_property
    def igrt_history(self) -> IgrtHistory:
        return IgrtHistory(
            self.medications_in("immune_globulin", active_only=False),
            [lab for lab in self.record.labs if lab.analyte == "igg"],
            self.record.weights,
            self.policy,
            self.as_of,
        )

    @property
    def igrt(self) -> IgrtStatus:
        """Whether, since when, by which route and at what dose the patient is on IgRT."""
        return self.igrt_history.status

    @cached_property
    def infections(self) -> Infections:
        antibiotics = self.medications_in("antibiotics", active_only=False)
        return Infections(self._condition_codes, antibiotics, self.igrt, self.kb, self.policy, self.as_of)

    # --- the patient ----------------------------------------------------------------------------

    @cached_property
    def age_years(self) -> float | None:
        born = self.record.birth_date
        return None if born is None else years_between(born, self.as_of)

    def has_reached_age(self, years: float) -> bool | None:
        """True from the birthday on which the patient turns `years` (calendar months, not
        days / 365.25, so a threshold changes exactly on the birthday); None when age is unknown."""
        born = self.record.birth_date
        if born is None:
            return None
        return self.as_of >= months_before(born, -round(years * 12))

    def is_older_than(self, years: float) -> bool | None:
        """Strictly past the birthday on which the patient turns `years` ('age > 65')."""
        born = self.record.birth_date
        if born is None:
            return None
        return self.as_of > months_before(born, -round(years * 12))

    def age_months_on(self, day: date) -> int | None:
        born = self.record.birth_date
        return None if born is None else whole_months_between(born, day)

    @cached_property
    def weight(self) -> Measurement | None:
        return self.record.weights[-1] if self.record.weights else None

    @cached_property
    def height(self) -> Measurement | None:
        return self.record.heights[-1] if self.record.heights else None

    @property
    def is_male(self) -> bool:
        return self.record.sex == "male"

    @property
    def is_child(self) -> bool:
        return self.has_reached_age(self.policy.diagnosis.child_age_years) is False

    # --- value sets: conditions, medications, facts, vaccines -----------------------------------

    @cached_property
    def _condition_codes(self) -> list[tuple[Condition, tuple[str, ...], frozenset[str]]]:
        """Each condition with its codes normalised once (value-set membership is the hot path)."""
        return [(c, *split_codes(c.codings)) for c in self.record.conditions]

    @cached_property
    def _conditions_by_set(self) -> dict[str, list[Condition]]:
        by_set: dict[str, list[Condition]] = {name: [] for name in self.kb.conditions}
        for condition, icd10, snomed in self._condition_codes:
            for name in self.kb.condition_index.sets_of(icd10, snomed):
                by_set[name].append(condition)
        return by_set

    @cached_property
    def _medications_by_set(self) -> dict[str, list[MedicationUse]]:
        # A record repeats the same medication (every infusion of one product): match each distinct
        # coding and name once, not once per administration.
        sets_of: dict[tuple[object, object], list[str]] = {}
        by_set: dict[str, list[MedicationUse]] = {name: [] for name in self.kb.medications}
        for use in self.record.medications:
            key = (use.codings, use.names)
            names = sets_of.get(key)
            if names is None:
                names = [n for n, matcher in self.kb.medications.items() if matcher.matches(use.codings, use.names)]
                sets_of[key] = names
            for name in names:
                by_set[name].append(use)
        return by_set

    @cached_property
    def _active_conditions(self) -> dict[str, list[Condition]]:
        return {name: [c for c in found if c.active_on(self.as_of)] for name, found in self._conditions_by_set.items()}

    @cached_property
    def _active_medications(self) -> dict[str, list[MedicationUse]]:
        return {name: [m for m in found if m.active_on(self.as_of)] for name, found in self._medications_by_set.items()}

    def conditions_in(self, set_name: str, active_only: bool = True) -> list[Condition]:
        """Members of a condition value set; by default only those active on `as_of`."""
        return list((self._active_conditions if active_only else self._conditions_by_set)[set_name])

    def medications_in(self, set_name: str, active_only: bool = True) -> list[MedicationUse]:
        """Members of a medication value set; by default only those in effect on `as_of`."""
        return list((self._active_medications if active_only else self._medications_by_set)[set_name])

    def fact(self, code: str) -> tuple[bool | str, str] | None:
        found = [f for f in self.record.facts if f.code == code]
        return (found[-1].value, found[-1].ref) if found else None

    @cached_property
    def live_vaccine_orders(self) -> list[VaccineEvent]:
        return [v for v in self.record.vaccines if v.ordered and self.kb.live_vaccines.matches(v.codings, v.names)]
