"""The clinical context every rule reads: the record interpreted once against the knowledge base
and the site policy (ages, reference ranges, infections in windows, IgRT and prophylaxis status).
Each property is computed on first use and named in clinical words."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

from igcds.domain.record import Condition, LabResult, Measurement, MedicationUse, PatientRecord, Route, VaccineEvent
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.knowledge.schema import InfectionClass
from igcds.knowledge.valuesets import split_codes
from igcds.rules.time_windows import months_before, whole_months_between, within_months, years_between

Judgement = Literal["low", "normal", "high", "unknown"]
FOUR_WEEKS_DAYS = 28


@dataclass(frozen=True, slots=True)
class InfectionEpisode:
    onset: date
    infection: InfectionClass
    ref: str

    @property
    def is_severe(self) -> bool:
        return self.infection.severity in ("severe", "life-threatening")


@dataclass(frozen=True, slots=True)
class IgrtStatus:
    on_igrt: bool
    route: Route | None
    since: date | None
    refs: tuple[str, ...]
    last_dose: MedicationUse | None
    interval_days: int | None


@dataclass(frozen=True, slots=True)
class ProphylaxisCourse:
    since: date
    until: date
    active: bool
    ref: str


class ClinicalContext:
    def __init__(self, record: PatientRecord, kb: KnowledgeBase, policy: Policy, as_of: date) -> None:
        self.record = record
        self.kb = kb
        self.policy = policy
        self.as_of = as_of

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
        return self.has_reached_age(self.policy.child_age_years) is False

    # --- laboratory -----------------------------------------------------------------------------

    def results(self, analyte: str) -> list[LabResult]:
        return [lab for lab in self.record.labs if lab.analyte == analyte]

    def latest(self, analyte: str) -> LabResult | None:
        found = self.results(analyte)
        return found[-1] if found else None

    def reference_limits(self, result: LabResult) -> tuple[float | None, float | None]:
        """The lab's own range when given, else the knowledge table for the age at the draw."""
        if result.reference_low is not None or result.reference_high is not None:
            return result.reference_low, result.reference_high
        months = self.age_months_on(result.effective)
        if months is None or result.analyte not in ("igm", "igg", "iga"):
            return None, None
        for band in self.kb.reference_ranges.bands:
            if band.max_age_months is None or months < band.max_age_months:
                low, high = getattr(band, result.analyte)
                return low, high
        return None, None  # unreachable: the last band is open

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
        started = self.igrt.since
        candidates = [r for r in self.results("igg") if started is None or r.effective <= started]
        return candidates[-1] if candidates else None

    @cached_property
    def troughs(self) -> list[LabResult]:
        """IgG drawn on the day of, or up to `trough_window_days` before, an IV administration;
        or any IgG while on SC therapy."""
        window = timedelta(days=self.policy.trough_window_days)
        sc_window = timedelta(weeks=self.policy.on_igrt_sc_weeks)
        given = self.immune_globulin_administrations
        iv_days = [m.start for m in given if m.route != "SC" and m.start is not None]
        sc_days = [m.start for m in given if m.route == "SC" and m.start is not None]
        found = []
        for result in self.results("igg"):
            drawn = result.effective
            next_iv = bisect_left(iv_days, drawn)  # first IV infusion on or after the draw
            last_sc = bisect_right(sc_days, drawn) - 1  # last SC infusion on or before it
            before_iv = next_iv < len(iv_days) and iv_days[next_iv] - drawn <= window
            on_sc = last_sc >= 0 and drawn - sc_days[last_sc] <= sc_window
            if before_iv or on_sc:
                found.append(result)
        return found

    @cached_property
    def dose_at_each_trough(self) -> list[tuple[float, float, date]]:
        """(mg/kg per 4 weeks, trough mg/dL, date drawn) for each trough on the current route: the
        dose is the last administration before the draw, per kg of the weight then, over the
        days to the next administration (IV) or since the one before (SC)."""
        route = self.igrt.route or "IV"
        given = [m for m in self.immune_globulin_administrations if (m.route or "IV") == route]
        days = [m.start for m in given if m.start is not None]
        history = []
        for trough in self.troughs:
            index = bisect_left(days, trough.effective) - 1
            if index < 0:
                continue
            dose = given[index]
            neighbour = index + 1 if route == "IV" else index - 1
            if not 0 <= neighbour < len(given):
                continue
            interval = abs((days[neighbour] - days[index]).days)
            mg_per_kg = self.mg_per_kg_of(dose)
            if mg_per_kg is None or interval == 0:
                continue
            history.append((mg_per_kg * FOUR_WEEKS_DAYS / interval, trough.value, trough.effective))
        return history

    def mg_per_kg_of(self, given: MedicationUse) -> float | None:
        """A recorded immune globulin dose per kg: as recorded, or its grams over the weight then."""
        if given.dose_mg_per_kg is not None:
            return given.dose_mg_per_kg
        weight = self.weight_on(given.start) if given.start else self.weight
        if given.dose_g is None or weight is None:
            return None
        return given.dose_g * 1000 / weight.value

    def weight_on(self, day: date) -> Measurement | None:
        """The last weight measured on or before `day` (the first one when all are later)."""
        weights = self.record.weights
        if not weights:
            return None
        before = [w for w in weights if w.effective <= day]
        return before[-1] if before else weights[0]

    # --- conditions and medications -------------------------------------------------------------

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
        return {
            name: [m for m in self.record.medications if matcher.matches(m.codings, m.names)]
            for name, matcher in self.kb.medications.items()
        }

    def conditions_in(self, set_name: str, active_only: bool = True) -> list[Condition]:
        return [c for c in self._conditions_by_set[set_name] if not active_only or c.active_on(self.as_of)]

    def medications_in(self, set_name: str, active_only: bool = True) -> list[MedicationUse]:
        return [m for m in self._medications_by_set[set_name] if not active_only or m.active_on(self.as_of)]

    @cached_property
    def immune_globulin_records(self) -> list[MedicationUse]:
        return self.medications_in("immune_globulin", active_only=False)

    @cached_property
    def immune_globulin_administrations(self) -> list[MedicationUse]:
        given = [m for m in self.immune_globulin_records if m.kind == "administration" and m.start]
        return sorted(given, key=lambda m: m.start or date.min)

    @cached_property
    def igrt(self) -> IgrtStatus:
        """On IgRT: an administration in the last `on_igrt_iv_weeks` (IV; also when the route is
        not recorded) or `on_igrt_sc_weeks` (SC), or an active order or statement."""
        recent = []
        for given in self.immune_globulin_administrations:
            assert given.start is not None
            weeks = self.policy.on_igrt_sc_weeks if given.route == "SC" else self.policy.on_igrt_iv_weeks
            if self.as_of - given.start <= timedelta(weeks=weeks):
                recent.append(given)
        standing = [m for m in self.immune_globulin_records if m.kind != "administration" and m.active_on(self.as_of)]
        evidence = recent + standing
        starts = [m.start for m in self.immune_globulin_records if m.start is not None]
        last = self.immune_globulin_administrations[-1] if self.immune_globulin_administrations else None
        with_dose = [m for m in evidence if m.dose_g is not None or m.dose_mg_per_kg is not None]
        route = next((m.route for m in reversed(evidence) if m.route), None)
        return IgrtStatus(
            on_igrt=bool(evidence),
            route=route,
            since=min(starts) if starts else None,
            refs=tuple(m.ref for m in evidence),
            last_dose=with_dose[-1] if with_dose else (last if last in evidence else None),
            interval_days=self._administration_interval(route),
        )

    @cached_property
    def previous_dose(self) -> MedicationUse | None:
        """The last immune globulin record with a dose, current or lapsed (a restart resumes it)."""
        dosed = [m for m in self.immune_globulin_records if m.dose_g is not None or m.dose_mg_per_kg is not None]
        return max(dosed, key=lambda m: m.start or date.min) if dosed else None

    def _administration_interval(self, route: Route | None) -> int | None:
        same_route = [m for m in self.immune_globulin_administrations if m.route == route or route is None]
        if len(same_route) < 2:
            return None
        last, previous = same_route[-1].start, same_route[-2].start
        if last is None or previous is None:
            return None
        return (last - previous).days or None

    @cached_property
    def prophylaxis_courses(self) -> list[ProphylaxisCourse]:
        """Antibiotic records whose reason or dosage says prophylaxis, or continuous use of at
        least `prophylaxis_continuous_days`."""
        courses = []
        for use in self.medications_in("antibiotics", active_only=False):
            if use.start is None:
                continue
            active = use.active_on(self.as_of)
            until = min(use.end or self.as_of, self.as_of) if not active else self.as_of
            long_enough = (until - use.start).days >= self.policy.prophylaxis_continuous_days
            if use.stated_prophylaxis or long_enough:
                courses.append(ProphylaxisCourse(use.start, until, active, use.ref))
        return sorted(courses, key=lambda c: c.since)

    @cached_property
    def current_prophylaxis(self) -> ProphylaxisCourse | None:
        active = [c for c in self.prophylaxis_courses if c.active]
        return active[0] if active else None

    @cached_property
    def pjp_prophylaxis(self) -> list[MedicationUse]:
        return self.medications_in("pjp_prophylaxis")

    # --- infections -----------------------------------------------------------------------------

    @cached_property
    def infections(self) -> list[InfectionEpisode]:
        episodes = []
        for condition, icd10, snomed in self._condition_codes:
            if condition.onset is None:
                continue
            classes = self.kb.infection_index.sets_of(icd10, snomed)
            # The first class in knowledge order wins, so one condition is one episode.
            matched = next((m for m in self.kb.infections if m.entry.id in classes), None) if classes else None
            if matched is not None:
                episodes.append(InfectionEpisode(condition.onset, matched.entry, condition.ref))
        return sorted(episodes, key=lambda e: e.onset)

    def infections_within(self, months: int, since: date | None = None) -> list[InfectionEpisode]:
        """Infections that count toward a pattern (not known to be non-bacterial) in the window of
        `months` ending at as_of, optionally only from `since` on."""
        return [
            e
            for e in self.infections
            if within_months(e.onset, self.as_of, months)
            and e.infection.bacterial is not False
            and (since is None or e.onset >= since)
        ]

    @cached_property
    def recent_infections(self) -> list[InfectionEpisode]:
        return self.infections_within(self.policy.recurrence_window_months)

    @property
    def has_recurrent_infections(self) -> bool:
        return len(self.recent_infections) >= self.policy.recurrent_infection_count

    @cached_property
    def severe_recent_infections(self) -> list[InfectionEpisode]:
        window = self.policy.recurrence_window_months
        return [e for e in self.infections if e.is_severe and within_months(e.onset, self.as_of, window)]

    @cached_property
    def breakthrough_infections(self) -> list[InfectionEpisode]:
        if not self.igrt.on_igrt:
            return []
        return self.infections_within(self.policy.breakthrough_window_months, since=self.igrt.since)

    @property
    def has_breakthrough_infections(self) -> bool:
        return len(self.breakthrough_infections) >= self.policy.breakthrough_infection_count

    @cached_property
    def prophylaxis_failure(self) -> tuple[ProphylaxisCourse, list[InfectionEpisode]] | None:
        """A course of at least `prophylaxis_failure_min_months` during which at least
        `prophylaxis_failure_count` infections began."""
        for course in self.prophylaxis_courses:
            if months_before(course.until, self.policy.prophylaxis_failure_min_months) < course.since:
                continue
            during = [
                e
                for e in self.infections
                if course.since <= e.onset <= course.until and e.infection.bacterial is not False
            ]
            if len(during) >= self.policy.prophylaxis_failure_count:
                return course, during
        return None

    # --- facts, vaccines, genotype --------------------------------------------------------------

    def fact(self, code: str) -> tuple[bool | str, str] | None:
        found = [f for f in self.record.facts if f.code == code]
        return (found[-1].value, found[-1].ref) if found else None

    @cached_property
    def live_vaccine_orders(self) -> list[VaccineEvent]:
        return [v for v in self.record.vaccines if v.ordered and self.kb.live_vaccines.matches(v.codings, v.names)]

    def infection_summary(self) -> str:
        recent = self.recent_infections
        months = self.policy.recurrence_window_months
        if not recent:
            return f"no infections recorded in the last {months} months"
        labels = ", ".join(f"{e.infection.label} ({e.onset.isoformat()})" for e in recent)
        severe = sum(1 for e in recent if e.is_severe)
        extra = f", {severe} severe or life-threatening" if severe else ""
        return f"{len(recent)} infection(s) in the last {months} months{extra}: {labels}"
