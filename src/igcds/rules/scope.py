"""Is igcds in scope for this patient (knowledge/data/scope.yaml, issue 16)? In scope means some
record criterion is met (an immunoglobulin result, an immune diagnosis, immune globulin therapy, a
hyper-IgM variant, an igcds fact) or a published warning sign of primary immunodeficiency is
(counted from recorded infections, with the counts and windows of the site policy). Out of scope
is an answer: `not-in-scope`, no recommendations, no data gaps, one line saying why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from igcds.domain.assessment import Assessment, Criterion, Diagnosis, PatientSummary
from igcds.domain.record import MedicationUse
from igcds.knowledge import schema
from igcds.knowledge.valuesets import normalise_icd10, split_codes
from igcds.rules.context import ClinicalContext
from igcds.rules.infection_history import InfectionEpisode
from igcds.rules.time_windows import within_months


@dataclass(frozen=True, slots=True)
class ScopeReason:
    """One criterion or warning sign that is met, in words, with the resources behind it."""

    criterion: str
    text: str
    refs: tuple[str, ...]


def _record_refs(ctx: ClinicalContext, criterion: schema.RecordCriterion) -> list[str]:
    record = ctx.record
    if criterion.observations:
        return [r.ref for analyte in criterion.observations for r in ctx.labs.results(analyte)]
    if criterion.icd10cm:
        prefixes = tuple(normalise_icd10(code) for code in criterion.icd10cm)
        coded = [(c, split_codes(c.codings)[0]) for c in record.conditions]
        return [c.ref for c, icd10 in coded if any(code.startswith(prefixes) for code in icd10)]
    if criterion.medications:  # matched directly: cheaper than every value set over a long record
        matchers = [ctx.kb.medications[name] for name in criterion.medications]
        return [m.ref for m in record.medications if any(x.matches(m.codings, m.names) for x in matchers)]
    if criterion.variants:
        return [v.ref for v in record.variants if v.gene in ctx.kb.valuesets.genes]
    return [f.ref for f in record.facts]


def _policy_value(ctx: ClinicalContext, key: str) -> int:
    value = ctx.policy.value(key)
    assert isinstance(value, int)  # scope keys are whole numbers (checked with the knowledge)
    return value


def _iv_antibiotic_starts(ctx: ClinicalContext) -> list[date]:
    antibiotics = ctx.kb.medications["antibiotics"]
    given: list[MedicationUse] = [m for m in ctx.record.medications if m.route == "IV" and m.start is not None]
    return sorted(m.start for m in given if m.start is not None and antibiotics.matches(m.codings, m.names))


def _age_fits(ctx: ClinicalContext, sign: schema.WarningSign, onset: date) -> bool:
    """Age at the episode within the sign's bounds; an unknown age counts for signs without an
    upper bound (the more sensitive reading)."""
    months = ctx.age_months_on(onset)
    if months is None:
        return sign.below_age_years is None
    if sign.below_age_years is not None and months >= round(sign.below_age_years * 12):
        return False
    return sign.from_age_years is None or months >= round(sign.from_age_years * 12)


def _sign_episodes(ctx: ClinicalContext, sign: schema.WarningSign, iv_starts: list[date]) -> list[InfectionEpisode]:
    window = _policy_value(ctx, sign.window_key)
    days = _policy_value(ctx, sign.iv_antibiotic_days_key) if sign.iv_antibiotic_days_key else None
    found = []
    for episode in ctx.infections.episodes:
        if sign.infections != "any" and episode.infection.id not in sign.infections:
            continue
        if not within_months(episode.onset, ctx.as_of, window) or not _age_fits(ctx, sign, episode.onset):
            continue
        if days is not None and not any(0 <= (start - episode.onset).days <= days for start in iv_starts):
            continue
        found.append(episode)
    return found


def reasons(ctx: ClinicalContext, first_only: bool = False) -> list[ScopeReason]:
    """The criteria and warning signs met, in knowledge order (`first_only`: stop at the first)."""
    scope = ctx.kb.scope
    found: list[ScopeReason] = []
    for criterion in scope.record_criteria:
        refs = _record_refs(ctx, criterion)
        if refs:
            found.append(ScopeReason(criterion.id, criterion.label, tuple(refs)))
            if first_only:
                return found
    iv_starts = _iv_antibiotic_starts(ctx)
    for sign in scope.warning_signs:
        if sign.iv_antibiotic_days_key is not None and not iv_starts:
            continue
        episodes = _sign_episodes(ctx, sign, iv_starts)
        needed = _policy_value(ctx, sign.count_key) if sign.count_key else 1
        if episodes and len(episodes) >= needed:
            window = _policy_value(ctx, sign.window_key)
            dates = ", ".join(e.onset.isoformat() for e in episodes)
            text = f"{len(episodes)} {sign.label} in the last {window} months ({dates}; warning sign from {needed})"
            found.append(ScopeReason(sign.id, text, tuple(e.ref for e in episodes)))
            if first_only:
                return found
    return found


def in_scope(ctx: ClinicalContext) -> bool:
    return bool(reasons(ctx, first_only=True))


def described(found: list[ScopeReason]) -> str:
    """The reasons in one line, for a rationale."""
    return "; ".join(reason.text for reason in found)


def out_of_scope(ctx: ClinicalContext) -> Diagnosis:
    """`not-in-scope`: every criterion and sign listed as not met, and the one line saying why."""
    scope = ctx.kb.scope
    names = [c.label for c in scope.record_criteria] + [f"warning sign: {s.label}" for s in scope.warning_signs]
    return Diagnosis(
        code="not-in-scope",
        label=" ".join(scope.out_of_scope.split()),
        genotype=None,
        source="computed",
        specific_antibody_response="unknown",
        criteria=tuple(Criterion(name, False) for name in names),
    )


def silent_assessment(ctx: ClinicalContext, dx: Diagnosis) -> Assessment:
    """Nothing to say: no recommendations, no dose, no data gaps (the reader's notes still show)."""
    return Assessment(
        as_of=ctx.as_of,
        knowledge_version=ctx.kb.version,
        patient=PatientSummary(
            id=ctx.record.patient_id,
            sex=ctx.record.sex,
            age_years=round(ctx.age_years, 2) if ctx.age_years is not None else None,
            weight_kg=round(ctx.weight.value, 2) if ctx.weight else None,
            height_cm=round(ctx.height.value, 1) if ctx.height else None,
        ),
        diagnosis=dx,
        recommendations=(),
        dose=None,
        data_gaps=(),
        warnings=tuple(note.text for note in ctx.record.notes),
        disclaimer=ctx.kb.disclaimer,
    )
