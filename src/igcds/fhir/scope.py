"""Is one FHIR resource a scope signal? The population run's candidate pre-filter, read from the
same knowledge as the engine's scope (`KnowledgeBase.scope_signals`, data/scope.yaml): a patient
with no signal among their resources is `not-in-scope`, so only patients with a signal need the
full engine (which then decides on ALL their resources). Status and dates are not looked at: the
filter may only err on the side of looking."""

from __future__ import annotations

from igcds.fhir.medications import KIND, _dosages, _route, medication_concept
from igcds.fhir.primitives import JsonObject, codings, concept_text
from igcds.knowledge.loader import KnowledgeBase


def is_scope_signal(resource: JsonObject, kb: KnowledgeBase, medications: dict[str, JsonObject] | None = None) -> bool:
    """`medications`: Medication resources by `Medication/id`, for a `medicationReference`
    (contained Medications are found without it; a Medication resource itself is never a signal,
    the statement, request or administration that points at it is)."""
    signals = kb.scope_signals
    rtype = resource.get("resourceType")
    if rtype == "Observation":
        return signals.observation(codings(resource.get("code")))
    if rtype == "Condition":
        return signals.condition(codings(resource.get("code")))
    if rtype in KIND:
        concept = medication_concept(resource, medications or {})
        intravenous = _route(_dosages(resource), kb) == "IV"
        return signals.medication(codings(concept), concept_text(concept), intravenous)
    return False
