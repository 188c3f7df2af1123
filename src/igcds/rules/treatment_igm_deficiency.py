"""Treatment pathway for selective IgM deficiency (confirmed or possible).

When not on IgRT:
  IgRT if impaired specific-antibody response with recurrent infections, a severe or
  life-threatening infection, or infections despite antibiotic prophylaxis (Gupta 2017; Taietti
  2023; SAD studies, extrapolated); otherwise antibiotic prophylaxis for recurrent non-severe
  infections; otherwise observe.
When on IgRT:
  escalate on breakthrough infections; consider a supervised trial off once stable for
  `trial_off_after_months` (not during pregnancy); otherwise continue.
"""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules import route
from igcds.rules.context import ClinicalContext
from igcds.rules.diagnosis import specific_antibody_response
from igcds.rules.findings import Finding, IgrtPlan, listing, refs
from igcds.rules.rationale import infection_summary
from igcds.rules.time_windows import whole_months_between


def _igrt_indications(ctx: ClinicalContext, dx: Diagnosis) -> tuple[list[str], tuple[str, ...]]:
    reasons: list[str] = []
    evidence: list[str] = []
    if dx.specific_antibody_response == "impaired" and ctx.infections.recurrent:
        reasons.append("impaired pneumococcal antibody response with recurrent infections")
        evidence += specific_antibody_response(ctx)[1]
        evidence += refs(ctx.infections.recent)
    if ctx.infections.severe_recent:
        reasons.append(listing(f"{e.infection.severity} {e.infection.label}" for e in ctx.infections.severe_recent))
        evidence += refs(ctx.infections.severe_recent)
    failure = ctx.infections.prophylaxis_failure
    if failure is not None:
        course, during = failure
        reasons.append(f"{len(during)} infection(s) despite antibiotic prophylaxis since {course.since.isoformat()}")
        evidence += [course.ref, *refs(during)]
    return reasons, tuple(dict.fromkeys(evidence))


def _prophylaxis_regimen(ctx: ClinicalContext) -> str:
    adult = ctx.has_reached_age(ctx.policy.diagnosis.child_age_years)
    if adult is None:
        return "age not recorded: choose the adult or weight-based paediatric regimen"
    if not adult:
        weight = f"{ctx.weight.value:g} kg" if ctx.weight else "weight not recorded"
        return f"paediatric regimen by weight ({weight})"
    return "adult regimen"


def _not_on_igrt(ctx: ClinicalContext, dx: Diagnosis) -> tuple[list[Finding], IgrtPlan | None]:
    summary = infection_summary(ctx.infections, ctx.policy.infections.recurrence_window_months)
    indications, evidence = _igrt_indications(ctx, dx)
    if indications:
        plan = IgrtPlan("start", route.start_route(ctx), "; ".join(indications))
        return [Finding("SIGMD-IGRT-01", {"indication": "; ".join(indications)}, evidence)], plan
    prophylaxis = ctx.infections.current_prophylaxis
    if prophylaxis is not None:
        values = {"prophylaxis_since": prophylaxis.since.isoformat(), "infection_summary": summary}
        return [Finding("SIGMD-ABX-02", values, (prophylaxis.ref, *refs(ctx.infections.recent)))], None
    if ctx.infections.recurrent:
        values = {"infection_summary": summary, "regimen": _prophylaxis_regimen(ctx)}
        return [Finding("SIGMD-ABX-01", values, refs(ctx.infections.recent))], None
    return [Finding("SIGMD-OBS-01", {"infection_summary": summary}, refs(ctx.infections.recent))], None


def _on_igrt(ctx: ClinicalContext) -> tuple[list[Finding], IgrtPlan | None]:
    summary = infection_summary(ctx.infections, ctx.policy.infections.recurrence_window_months)
    current = route.current_route(ctx)
    if ctx.infections.has_breakthrough:
        evidence = refs(ctx.infections.breakthrough)
        plan = IgrtPlan("escalate", current, "breakthrough infections")
        return [Finding("SIGMD-IGRT-03", {"infection_summary": summary}, evidence)], plan
    since = ctx.igrt.since
    months_on = whole_months_between(since, ctx.as_of) if since else 0
    stable = not ctx.infections.severe_recent
    # igcds' own choice: no trial off during pregnancy (IgG is needed for mother and fetus then).
    pregnant = bool(ctx.conditions_in("pregnancy"))
    if stable and not pregnant and months_on >= ctx.policy.igrt_history.trial_off_after_months:
        values = {"months_on_igrt": str(months_on), "infection_summary": summary}
        return [Finding("SIGMD-OFF-01", values, ctx.igrt.refs)], None
    values = {"igrt_since": since.isoformat() if since else "an unrecorded date", "infection_summary": summary}
    return [Finding("SIGMD-IGRT-02", values, ctx.igrt.refs)], IgrtPlan("continue", current, "stable")


def findings(ctx: ClinicalContext, dx: Diagnosis) -> tuple[list[Finding], IgrtPlan | None]:
    found, plan = _on_igrt(ctx) if ctx.igrt.on_igrt else _not_on_igrt(ctx, dx)
    autoimmune = ctx.conditions_in("autoimmunity")
    if autoimmune:
        names = listing(c.text or "autoimmune condition" for c in autoimmune)
        found.append(Finding("SIGMD-AI-01", {"conditions": names}, tuple(c.ref for c in autoimmune)))
    low_igm = tuple(r.ref for r in ctx.labs.low_igm_results)
    if plan is not None or ctx.igrt.on_igrt:  # the IgG given, else the facts behind the start
        found.append(Finding("SIGMD-MUC-01", {}, ctx.igrt.refs if ctx.igrt.on_igrt else found[0].evidence or low_igm))
    found.append(Finding("SIGMD-MON-01", {}, low_igm + refs(ctx.infections.recent)))
    return found, plan
