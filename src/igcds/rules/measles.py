"""Measles and immune globulin. After an exposure, by route (ACIP 2013): covered by IVIG >= 400
mg/kg in the 3 weeks before it or SCIG >= 200 mg/kg a week over the 2 weeks before it; IVIG >= 400
mg/kg given on days 0-6 after it is the post-exposure dose; otherwise IVIG 400 mg/kg within 6 days
(CDC), and past the window say so. The labels' protective dose for a
patient at risk of exposure; ACIP's interval between immune globulin and measles- or
varicella-containing vaccines."""

from __future__ import annotations

from datetime import date, timedelta

from igcds.domain.assessment import Diagnosis
from igcds.domain.record import Fact, MedicationUse
from igcds.rules.context import ClinicalContext
from igcds.rules.findings import Finding, listing
from igcds.rules.time_windows import months_before

WEEK_DAYS = 7


def _recorded(ctx: ClinicalContext, code: str) -> Fact | None:
    facts = [f for f in ctx.record.facts if f.code == code and f.value is True]
    return facts[-1] if facts else None


def _dose_on(ctx: ClinicalContext, given: MedicationUse) -> str:
    mg_per_kg = ctx.igrt_history.mg_per_kg_of(given)
    assert given.start is not None
    amount = f"{mg_per_kg:.0f} mg/kg" if mg_per_kg is not None else "a dose not recorded"
    return f"{amount} on {given.start.isoformat()}"


def _sc_schedule(ctx: ClinicalContext, days: int) -> str:
    """Says plainly when the recorded SC schedule is not weekly, as ACIP's figure is."""
    interval = ctx.igrt_history.usual_interval("SC")
    if interval is None or interval == WEEK_DAYS:
        return ""
    return (
        f"; the record's SC schedule is every {interval} days, not weekly as in ACIP's criterion, so igcds "
        f"judged the total given over those {days} days"
    )


def _covered(ctx: ClinicalContext, exposed: date) -> tuple[bool, str, tuple[str, ...]]:
    """Whether the doses before the exposure cover it (ACIP 2013): IVIG at or above the level in
    the days before it, or SCIG at or above the weekly level over the weeks before it, judged on
    the total given in those weeks so that a schedule every 2 weeks is read like a weekly one. An
    IV dose on the day of the exposure is read as a post-exposure dose (`_after`)."""
    schedule = ctx.kb.schedules.measles
    history = ctx.igrt_history
    given = [m for m in history.administrations if m.start is not None and m.start <= exposed]
    iv_since = exposed - timedelta(days=schedule.covered_iv_days)
    iv = [(m, history.mg_per_kg_of(m)) for m in given if m.route != "SC" and m.start and iv_since <= m.start < exposed]
    iv_enough = [(m, dose) for m, dose in iv if dose is not None and dose >= schedule.covered_iv_mg_per_kg]
    if iv_enough:
        m, dose = iv_enough[-1]
        assert m.start is not None
        text = f"IVIG {dose:.0f} mg/kg on {m.start.isoformat()}, within {schedule.covered_iv_days} days before"
        return True, text + " the exposure: covered", (m.ref,)
    sc_days = WEEK_DAYS * schedule.covered_sc_weeks
    sc = [m for m in given if m.route == "SC" and m.start is not None and (exposed - m.start).days < sc_days]
    sc_total = sum(history.mg_per_kg_of(m) or 0.0 for m in sc)
    per_week = sc_total / schedule.covered_sc_weeks
    needed = schedule.covered_sc_mg_per_kg_week
    doses = listing(_dose_on(ctx, m) for m in sc)
    sc_text = (
        f"SCIG {sc_total:.0f} mg/kg in total over the {sc_days} days before the exposure ({doses}): "
        f"{per_week:.0f} mg/kg a week, {'at or above' if per_week >= needed else 'below'} the {needed:g} needed"
        f"{_sc_schedule(ctx, sc_days)}"
    )
    if sc and per_week >= needed:
        return True, f"{sc_text}: covered", tuple(m.ref for m in sc)
    parts = []
    if iv:
        window = f"in the {schedule.covered_iv_days} days before ({schedule.covered_iv_mg_per_kg:g} mg/kg needed)"
        parts.append(f"IVIG {listing(_dose_on(ctx, m) for m, _ in iv)} {window}")
    if sc:
        parts.append(sc_text)
    seen = tuple(m.ref for m, _ in iv) + tuple(m.ref for m in sc)
    before = [m for m in given if m.route == "SC" or (m.start is not None and m.start < exposed)]
    if not parts and before:
        last = before[-1]
        seen = (last.ref,)
        assert last.start is not None
        days = (exposed - last.start).days
        parts.append(f"last immune globulin {_dose_on(ctx, last)}, {days} days before")
    text = "; ".join(parts) or "no immune globulin dose on record before the exposure"
    return False, f"not covered: {text}", seen


