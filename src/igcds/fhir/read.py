"""FHIR R4 Bundle -> PatientRecord (DESIGN.md §6): tolerant of unrelated resources and extra
elements, strict and clear about the values it uses."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from igcds.domain.errors import InputError
from igcds.domain.record import MedicationUse, PatientRecord, Sex, VaccineEvent
from igcds.fhir import conditions, identity, medications, observations, reactions
from igcds.fhir.primitives import JsonObject, reference_of
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase

SEXES: dict[str, Sex] = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}
MEDICATION_TYPES = frozenset({"MedicationStatement", "MedicationRequest", "MedicationAdministration"})


def parse_json(text: str | bytes, source: str = "input") -> Any:
    """Parse JSON text; a failure names the file and the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(source, None, f"not JSON ({error.msg} at line {error.lineno})") from None
    except UnicodeDecodeError:
        raise InputError(source, None, "not JSON (not UTF-8 text)") from None


def _entries(bundle: Any) -> list[tuple[JsonObject, str]]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        kind = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise InputError("input", None, f"not a FHIR Bundle (resourceType {kind!r})")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InputError("Bundle", "entry", "must be a list")
    found = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            found.append((resource, reference_of(resource, entry.get("fullUrl"), index)))
    return found


def read_bundle(bundle: Any, as_of: date | None = None, kb: KnowledgeBase | None = None) -> PatientRecord:
    """The single patient's record, every fact with its date. `as_of`, when given, only makes a
    birth date after it an input error at once; which facts exist on a date is decided by the
    core (`igcds.assess` takes the record as known on its `as_of`)."""
    kb = kb or loader.load()
    entries = _entries(bundle)
    patients = [(r, ref) for r, ref in entries if r["resourceType"] == "Patient"]
    if len(patients) != 1:
        if not patients:
            raise InputError("Bundle", "entry", "no Patient resource")
        refs = ", ".join(ref for _, ref in patients[:3])
        raise InputError("Bundle", "entry", f"{len(patients)} Patient resources ({refs}); igcds assesses one patient")
    patient, patient_ref = patients[0]
    gender = patient.get("gender", "unknown")
    if gender not in SEXES:
        raise InputError(patient_ref, "gender", f"unknown gender {gender!r}")

    medication_resources = {ref: r for r, ref in entries if r["resourceType"] == "Medication"}
    obs = observations.ObservationReader(kb)
    found_conditions = []
    medication_uses: list[MedicationUse] = []
    vaccines: list[VaccineEvent] = []
    found_reactions = []
    for resource, ref in entries:
        rtype = resource["resourceType"]
        if rtype == "Observation":
            obs.read(resource, ref)
        elif rtype == "Condition":
            condition = conditions.read_condition(resource, ref)
            if condition is not None:
                found_conditions.append(condition)
        elif rtype in MEDICATION_TYPES:
            use = medications.read_medication(resource, ref, kb, medication_resources)
            if isinstance(use, VaccineEvent):
                vaccines.append(use)
            elif use is not None:
                medication_uses.append(use)
        elif rtype == "Immunization":
            given = medications.read_immunization(resource, ref)
            if given is not None:
                vaccines.append(given)
        elif rtype in ("AllergyIntolerance", "AdverseEvent"):
            reaction = reactions.read_reaction(resource, ref, kb)
            if reaction is not None:
                found_reactions.append(reaction)

    return PatientRecord(
        patient_id=str(patient.get("id", patient_ref)),
        ref=patient_ref,
        sex=SEXES[gender],
        birth_date=observations.parse_birth_date(patient, patient_ref, as_of),
        labs=tuple(sorted(obs.labs, key=lambda lab: lab.effective)),
        weights=tuple(sorted(obs.weights, key=lambda m: m.effective)),
        heights=tuple(sorted(obs.heights, key=lambda m: m.effective)),
        conditions=tuple(found_conditions),
        medications=tuple(medication_uses),
        vaccines=tuple(vaccines),
        variants=tuple(obs.variants),
        facts=tuple(sorted(obs.facts, key=lambda f: f.effective or date.min)),
        reactions=tuple(found_reactions),
        tests_performed=tuple(sorted(obs.tests_performed, key=lambda t: t.effective)),
        notes=tuple(obs.notes),
        name=identity.name_of(patient),
        identifier=identity.identifier_of(patient),
    )
