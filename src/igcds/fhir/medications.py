"""Medication statements, requests and administrations; vaccines given or ordered. Each keeps
its dates and status; whether it was in effect on the assessment date is the core's decision."""

from __future__ import annotations

from typing import Any, Literal

from igcds.domain.errors import InputError
from igcds.domain.record import Coding, MedicationUse, Route, VaccineEvent
from igcds.fhir.primitives import JsonObject, codings, concept_text, first_date, quantity
from igcds.knowledge.loader import KnowledgeBase

EXCLUDED_STATUSES = frozenset({"entered-in-error", "cancelled", "not-taken", "not-done"})
ACTIVE_STATUSES = {
    "MedicationStatement": frozenset({"active", "intended", "on-hold"}),
    "MedicationRequest": frozenset({"active", "on-hold"}),
    "MedicationAdministration": frozenset({"completed", "in-progress"}),
}
ORDER_STATUSES = frozenset({"draft", "active", "on-hold"})
KIND: dict[str, Literal["statement", "request", "administration"]] = {
    "MedicationStatement": "statement",
    "MedicationRequest": "request",
    "MedicationAdministration": "administration",
}
# Dose units of an immune globulin dose: grams or mg/kg.
DOSE_TO_GRAMS = {"g": 1.0, "mg": 0.001, "kg": 1000.0}
DOSE_TO_MG_PER_KG = {"mg/kg": 1.0, "g/kg": 1000.0}
PROPHYLAXIS_WORD = "prophyla"
PERIOD_PATHS = {
    "MedicationStatement": (("effectiveDateTime", "effectivePeriod.start", "dateAsserted"), ("effectivePeriod.end",)),
    "MedicationRequest": (
        ("dispenseRequest.validityPeriod.start", "authoredOn"),
        ("dispenseRequest.validityPeriod.end",),
    ),
    "MedicationAdministration": (("effectiveDateTime", "effectivePeriod.start"), ("effectivePeriod.end",)),
}


def medication_concept(resource: JsonObject, medications: dict[str, JsonObject]) -> JsonObject | None:
    """medicationCodeableConcept, or the code of the referenced (or contained) Medication."""
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        return concept
    reference = resource.get("medicationReference")
    if isinstance(reference, dict):
        target = str(reference.get("reference", ""))
        if target.startswith("#"):
            for contained in resource.get("contained") or ():
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    code = contained.get("code")
                    return code if isinstance(code, dict) else None
        found = medications.get(target)
        if found is not None and isinstance(found.get("code"), dict):
            return found["code"]  # type: ignore[no-any-return]
        if reference.get("display"):
            return {"text": reference["display"]}
    return None


def _dosages(resource: JsonObject) -> list[JsonObject]:
    rtype = resource.get("resourceType")
    if rtype == "MedicationAdministration":
        dosage = resource.get("dosage")
        return [dosage] if isinstance(dosage, dict) else []
    found = resource.get("dosageInstruction" if rtype == "MedicationRequest" else "dosage")
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def _dose_quantity(dosage: JsonObject) -> Any:
    if "dose" in dosage:
        return dosage["dose"]
    for dose_and_rate in dosage.get("doseAndRate") or ():
        if isinstance(dose_and_rate, dict) and "doseQuantity" in dose_and_rate:
            return dose_and_rate["doseQuantity"]
    return None


def _route(dosages: list[JsonObject], kb: KnowledgeBase) -> Route | None:
    for dosage in dosages:
        route = dosage.get("route")
        text = concept_text(route)
        codes = {c.code for c in codings(route)}
        for name, route_set in kb.valuesets.routes.items():
            if codes & set(route_set.snomed) or text.strip() in route_set.text:
                return "IV" if name == "intravenous" else "SC"
    return None


def _immune_globulin_dose(dosages: list[JsonObject], ref: str) -> tuple[float | None, float | None]:
    for index, dosage in enumerate(dosages):
        raw = _dose_quantity(dosage)
        if raw is None:
            continue
        field = f"dosage[{index}].dose"
        value, unit, _ = quantity(raw, ref, field)
        if value <= 0:
            raise InputError(ref, f"{field}.value", f"immune globulin dose must be positive, got {value:g}")
        if unit in DOSE_TO_GRAMS:
            return value * DOSE_TO_GRAMS[unit], None
        if unit in DOSE_TO_MG_PER_KG:
            return None, value * DOSE_TO_MG_PER_KG[unit]
        known = ", ".join([*DOSE_TO_GRAMS, *DOSE_TO_MG_PER_KG])
        raise InputError(ref, f"{field}.unit", f"unknown immune globulin dose unit {unit!r} (expected {known})")
    return None, None


def _mentions_prophylaxis(resource: JsonObject, dosages: list[JsonObject]) -> bool:
    texts = [concept_text(reason) for reason in resource.get("reasonCode") or ()]
    texts += [str(d.get("text", "")).lower() for d in dosages]
    for dosage in dosages:
        instructions = dosage.get("additionalInstruction")
        texts += [concept_text(i) for i in instructions] if isinstance(instructions, list) else []
    return any(PROPHYLAXIS_WORD in text for text in texts)


def read_medication(
    resource: JsonObject, ref: str, kb: KnowledgeBase, medications: dict[str, JsonObject]
) -> MedicationUse | VaccineEvent | None:
    rtype = str(resource.get("resourceType"))
    status = resource.get("status")
    if status in EXCLUDED_STATUSES:
        return None
    concept = medication_concept(resource, medications)
    codes: tuple[Coding, ...] = codings(concept)
    names = concept_text(concept)
    if rtype == "MedicationRequest" and kb.live_vaccines.matches(codes, names):
        if status not in ORDER_STATUSES:
            return None
        return VaccineEvent(codes, names, first_date(resource, ref, ("authoredOn",)), True, ref)
    start_paths, end_paths = PERIOD_PATHS[rtype]
    start = first_date(resource, ref, start_paths)
    end = first_date(resource, ref, end_paths)
    dosages = _dosages(resource)
    dose_g = dose_mg_per_kg = None
    if kb.medications["immune_globulin"].matches(codes, names):
        dose_g, dose_mg_per_kg = _immune_globulin_dose(dosages, ref)
    route = _route(dosages, kb)  # also for antibiotics: IV treatment is a warning sign (scope.yaml)
    return MedicationUse(
        kind=KIND[rtype],
        codings=codes,
        names=names,
        start=start,
        end=end,
        in_effect=status in ACTIVE_STATUSES[rtype],
        ref=ref,
        stated_prophylaxis=_mentions_prophylaxis(resource, dosages),
        route=route,
        dose_g=dose_g,
        dose_mg_per_kg=dose_mg_per_kg,
    )


def read_immunization(resource: JsonObject, ref: str) -> VaccineEvent | None:
    status = resource.get("status")
    if status in EXCLUDED_STATUSES:
        return None
    when = first_date(resource, ref, ("occurrenceDateTime", "recorded"))
    concept = resource.get("vaccineCode")
    return VaccineEvent(codings(concept), concept_text(concept), when, False, ref)
