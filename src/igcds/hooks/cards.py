"""Cards from an Assessment (CDS Hooks 2.0 §Card): one card per urgent or critical recommendation,
the routine ones gathered in one info card, each with its reasons, evidence and citations in the
Markdown detail. `critical` is kept for patient-safety stops (a live vaccine for a patient with
hyper-IgM or on IgRT); other priorities map to `warning` and `info`. Suggestions carry whole
resources: delete a draft live-vaccine order, update a draft immune globulin order to igcds' dose,
create a TMP-SMX order when Pneumocystis prophylaxis is missing."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from igcds.domain.assessment import Assessment, Dose, Recommendation
from igcds.domain.record import MedicationUse
from igcds.dosing import regimen
from igcds.hooks import vocabulary
from igcds.hooks.models import Action, Card, Coding, Indicator, OverrideReason, Source, Suggestion
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report.dose_text import dose_statements
from igcds.report.json_contract import format_reference

SAFETY_STOPS = frozenset({"safety.live-vaccines-contraindicated", "safety.vaccine-ig-interval"})
TREATMENT_CODES = frozenset({"treatment.igrt-start", "treatment.igrt-continue", "treatment.igrt-escalate"})
UCUM = "http://unitsofmeasure.org"


def new_uuid() -> str:
    return str(uuid.uuid4())


def indicator(rec: Recommendation) -> Indicator:
    if rec.priority == "critical" and rec.code in SAFETY_STOPS:
        return "critical"
    return "info" if rec.priority == "routine" else "warning"


def _source(kb: KnowledgeBase, rec: Recommendation | None = None) -> Source:
    topic = Coding(system=vocabulary.TOPIC_SYSTEM, code=rec.code, display=rec.title) if rec else None
    return Source(label=f"igcds (knowledge base {kb.version})", topic=topic)


def _references(kb: KnowledgeBase, citations: Sequence[str]) -> list[str]:
    return [f"- [{ref}] {format_reference(kb.references[ref])} <{kb.references[ref].url}>" for ref in citations]


def _detail(kb: KnowledgeBase, rec: Recommendation, dose: Dose | None) -> str:
    lines = [rec.text, "", f"**Why, for this patient:** {rec.rationale}"]
    if rec.evidence:
        lines += ["", "**Evidence in the record:** " + ", ".join(f"`{ref}`" for ref in rec.evidence)]
    if dose is not None and rec.code in TREATMENT_CODES:
        lines += ["", "**Dose:**", *(f"{'  ' * depth}- {text}" for depth, text in dose_statements(dose))]
    lines += ["", f"**Sources** ({rec.strength}, {rec.evidence_quality} quality):", *_references(kb, rec.citations)]
    return "\n".join([*lines, "", f"_{kb.disclaimer}_"])


def _delete_drafts(rec: Recommendation, drafts: frozenset[str]) -> list[Suggestion]:
    targets = [ref for ref in rec.evidence if ref in drafts]
    if not targets:
        return []
    actions = [Action(type="delete", description=f"Delete the draft order {ref}", resourceId=ref) for ref in targets]
    return [Suggestion(label="Cancel the vaccine order", uuid=new_uuid(), isRecommended=True, actions=actions)]


def _tmp_smx_order(kb: KnowledgeBase, assessment: Assessment) -> list[Suggestion]:
    order = kb.schedules.pjp_tmp_smx_order
    age = assessment.patient.age_years
    dosage = order.adult_dosage if age is not None and age >= order.adult_from_age_years else order.child_dosage
    resource = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "subject": {"reference": f"Patient/{assessment.patient.id}"},
        "medicationCodeableConcept": {"text": order.drug_text},
        "reasonCode": [{"text": "Pneumocystis jirovecii prophylaxis (hyper-IgM)"}],
        "dosageInstruction": [{"text": dosage}],
    }
    action = Action(type="create", description="Create a draft TMP-SMX prophylaxis order", resource=resource)
    return [Suggestion(label="Order TMP-SMX prophylaxis", uuid=new_uuid(), isRecommended=True, actions=[action])]


def recommendation_card(
    kb: KnowledgeBase, assessment: Assessment, rec: Recommendation, drafts: frozenset[str] = frozenset()
) -> Card:
    suggestions = _delete_drafts(rec, drafts) if rec.code in SAFETY_STOPS else []
    if rec.id == "HIGM-PJP-01":
        suggestions = _tmp_smx_order(kb, assessment)
    return Card(
        uuid=new_uuid(),
        summary=f"igcds: {rec.title}",
        detail=_detail(kb, rec, assessment.dose),
        indicator=indicator(rec),
        source=_source(kb, rec),
        suggestions=suggestions or None,
        selectionBehavior="at-most-one" if suggestions else None,
        overrideReasons=[OverrideReason(**reason) for reason in vocabulary.OVERRIDE_REASONS],
    )


def _routine_card(kb: KnowledgeBase, assessment: Assessment, routine: list[Recommendation]) -> Card:
    lines = []
    for rec in routine:
        lines += [f"**{rec.title}** (`{rec.code}`): {rec.text}", "", f"_Why:_ {rec.rationale}", ""]
        lines += [f"_Sources:_ {', '.join(rec.citations)}", ""]
    lines += ["**References:**", *_references(kb, list(dict.fromkeys(c for r in routine for c in r.citations)))]
    summary = f"igcds: {len(routine)} routine recommendation(s) for {assessment.diagnosis.label}"
    return Card(
        uuid=new_uuid(),
        summary=summary
        if len(summary) < vocabulary.SUMMARY_LIMIT
        else f"igcds: {len(routine)} routine recommendation(s)",
        detail="\n".join([*lines, "", f"_{kb.disclaimer}_"]),
        indicator="info",
        source=_source(kb),
        overrideReasons=[OverrideReason(**reason) for reason in vocabulary.OVERRIDE_REASONS],
    )


def patient_view_cards(kb: KnowledgeBase, assessment: Assessment) -> list[Card]:
    if assessment.diagnosis.code == "not-in-scope":
        return []  # CDS Hooks: an empty card list is "nothing to say"
    pressing = [r for r in assessment.recommendations if r.priority != "routine"]
    routine = [r for r in assessment.recommendations if r.priority == "routine"]
    cards = [recommendation_card(kb, assessment, rec) for rec in pressing]
    if routine:
        cards.append(_routine_card(kb, assessment, routine))
    return cards


def _ordered_mg_per_kg(order: MedicationUse, dose: Dose) -> float | None:
    if order.dose_mg_per_kg is not None:
        return order.dose_mg_per_kg
    if order.dose_g is not None:
        return order.dose_g * 1000 / dose.dosing_weight_kg
    return None


def _corrected_order(resource: dict[str, Any], dose: Dose) -> dict[str, Any]:
    """The whole draft order with its dose set to igcds' rounded dose in grams."""
    corrected = copy.deepcopy(resource)
    instructions = corrected.setdefault("dosageInstruction", [{}])
    if not instructions:
        instructions.append({})
    quantity = {"value": dose.rounded_dose_g, "unit": "g", "system": UCUM, "code": "g"}
    instructions[0]["doseAndRate"] = [{"doseQuantity": quantity}]
    return corrected


