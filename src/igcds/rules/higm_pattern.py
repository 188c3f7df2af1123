"""The hyper-IgM laboratory pattern and what it takes to call it hyper-IgM (DESIGN.md §5, issue 9).

Low IgG and IgA with normal or raised IgM is a pattern, not a diagnosis: IgM is raised in only about
half of X-linked hyper-IgM (Winkelstein 2003), and a quarter of patients referred with the phenotype
had no mutation and were best classified as CVID (Lee 2005). Without a variant or a recorded
diagnosis, igcds calls it hyper-IgM only when the pattern is confirmed on repeat together with a
defining clinical feature (ESID registry definition; Bonilla 2015 SS37). Results drawn before
`higm_interpretable_from_age_months` (maternal IgG, physiological nadir) do not count. In an adult
with normal IgM and no opportunistic infection or neutropenia the pattern is the CVID picture."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from igcds.domain.record import LabResult
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import listing
from igcds.rules.infection_history import InfectionEpisode

NOT_LOW = ("normal", "high")
FeatureKind = Literal["opportunistic", "neutropenia", "serious-bacterial"]


@dataclass(frozen=True, slots=True)
class Feature:
    kind: FeatureKind
    text: str
    refs: tuple[str, ...]


class HigmPattern:
    def __init__(self, ctx: ClinicalContext) -> None:
        self._ctx = ctx
        labs = ctx.labs
        self.igg = labs.igg_for_diagnosis
        self.iga = labs.latest("iga")
        self.igm = labs.latest("igm")
        low_igg_iga = labs.judge(self.igg) == "low" and labs.judge(self.iga) == "low"
        self.present = low_igg_iga and labs.judge(self.igm) in NOT_LOW
        self.igm_raised = labs.judge(self.igm) == "high"

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(r.ref for r in (self.igm, self.igg, self.iga) if r is not None)

    def _interpretable(self, result: LabResult) -> bool:
        return interpretable_age(self._ctx, result)

    def _days(self, analyte: str, judgements: tuple[str, ...]) -> dict[str, list[str]]:
        """Draw days (interpretable age, before IgRT for IgG) with a result judged as given."""
        started = self._ctx.igrt.since
        days: dict[str, list[str]] = {}
        for r in self._ctx.labs.results(analyte):
            if analyte == "igg" and started is not None and r.effective > started:
                continue
            if self._interpretable(r) and self._ctx.labs.judge(r) in judgements:
                days.setdefault(r.effective.isoformat(), []).append(r.ref)
        return days

    @cached_property
    def drawn_too_young(self) -> bool:
        """The pattern is on record but no low IgG was drawn at an interpretable age."""
        return self.present and not self._days("igg", ("low",))

    @cached_property
    def confirmation_refs(self) -> tuple[str, ...]:
        """IgG low and IgM normal or raised, each on at least two days (ESID: measured at least
        twice); empty when not confirmed."""
        low_igg, igm_ok = self._days("igg", ("low",)), self._days("igm", NOT_LOW)
        if not self.present or len(low_igg) < 2 or len(igm_ok) < 2:
            return ()
        return tuple(ref for days in (low_igg, igm_ok) for refs in days.values() for ref in refs)

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmation_refs)

    @cached_property
    def adult_with_normal_igm(self) -> bool:
        return (
            bool(self._ctx.has_reached_age(self._ctx.policy.diagnosis.cvid_pattern_from_age_years))
            and not self.igm_raised
        )

    @cached_property
    def features(self) -> tuple[Feature, ...]:
        """Defining clinical features on record, at any time. Recurrent serious bacterial
        infection does not count in an adult with normal IgM: that is the CVID picture."""
        ctx, found = self._ctx, []
        episodes = ctx.infections.episodes
        opportunistic = [e for e in episodes if e.infection.opportunistic]
        if opportunistic:
            text = f"opportunistic infection: {_episodes(opportunistic)}"
            found.append(Feature("opportunistic", text, tuple(e.ref for e in opportunistic)))
        threshold = ctx.policy.diagnosis.neutropenia_anc_thousands_per_ul
        low_anc = [r for r in ctx.labs.results("neutrophils_absolute") if r.value < threshold]
        neutropenia = [c.ref for c in ctx.conditions_in("neutropenia", active_only=False)] + [r.ref for r in low_anc]
        if neutropenia:
            found.append(Feature("neutropenia", "neutropenia", tuple(neutropenia)))
        serious = [e for e in episodes if e.is_severe and e.infection.bacterial is not False]
        if len(serious) >= ctx.policy.infections.higm_serious_infection_count and not self.adult_with_normal_igm:
            text = f"serious bacterial infections: {_episodes(serious)}"
            found.append(Feature("serious-bacterial", text, tuple(e.ref for e in serious)))
        return tuple(found)

    @property
    def opportunistic(self) -> Feature | None:
        return next((f for f in self.features if f.kind == "opportunistic"), None)

    @property
    def suspected_cd40l(self) -> bool:
        """A boy with the pattern confirmed on repeat, or with an opportunistic infection beside it:
        CD40L deficiency is suspected (Bonilla 2015 SS41 gives Pneumocystis prophylaxis for known
        or suspected CD40L deficiency) until CD40L expression or the genes define the type."""
        return self._ctx.is_male and self.present and (self.confirmed or self.opportunistic is not None)

    @property
    def cvid_pattern(self) -> bool:
        """An adult with normal IgM and no feature that points to hyper-IgM."""
        return self.present and self.adult_with_normal_igm and not self.features

    def described(self) -> str:
        """'IgG 120 mg/dL, IgA <5 mg/dL, IgM 280 mg/dL on 2026-10-20' for a rationale."""
        parts = [
            f"{name} {'<' if r.is_upper_bound else ''}{r.value:g} mg/dL on {r.effective.isoformat()}"
            for name, r in (("IgG", self.igg), ("IgA", self.iga), ("IgM", self.igm))
            if r is not None
        ]
        return ", ".join(parts)

    def features_text(self) -> str:
        none = "no opportunistic infection, neutropenia or recurrent serious bacterial infection on record"
        return "; ".join(f.text for f in self.features) or none


def interpretable_age(ctx: ClinicalContext, result: LabResult) -> bool:
    """Drawn from `higm_interpretable_from_age_months` on (or at an unknown age): before it maternal
    IgG and the physiological nadir make immunoglobulins uninterpretable."""
    months = ctx.age_months_on(result.effective)
    return months is None or months >= ctx.policy.diagnosis.higm_interpretable_from_age_months


def interpretable_low_igm(ctx: ClinicalContext) -> list[LabResult]:
    """Low IgM results drawn at an interpretable age: only these confirm selective IgM deficiency."""
    return [r for r in ctx.labs.low_igm_results if interpretable_age(ctx, r)]


def _episodes(episodes: list[InfectionEpisode]) -> str:
    return listing(f"{e.infection.label} ({e.onset.isoformat()})" for e in episodes)