def _after(ctx: ClinicalContext, exposed: date) -> tuple[MedicationUse | None, list[str], tuple[str, ...]]:
    """Immune globulin given after the exposure (IV from the day of it): the post-exposure dose
    (IVIG at or above the post-exposure level within the window, ACIP 2013; CDC), or why each
    other one is not (too late, too low, or SC)."""
    schedule = ctx.kb.schedules.measles
    history = ctx.igrt_history
    after = [
        m
        for m in history.administrations
        if m.start is not None and (m.start > exposed or (m.start == exposed and m.route != "SC"))
    ]
    notes = []
    for given in after:
        assert given.start is not None
        day = (given.start - exposed).days
        dose = history.mg_per_kg_of(given)
        on_day = f"day {day} after the exposure" if day else "the day of the exposure"
        when = f"{'SCIG' if given.route == 'SC' else 'IVIG'} {_dose_on(ctx, given)}, {on_day}"
        if given.route == "SC":
            notes.append(f"{when}: not a post-exposure dose (that is IVIG)")
        elif day > schedule.within_days:
            notes.append(f"{when}: after the {schedule.within_days}-day window")
        elif dose is None or dose < schedule.post_exposure_mg_per_kg:
            notes.append(f"{when}: below the {schedule.post_exposure_mg_per_kg:g} mg/kg post-exposure dose")
        else:
            return given, [when], (given.ref,)
    return None, notes, tuple(m.ref for m in after)


def _post_exposure(ctx: ClinicalContext) -> list[Finding]:
    schedule = ctx.kb.schedules.measles
    exposure = _recorded(ctx, "measles-exposure")
    if exposure is None or exposure.effective is None:
        return []
    days = (ctx.as_of - exposure.effective).days
    covered, cover_text, refs = _covered(ctx, exposure.effective)
    deadline = exposure.effective + timedelta(days=schedule.within_days)
    values = {
        "exposure_date": exposure.effective.isoformat(),
        "days_since": str(days),
        "deadline": deadline.isoformat(),
        "cover_text": cover_text,
    }
    if covered:
        return [Finding("IGRT-MEASLES-03", values, (exposure.ref, *refs))]
    post_dose, notes, after_refs = _after(ctx, exposure.effective)
    if post_dose is not None:
        return [Finding("IGRT-MEASLES-05", {**values, "post_exposure_text": notes[0]}, (exposure.ref, *after_refs))]
    values["cover_text"] = "; ".join([cover_text, *notes])
    evidence = (exposure.ref, *refs, *after_refs)
    if days > schedule.within_days:
        return [Finding("IGRT-MEASLES-04", values, evidence)]
    extra = f"IVIG {schedule.post_exposure_mg_per_kg:g} mg/kg"
    if ctx.weight is not None:
        grams = schedule.post_exposure_mg_per_kg * ctx.weight.value / 1000
        extra += f" = {grams:.1f} g at {ctx.weight.value:g} kg (actual weight)"
    return [Finding("IGRT-MEASLES-01", {**values, "extra_dose": extra}, evidence, due=deadline)]