def immune_globulin_order_card(
    kb: KnowledgeBase, policy: Policy, assessment: Assessment, order: MedicationUse, resource: dict[str, Any]
) -> Card | None:
    """A draft immune globulin order above the ceiling or more than the tolerance from igcds' dose."""
    dose = assessment.dose
    if dose is None:
        return None
    ordered = _ordered_mg_per_kg(order, dose)
    if ordered is None:
        return None
    ordered_g = ordered * dose.dosing_weight_kg / 1000
    gap = (ordered_g - dose.rounded_dose_g) / dose.rounded_dose_g * 100
    ceiling = regimen.ceiling_mg_per_kg(dose.interval_days, policy)
    above_ceiling = ordered > ceiling + 1e-9
    if abs(gap) <= policy.order_dose_tolerance_percent and not above_ceiling:
        return None
    reason = "above the regimen ceiling" if above_ceiling else f"{gap:+.0f}% from igcds' dose"
    summary = (
        f"Ordered {ordered_g:.1f} g ({ordered:.0f} mg/kg) is {reason}; igcds: {dose.rounded_dose_g:g} g "
        f"({dose.mg_per_kg:g} mg/kg every {dose.interval_days} days)"
    )
    detail = [
        f"The draft order `{order.ref}` gives {ordered_g:.1f} g = {ordered:.0f} mg/kg of the dosing weight "
        f"{dose.dosing_weight_kg:g} kg ({dose.weight_basis}). The ceiling is {ceiling:.0f} mg/kg for this "
        f"interval (site policy, {policy.max_mg_per_kg_4wk:g} mg/kg per 4 weeks).",
        "",
        "**igcds' dose:**",
        *(f"{'  ' * depth}- {text}" for depth, text in dose_statements(dose)),
        "",
        "**Sources:**",
        *_references(kb, dose.cited()),
        "",
        f"_{kb.disclaimer}_",
    ]
    action = Action(
        type="update",
        description=f"Set the draft order's dose to {dose.rounded_dose_g:g} g",
        resource=_corrected_order(resource, dose),
    )
    return Card(
        uuid=new_uuid(),
        summary=summary if len(summary) < vocabulary.SUMMARY_LIMIT else f"Immune globulin order is {reason}",
        detail="\n".join(detail),
        indicator="warning",
        source=_source(kb),
        suggestions=[
            Suggestion(label=f"Change the dose to {dose.rounded_dose_g:g} g", uuid=new_uuid(), actions=[action])
        ],
        selectionBehavior="at-most-one",
        overrideReasons=[OverrideReason(**reason) for reason in vocabulary.OVERRIDE_REASONS],
    )


def order_cards(
    kb: KnowledgeBase,
    policy: Policy,
    assessment: Assessment,
    drafts: frozenset[str],
    immune_globulin_orders: Sequence[tuple[MedicationUse, dict[str, Any]]],
) -> list[Card]:
    """Only what concerns the draft orders: vaccine stops that name one, and dose checks."""
    cards = [
        recommendation_card(kb, assessment, rec, drafts)
        for rec in assessment.recommendations
        if rec.code in SAFETY_STOPS and any(ref in drafts for ref in rec.evidence)
    ]
    for order, resource in immune_globulin_orders:
        card = immune_globulin_order_card(kb, policy, assessment, order, resource)
        if card is not None:
            cards.append(card)
    return cards
