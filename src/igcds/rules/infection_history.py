"""Infections as the pathways count them: episodes classified by the knowledge base, in the
policy's windows (recurrent, severe, breakthrough on IgRT), and antibiotic prophylaxis courses
with their failures (DESIGN.md §6.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from igcds.domain.record import Condition, MedicationUse
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.knowledge.schema import InfectionClass
from igcds.rules.igrt_history import IgrtStatus
from igcds.rules.time_windows import months_before, within_months


@dataclass(frozen=True, slots=True)
class InfectionEpisode:
    onset: date
    infection: InfectionClass
    ref: str

    @property
    def is_severe(self) -> bool:
        return self.infection.severity in ("severe", "life-threatening")


@dataclass(frozen=True, slots=True)
class ProphylaxisCourse:
    since: date
    until: date
    active: bool
    ref: str


class Infections:
    def __init__(
        self,
        coded_conditions: list[tuple[Condition, tuple[str, ...], frozenset[str]]],
        antibiotics: list[MedicationUse],
        igrt: IgrtStatus,
        kb: KnowledgeBase,
        policy: Policy,
        as_of: date,
    ) -> None:
        self._coded = coded_conditions
        self._antibiotics = antibiotics
        self._igrt = igrt
        self._kb = kb
        self._policy = policy
        self._as_of = as_of

    @cached_property
    def episodes(self) -> list[InfectionEpisode]:
        found = []
        for condition, icd10, snomed in self._coded:
            if condition.onset is None:
                continue
            classes = self._kb.infection_index.sets_of(icd10, snomed)
            # The first class in knowledge order wins, so one condition is one episode.
            matched = next((m for m in self._kb.infections if m.entry.id in classes), None) if classes else None
            if matched is not None:
                found.append(InfectionEpisode(condition.onset, matched.entry, condition.ref))
        return sorted(found, key=lambda e: e.onset)

    def within(self, months: int, since: date | None = None) -> list[InfectionEpisode]:
        """Infections that count toward a pattern (not known to be non-bacterial) in the window of
        `months` ending at as_of, optionally only from `since` on."""
        return [
            e
            for e in self.episodes
            if within_months(e.onset, self._as_of, months)
            and e.infection.bacterial is not False
            and (since is None or e.onset >= since)
        ]

    @cached_property
    def recent(self) -> list[InfectionEpisode]:
        return self.within(self._policy.infections.recurrence_window_months)

    @property
    def recurrent(self) -> bool:
        return len(self.recent) >= self._policy.infections.recurrent_infection_count

    @cached_property
    def severe_recent(self) -> list[InfectionEpisode]:
        window = self._policy.infections.recurrence_window_months
        return [e for e in self.episodes if e.is_severe and within_months(e.onset, self._as_of, window)]

    @cached_property
    def breakthrough(self) -> list[InfectionEpisode]:
        if not self._igrt.on_igrt:
            return []
        return self.within(self._policy.infections.breakthrough_window_months, since=self._igrt.since)

    @property
    def has_breakthrough(self) -> bool:
        return len(self.breakthrough) >= self._policy.infections.breakthrough_infection_count

    @cached_property
    def prophylaxis_courses(self) -> list[ProphylaxisCourse]:
        """Antibiotic records whose reason or dosage says prophylaxis, or continuous use of at
        least `prophylaxis_continuous_days`."""
        courses = []
        for use in self._antibiotics:
            if use.start is None:
                continue
            active = use.active_on(self._as_of)
            until = min(use.end or self._as_of, self._as_of) if not active else self._as_of
            long_enough = (until - use.start).days >= self._policy.infections.prophylaxis_continuous_days
            if use.stated_prophylaxis or long_enough:
                courses.append(ProphylaxisCourse(use.start, until, active, use.ref))
        return sorted(courses, key=lambda c: c.since)

    @cached_property
    def current_prophylaxis(self) -> ProphylaxisCourse | None:
        active = [c for c in self.prophylaxis_courses if c.active]
        return active[0] if active else None

    @cached_property
    def prophylaxis_failure(self) -> tuple[ProphylaxisCourse, list[InfectionEpisode]] | None:
        """A course of at least `prophylaxis_failure_min_months` during which at least
        `prophylaxis_failure_count` infections began."""
        for course in self.prophylaxis_courses:
            if months_before(course.until, self._policy.infections.prophylaxis_failure_min_months) < course.since:
                continue
            during = [
                e
                for e in self.episodes
                if course.since <= e.onset <= course.until and e.infection.bacterial is not False
            ]
            if len(during) >= self._policy.infections.prophylaxis_failure_count:
                return course, during
        return None
