"""The rules in the order they run. Each step reads the diagnosis and what the steps before it
decided (the IgRT plan, flagged findings), never positional booleans: adding a rule group means
adding one step here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from igcds.domain.assessment import Diagnosis
from igcds.domain.igrt_plan import IgrtPlan
from igcds.rules import (
    measles,
    monitoring,
    prophylaxis,
    route,
    safety,
    treatment_hyper_igm,
    treatment_igm_deficiency,
    vaccines,
    workup,
)
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, Flag
from igcds.rules.predicates import HIGM_PATHWAY, SIGMD_PATHWAY


@dataclass(slots=True)
class Decisions:
    """What the rules have decided so far for one patient."""

    dx: Diagnosis
    found: list[Finding] = field(default_factory=list)
    plan: IgrtPlan | None = None

    @property
    def igrt_planned(self) -> bool:
        return self.plan is not None

    def flagged(self, flag: Flag) -> bool:
        return any(flag in finding.flags for finding in self.found)


def _workup(ctx: ClinicalContext, so_far: Decisions) -> None:
    so_far.found += workup.findings(ctx, so_far.dx)


def _treatment(ctx: ClinicalContext, so_far: Decisions) -> None:
    if so_far.dx.code in HIGM_PATHWAY:
        treatment, so_far.plan = treatment_hyper_igm.findings(ctx, so_far.dx)
        so_far.found += treatment + prophylaxis.findings(ctx, so_far.dx)
    elif so_far.dx.code in SIGMD_PATHWAY:
        treatment, so_far.plan = treatment_igm_deficiency.findings(ctx, so_far.dx)
        so_far.found += treatment


def _live_vaccines(ctx: ClinicalContext, so_far: Decisions) -> None:
    so_far.found += vaccines.findings(ctx, so_far.dx, igrt_planned=so_far.igrt_planned)


def _measles(ctx: ClinicalContext, so_far: Decisions) -> None:
    barred = so_far.flagged(Flag.LIVE_VACCINES_BARRED)
    so_far.found += measles.findings(ctx, so_far.dx, igrt_planned=so_far.igrt_planned, live_vaccines_barred=barred)


def _route(ctx: ClinicalContext, so_far: Decisions) -> None:
    so_far.found += route.findings(ctx, so_far.plan)


def _safety(ctx: ClinicalContext, so_far: Decisions) -> None:
    if so_far.plan is not None or ctx.igrt.on_igrt:
        so_far.found += safety.findings(ctx, so_far.plan.route if so_far.plan else route.current_route(ctx))


def _monitoring(ctx: ClinicalContext, so_far: Decisions) -> None:
    so_far.found += monitoring.findings(ctx, so_far.dx, igrt_planned=so_far.igrt_planned)


Step = Callable[[ClinicalContext, Decisions], None]
SEQUENCE: tuple[Step, ...] = (_workup, _treatment, _live_vaccines, _measles, _route, _safety, _monitoring)


def decide(ctx: ClinicalContext, dx: Diagnosis) -> Decisions:
    decisions = Decisions(dx)
    for step in SEQUENCE:
        step(ctx, decisions)
    return decisions
