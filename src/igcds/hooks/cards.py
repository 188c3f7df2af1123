"""Cards from an Assessment (CDS Hooks 2.0 §Card): one card per urgent or critical recommendation,
the routine ones gathered in one info card, each with its reasons and citations in the Markdown
detail (`card_detail`). When the service knows the igcds web app's SMART launch URL, each card links
to the patient's report there (a `smart` link: the EHR adds `iss` and `launch`) and its detail is
short; without it the detail is whole. `critical` is kept for the critical findings the knowledge
base declares patient-safety stops (`safety_stop`: a live vaccine for a patient with hyper-IgM or on
IgRT, no product that can be given after a reaction); other priorities map to `warning` and `info`. Suggestions
carry whole resources: delete a draft live-vaccine order, update a draft immune globulin order to
igcds' dose, create a TMP-SMX order when Pneumocystis prophylaxis is missing."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from igcds.domain.assessment import Assessment, Dose, Recommendation
from igcds.domain.record import MedicationUse
from igcds.engine import review_dose
from igcds.hooks import vocabulary
from igcds.hooks.card_detail import full_detail, references, routine_detail, short_detail
from igcds.hooks.models import Action, Card, Coding, Indicator, Link, OverrideReason, Source, Suggestion
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.report.dose_text import dose_statements

UCUM = "http://unitsofmeasure.org"
REPORT_LINK_LABEL = "Open the igcds report"


def new_uuid() -> str:
    return str(uuid.uuid4())


def indicator(rec: Recommendation) -> Indicator:
    if rec.priority == "critical" and rec.safety_stop:
        return "critical"
    return "info" if rec.priority == "routine" else "warning"


def _source(kb: KnowledgeBase, rec: Recommendation | None = None) -> Source:
    topic = Coding(system=vocabulary.TOPIC_SYSTEM, code=rec.code, display=rec.title) if rec else None
    return Source(label=f"igcds (knowledge base {kb.version})", topic=topic)


def report_links(launch_url: str | None) -> list[Link] | None:
    """The SMART link to the patient's igcds report, when the service knows the app's launch URL."""
    return [Link(label=REPORT_LINK_LABEL, url=launch_url, type="smart")] if launch_url else None


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
    kb: KnowledgeBase,
    assessment: Assessment,
    rec: Recommendation,
    drafts: frozenset[str] = frozenset(),
    launch_url: str | None = None,
) -> Card:
    suggestions = _delete_drafts(rec, drafts) if rec.safety_stop else []
    if rec.id == "HIGM-PJP-01":
        suggestions = _tmp_smx_order(kb, assessment)
    return Card(
        uuid=new_uuid(),
        summary=f"igcds: {rec.title}",
        detail=(short_detail if launch_url else full_detail)(kb, rec, assessment.dose),
        indicator=indicator(rec),
        source=_source(kb, rec),
        suggestions=suggestions or None,
        selectionBehavior="at-most-one" if suggestions else None,
        overrideReasons=[OverrideReason(**reason) for reason in vocabulary.OVERRIDE_REASONS],
        links=report_links(launch_url),
    )


def _routine_card(
    kb: KnowledgeBase, assessment: Assessment, routine: list[Recommendation], launch_url: str | None
) -> Card:
    summary = f"igcds: {len(routine)} routine recommendation(s) for {assessment.diagnosis.label}"
    return Card(
        uuid=new_uuid(),
        summary=summary
        if len(summary) < vocabulary.SUMMARY_LIMIT
        else f"igcds: {len(routine)} routine recommendation(s)",
        detail=routine_detail(kb, routine, short=bool(launch_url)),
        indicator="info",
        source=_source(kb),
        overrideReasons=[OverrideReason(**reason) for reason in vocabulary.OVERRIDE_REASONS],
        links=report_links(launch_url),
    )


def patient_view_cards(kb: KnowledgeBase, assessment: Assessment, launch_url: str | None = None) -> list[Card]:
    if assessment.diagnosis.code == "not-in-scope":
        return []  # CDS Hooks: an empty card list is "nothing to say"
    pressing = [r for r in assessment.recommendations if r.priority != "routine"]
    routine = [r for r in assessment.recommendations if r.priority == "routine"]
    cards = [recommendation_card(kb, assessment, rec, launch_url=launch_url) for rec in pressing]
    if routine:
        cards.append(_routine_card(kb, assessment, routine, launch_url))
    return cards


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
    kb: KnowledgeBase,
    policy: Policy,
    assessment: Assessment,
    order: MedicationUse,
    resource: dict[str, Any],
    launch_url: str | None = None,
) -> Card | None:
    """A draft immune globulin order above the ceiling or more than the tolerance from igcds' dose."""
    dose = assessment.dose
    if dose is None:
        return None
    review = review_dose(order, dose, policy)
    if review is None or not review.needs_attention:
        return None
    ordered, ordered_g, ceiling = review.ordered_mg_per_kg, review.ordered_g, review.ceiling_mg_per_kg
    reason = (
        "above the regimen ceiling" if review.above_ceiling else f"{review.difference_percent:+.0f}% from igcds' dose"
    )
    summary = (
        f"Ordered {ordered_g:.1f} g ({ordered:.0f} mg/kg) is {reason}; igcds: {dose.rounded_dose_g:g} g "
        f"({dose.mg_per_kg:g} mg/kg every {dose.interval_days} days)"
    )
    detail = [
        f"The draft order `{order.ref}` gives {ordered_g:.1f} g = {ordered:.0f} mg/kg of the dosing weight "
        f"{dose.dosing_weight_kg:g} kg ({dose.weight_basis}). The ceiling is {ceiling:.0f} mg/kg for this "
        f"interval (site policy, {policy.dosing.max_mg_per_kg_4wk:g} mg/kg per 4 weeks).",
        "",
        "**igcds' dose:**",
        *(f"{'  ' * depth}- {text}" for depth, text in dose_statements(dose)),
        "",
        "**Sources:**",
        *references(kb, dose.cited()),
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
        links=report_links(launch_url),
    )


def order_cards(
    kb: KnowledgeBase,
    policy: Policy,
    assessment: Assessment,
    drafts: frozenset[str],
    immune_globulin_orders: Sequence[tuple[MedicationUse, dict[str, Any]]],
    launch_url: str | None = None,
) -> list[Card]:
    """Only what concerns the draft orders: vaccine stops that name one, and dose checks."""
    cards = [
        recommendation_card(kb, assessment, rec, drafts, launch_url)
        for rec in assessment.recommendations
        if rec.safety_stop and any(ref in drafts for ref in rec.evidence)
    ]
    for order, resource in immune_globulin_orders:
        card = immune_globulin_order_card(kb, policy, assessment, order, resource, launch_url)
        if card is not None:
            cards.append(card)
    return cards
