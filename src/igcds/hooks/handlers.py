"""What each hook answers, without a web framework: a validated request and the patient's resources
in, cards out. Adding a hook is one function here and one line in `HOOKS` (and its Service in
services.py). The core decides (`engine.assess`); these functions choose which of its findings to
show for the hook, and `cards` presents them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from igcds import engine
from igcds.domain.errors import InputError
from igcds.fhir.hook_record import read_hook_record
from igcds.hooks import cards
from igcds.hooks.models import Card, HookRequest, HookResponse, Source
from igcds.hooks.prefetch import DataUnavailable, MalformedRequest
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy

UNREADABLE = "igcds could not read this record, so it gives no advice"


@dataclass(frozen=True)
class Answering:
    """What every hook needs besides the request: the knowledge base, the site policy, the date,
    and where the EHR can launch the igcds report (the cards' SMART link; none when unknown)."""

    kb: KnowledgeBase
    policy: Policy
    as_of: date
    max_draft_depth: int = 32
    launch_url: str | None = None


Resources = Sequence[dict[str, Any]]


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack += [(child, depth + 1) for child in children if isinstance(child, dict | list)]
    return True


def draft_entries(context: dict[str, Any], max_depth: int) -> list[Any]:
    """The entries of `context.draftOrders` (a FHIR Bundle), 400 when it is not one. A draft order
    comes back whole in a suggestion, so its nesting is bounded."""
    bundle = context.get("draftOrders")
    if bundle is None:
        return []
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise MalformedRequest("context.draftOrders is not a FHIR Bundle")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise MalformedRequest("context.draftOrders Bundle.entry is not a list")
    if not _depth_within(entries, max_depth):
        raise MalformedRequest(f"context.draftOrders is nested more than {max_depth} levels deep")
    return entries


def patient_view(answering: Answering, request: HookRequest, resources: Resources) -> list[Card]:
    """The plan: a card per urgent or critical recommendation, the routine ones in one card."""
    record, _ = read_hook_record(resources, (), answering.as_of, answering.kb)
    assessment = engine.assess(record, answering.as_of, answering.policy, answering.kb)
    return cards.patient_view_cards(answering.kb, assessment, answering.launch_url)


def order_review(answering: Answering, request: HookRequest, resources: Resources) -> list[Card]:
    """order-select and order-sign: only what concerns the draft orders."""
    entries = draft_entries(request.context, answering.max_draft_depth)
    record, drafts = read_hook_record(resources, entries, answering.as_of, answering.kb)
    assessment = engine.assess(record, answering.as_of, answering.policy, answering.kb)
    return cards.order_cards(
        answering.kb, answering.policy, assessment, drafts.refs, drafts.immune_globulin, answering.launch_url
    )


Hook = Callable[[Answering, HookRequest, Resources], list[Card]]
HOOKS: dict[str, Hook] = {"patient-view": patient_view, "order-select": order_review, "order-sign": order_review}


def unreadable_card(kb: KnowledgeBase, problem: str) -> Card:
    return Card(
        uuid=cards.new_uuid(),
        summary=UNREADABLE,
        detail=f"igcds cannot interpret a value in the record: `{problem}`. Correct it and reopen."
        f"\n\n_{kb.disclaimer}_",
        indicator="warning",
        source=Source(label=f"igcds (knowledge base {kb.version})"),
    )


def answer(answering: Answering, request: HookRequest, resources: Resources) -> HookResponse:
    """The cards for this call; a record igcds cannot read gets one card that says so."""
    if not any(r.get("resourceType") == "Patient" for r in resources):
        raise DataUnavailable("no Patient resource for context.patientId")
    try:
        return HookResponse(cards=HOOKS[request.hook](answering, request, resources))
    except InputError as error:  # a value in the record or a draft order igcds cannot interpret
        return HookResponse(cards=[unreadable_card(answering.kb, str(error))])
