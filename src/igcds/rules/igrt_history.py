"""Immune globulin therapy as recorded: the administrations, whether the patient is on IgRT
(DESIGN.md §6.1), the current and previous dose, the interval, and the troughs drawn on it."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise
from statistics import median_high

from igcds.domain.record import LabResult, Measurement, MedicationUse, Route
from igcds.knowledge.policy import Policy

FOUR_WEEKS_DAYS = 28


@dataclass(frozen=True, slots=True)
class IgrtStatus:
    on_igrt: bool
    route: Route | None
    since: date | None
    refs: tuple[str, ...]
    last_dose: MedicationUse | None
    interval_days: int | None


class IgrtHistory:
    def __init__(
        self,
        records: list[MedicationUse],
        igg_results: list[LabResult],
        weights: tuple[Measurement, ...],
        policy: Policy,
        as_of: date,
    ) -> None:
        self.records = records
        """Every immune globulin record, current or not."""
        self._igg = igg_results
        self._weights = weights
        self._policy = policy
        self._as_of = as_of

    @cached_property
    def administrations(self) -> list[MedicationUse]:
        given = [m for m in self.records if m.kind == "administration" and m.start]
        return sorted(given, key=lambda m: m.start or date.min)

    @cached_property
    def status(self) -> IgrtStatus:
        """On IgRT: an administration in the last `on_igrt_iv_weeks` (IV; also when the route is
        not recorded) or `on_igrt_sc_weeks` (SC), or an active order or statement."""
        recent = []
        for given in self.administrations:
            assert given.start is not None
            weeks = (
                self._policy.igrt_history.on_igrt_sc_weeks
                if given.route == "SC"
                else self._policy.igrt_history.on_igrt_iv_weeks
            )
            if self._as_of - given.start <= timedelta(weeks=weeks):
                recent.append(given)
        standing = [m for m in self.records if m.kind != "administration" and m.active_on(self._as_of)]
        evidence = recent + standing
        starts = [m.start for m in self.records if m.start is not None]
        last = self.administrations[-1] if self.administrations else None
        with_dose = [m for m in evidence if m.dose_g is not None or m.dose_mg_per_kg is not None]
        route = next((m.route for m in reversed(evidence) if m.route), None)
        return IgrtStatus(
            on_igrt=bool(evidence),
            route=route,
            since=min(starts) if starts else None,
            refs=tuple(m.ref for m in evidence),
            last_dose=with_dose[-1] if with_dose else (last if last in evidence else None),
            interval_days=self.usual_interval(route),
        )

    @cached_property
    def previous_dose(self) -> MedicationUse | None:
        """The last immune globulin record with a dose, current or lapsed (a restart resumes it)."""
        dosed = [m for m in self.records if m.dose_g is not None or m.dose_mg_per_kg is not None]
        return max(dosed, key=lambda m: m.start or date.min) if dosed else None

    def usual_interval(self, route: Route | None) -> int | None:
        """The usual interval (days) between administrations of `route` (any route when None): the
        median of the last `usual_interval_gaps` gaps of the latest course, a gap longer than the
        route's on-IgRT window being a lapse that ends a course (when the last gap is one, the course
        before it, which a restart resumes). Same-day records are one dose. With an even count the
        longer middle gap is taken: the interval is always one the patient actually had, and one dose
        given a day early or late does not change it. None with fewer than two administrations."""
        given = [m.start for m in self.administrations if m.start is not None and (route is None or m.route == route)]
        weeks = (
            self._policy.igrt_history.on_igrt_sc_weeks if route == "SC" else self._policy.igrt_history.on_igrt_iv_weeks
        )
        usual: list[int] = []
        for earlier, later in reversed(list(pairwise(given))):
            gap = (later - earlier).days
            if gap > weeks * 7 and usual:
                break
            if 0 < gap <= weeks * 7:
                usual.append(gap)
            if len(usual) == self._policy.igrt_history.usual_interval_gaps:
                break
        return median_high(usual) if usual else None

    @cached_property
    def troughs(self) -> list[LabResult]:
        """IgG drawn on the day of, or up to `trough_window_days` before, an IV administration;
        or any IgG while on SC therapy."""
        window = timedelta(days=self._policy.trough.trough_window_days)
        sc_window = timedelta(weeks=self._policy.igrt_history.on_igrt_sc_weeks)
        iv_days = [m.start for m in self.administrations if m.route != "SC" and m.start is not None]
        sc_days = [m.start for m in self.administrations if m.route == "SC" and m.start is not None]
        found = []
        for result in self._igg:
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
        route = self.status.route or "IV"
        given = [m for m in self.administrations if (m.route or "IV") == route]
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
        weight = self.weight_on(given.start) if given.start else (self._weights[-1] if self._weights else None)
        if given.dose_g is None or weight is None:
            return None
        return given.dose_g * 1000 / weight.value

    def weight_on(self, day: date) -> Measurement | None:
        """The last weight measured on or before `day` (the first one when all are later)."""
        if not self._weights:
            return None
        before = [w for w in self._weights if w.effective <= day]
        return before[-1] if before else self._weights[0]
