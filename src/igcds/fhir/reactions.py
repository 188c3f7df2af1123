"""Reactions to immune globulin, recorded as AllergyIntolerance or AdverseEvent: what the
reaction names (substance, product, manifestation), whether it was severe (anaphylaxis, high
criticality, a severe or serious event), and the administration or medication it points at
(AdverseEvent.suspectEntity). Which product that was, and whether it may be given again, is the
core's decision."""

from __future__ import annotations

from igcds.domain.record import InfusionReaction
from igcds.fhir.primitives import JsonObject, codings, concept_text, first_date
from igcds.knowledge.loader import KnowledgeBase

NOT_COUNTING_VERIFICATION = frozenset({"refuted", "entered-in-error"})
SEVERE_WORDS = ("anaphyla",)
ALLERGY_DATES = ("onsetDateTime", "recordedDate", "lastOccurrence")
EVENT_DATES = ("date", "detected", "recordedDate")
SUSPECT_TYPES = ("MedicationAdministration/", "MedicationStatement/", "MedicationRequest/", "Medication/")


def _status(resource: JsonObject, element: str) -> str | None:
    codes = codings(resource.get(element))
    return codes[0].code if codes else None


def _allergy(resource: JsonObject, ref: str) -> tuple[list[str], bool, tuple[str, ...]] | None:
    if _status(resource, "verificationStatus") in NOT_COUNTING_VERIFICATION:
        return None
    texts = [concept_text(resource.get("code"))]
    severe = resource.get("criticality") == "high"
    for reaction in resource.get("reaction") or ():
        if not isinstance(reaction, dict):
            continue
        texts += [concept_text(reaction.get("substance")), str(reaction.get("description", "")).lower()]
        texts += [concept_text(m) for m in reaction.get("manifestation") or ()]
        severe = severe or reaction.get("severity") == "severe"
    return texts, severe, ()


def _adverse_event(resource: JsonObject) -> tuple[list[str], bool, tuple[str, ...]] | None:
    if resource.get("actuality") == "potential":
        return None
    texts = [concept_text(resource.get("event")), str(resource.get("description", "")).lower()]
    suspects = []
    for suspect in resource.get("suspectEntity") or ():
        instance = suspect.get("instance") if isinstance(suspect, dict) else None
        if isinstance(instance, dict):
            texts.append(str(instance.get("display", "")).lower())
            target = instance.get("reference")
            if isinstance(target, str) and target.startswith(SUSPECT_TYPES):
                suspects.append(target)
    severe = _status(resource, "severity") == "severe" or _status(resource, "seriousness") == "serious"
    return texts, severe, tuple(suspects)


def read_reaction(resource: JsonObject, ref: str, kb: KnowledgeBase) -> InfusionReaction | None:
    """A reaction whose text names an immune globulin, or an adverse event that points at a
    medication record (the core decides whether that record is an immune globulin)."""
    allergy = resource.get("resourceType") == "AllergyIntolerance"
    read = _allergy(resource, ref) if allergy else _adverse_event(resource)
    if read is None:
        return None
    texts, severe, suspects = read
    text = " ".join(t for t in texts if t)
    code = codings(resource.get("code" if allergy else "event"))
    names_immune_globulin = kb.medications["immune_globulin"].matches(code, text)
    if not names_immune_globulin and not suspects:
        return None
    when = first_date(resource, ref, ALLERGY_DATES if allergy else EVENT_DATES)
    severe = severe or any(word in text for word in SEVERE_WORDS)
    return InfusionReaction(
        text=text, when=when, ref=ref, severe=severe, suspects=suspects, names_immune_globulin=names_immune_globulin
    )