def _at_risk(ctx: ClinicalContext) -> list[Finding]:
    """Compares the dose per infusion (IV) or per week (SC) with the labels' protective level."""
    schedule = ctx.kb.schedules.measles
    risk = _recorded(ctx, "measles-risk")
    last = ctx.igrt.last_dose
    if risk is None or last is None or not ctx.igrt.on_igrt:
        return []
    mg_per_kg = ctx.igrt_history.mg_per_kg_of(last)
    if mg_per_kg is None:
        return []
    if ctx.igrt.route == "SC":
        weekly = mg_per_kg * WEEK_DAYS / (ctx.igrt.interval_days or WEEK_DAYS)
        dose_text, minimum = f"{weekly:.0f} mg/kg weekly (SC)", schedule.at_risk_min_sc_mg_per_kg_week
        minimum_text = f"{minimum:g} mg/kg weekly"
        below = weekly < minimum
    else:
        dose_text, minimum = f"{mg_per_kg:.0f} mg/kg per infusion (IV)", schedule.at_risk_min_iv_mg_per_kg
        minimum_text = f"{minimum:g} mg/kg every 3-4 weeks"
        below = mg_per_kg < minimum
    if not below:
        return []
    values = {"risk_ref_text": risk.ref, "dose_text": dose_text, "minimum": minimum_text}
    return [Finding("IGRT-MEASLES-02", values, (risk.ref, last.ref))]


def _interval_months(mg_per_kg: float | None, ctx: ClinicalContext) -> int:
    rows = ctx.kb.schedules.vaccine_interval_after_igiv.rows
    if mg_per_kg is None:
        return rows[-1].months
    return next((row.months for row in rows if mg_per_kg <= row.up_to_mg_per_kg), rows[-1].months)


def _vaccine_interval(ctx: ClinicalContext) -> list[Finding]:
    """A measles- or varicella-containing vaccine ordered, or given, before ACIP's interval after
    the last IV immune globulin has run. With the dose unknown, the longest interval applies."""
    given_iv = [m for m in ctx.igrt_history.administrations if m.route != "SC" and m.start]
    if not given_iv:
        return []
    last = given_iv[-1]
    assert last.start is not None
    mg_per_kg = ctx.igrt_history.mg_per_kg_of(last)
    months = _interval_months(mg_per_kg, ctx)
    eligible = months_before(last.start, -months)
    matcher = ctx.kb.measles_varicella_vaccines
    too_soon = []
    for event in ctx.record.vaccines:
        if not matcher.matches(event.codings, event.names):
            continue
        day = ctx.as_of if event.ordered else event.when
        if day is not None and last.start <= day < eligible:
            too_soon.append(event)
    if not too_soon:
        return []
    pending = [e for e in too_soon if e.ordered]
    names = listing(e.names or "measles/varicella vaccine" for e in too_soon)
    state = "ordered" if pending else "given"
    dose_text = f"{mg_per_kg:.0f} mg/kg IV" if mg_per_kg is not None else "IV at a dose not recorded (longest interval)"
    values = {
        "vaccine_text": f"{names} {state}",
        "dose_text": dose_text,
        "last_dose_date": last.start.isoformat(),
        "eligible_date": eligible.isoformat(),
    }
    return [
        Finding(
            "IGRT-VAX-02",
            values,
            (*(e.ref for e in too_soon), last.ref),
            None if pending else "routine",
            not_before=eligible,
        )
    ]


def findings(ctx: ClinicalContext, dx: Diagnosis, *, igrt_planned: bool, live_vaccines_barred: bool) -> list[Finding]:
    """`live_vaccines_barred`: a live-vaccine contraindication already covers any vaccine order."""
    found: list[Finding] = []
    if ctx.igrt.on_igrt or igrt_planned or dx.code == "hyper-igm-syndrome":
        found += _post_exposure(ctx)
        found += _at_risk(ctx)
    if not live_vaccines_barred:
        found += _vaccine_interval(ctx)
    return found
