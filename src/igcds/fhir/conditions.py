"""Conditions, and infusion reactions recorded as AllergyIntolerance or AdverseEvent, with their
dates: whether one existed or was active on the assessment date is the core's decision."""

from __future__ import annotations

from igcds.domain.record import Condition, InfusionReaction
from igcds.fhir.primitives import JsonObject, codings, concept_text, first_date
from igcds.knowledge.loader import KnowledgeBase

NOT_COUNTING_VERIFICATION = frozenset({"refuted", "entered-in-error"})
INACTIVE_CLINICAL = frozenset({"inactive", "remission", "resolved"})


def _status(resource: JsonObject, element: str) -> str | None:
    codes = codings(resource.get(element))
    return codes[0].code if codes else None


def read_condition(resource: JsonObject, ref: str) -> Condition | None:
    if _status(resource, "verificationStatus") in NOT_COUNTING_VERIFICATION:
        return None
    return Condition(
        codings=codings(resource.get("code")),
        text=concept_text(resource.get("code")),
        onset=first_date(resource, ref, ("onsetDateTime", "onsetPeriod.start", "recordedDate")),
        clinically_active=_status(resource, "clinicalStatus") not in INACTIVE_CLINICAL,
        abated=first_date(resource, ref, ("abatementDateTime", "abatementPeriod.end")),
        ref=ref,
    )


def read_reaction(resource: JsonObject, ref: str, kb: KnowledgeBase) -> InfusionReaction | None:
    """An allergy or adverse event whose substance or description names an immune globulin."""
    immune_globulin = kb.medications["immune_globulin"]
    if resource.get("resourceType") == "AllergyIntolerance":
        if _status(resource, "verificationStatus") in NOT_COUNTING_VERIFICATION:
            return None
        texts = [concept_text(resource.get("code"))]
        for reaction in resource.get("reaction") or ():
            if isinstance(reaction, dict):
                texts.append(concept_text(reaction.get("substance")))
                texts.append(str(reaction.get("description", "")).lower())
        when = first_date(resource, ref, ("onsetDateTime", "recordedDate", "lastOccurrence"))
        code = codings(resource.get("code"))
    else:
        if resource.get("actuality") == "potential":
            return None
        texts = [concept_text(resource.get("event")), str(resource.get("description", "")).lower()]
        for suspect in resource.get("suspectEntity") or ():
            instance = suspect.get("instance") if isinstance(suspect, dict) else None
            if isinstance(instance, dict):
                texts.append(str(instance.get("display", "")).lower())
        when = first_date(resource, ref, ("date", "detected", "recordedDate"))
        code = codings(resource.get("event"))
    text = " ".join(t for t in texts if t)
    if not immune_globulin.matches(code, text):
        return None
    return InfusionReaction(text=text, when=when, ref=ref)
