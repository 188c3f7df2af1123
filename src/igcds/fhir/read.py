"""FHIR R4 Bundle -> PatientRecord (DESIGN.md §6): tolerant of unrelated resources and extra
elements, strict and clear about the values it uses."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from igcds.domain.errors import InputError
from igcds.domain.record import MedicationUse, PatientRecord, ReaderNote, Sex, VaccineEvent
from igcds.fhir import conditions, identity, medications, observations, reactions, shape
from igcds.fhir.primitives import JsonObject, reference_of
from igcds.fhir.references import ThisPatient, check_about, resolve, unresolved_medication
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase

SEXES: dict[str, Sex] = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}
MEDICATION_TYPES = frozenset({"MedicationStatement", "MedicationRequest", "MedicationAdministration"})
# Input limits (docs/fhir-input.md): one patient's record, however long, is far below them; past
# them the input is refused (exit 2) rather than read for minutes into gigabytes.
MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 50_000


def parse_json(text: str | bytes, source: str = "input") -> Any:
    """Parse JSON text; a failure names the file and the line."""
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(source, None, f"larger than the {MAX_INPUT_BYTES // 2**20} MiB igcds reads for one patient")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(source, None, f"not JSON ({error.msg} at line {error.lineno})") from None
    except UnicodeDecodeError:
        raise InputError(source, None, "not JSON (not UTF-8 text)") from None
    except RecursionError:
        raise InputError(source, None, "JSON nested too deeply to be a FHIR Bundle") from None
    except ValueError as error:  # an integer of more than 4,300 digits (Python's int limit)
        raise InputError(source, None, f"not JSON igcds can read ({error})") from None


def _entries(bundle: Any) -> list[tuple[JsonObject, str, object]]:
    """(resource, its reference, the entry's fullUrl) for every entry that holds a resource."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        kind = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        shown = kind if kind is None else str(kind)[:40]
        raise InputError("input", None, f"not a FHIR Bundle (resourceType {shown!r})")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InputError("Bundle", "entry", "must be a list")
    if len(entries) > MAX_ENTRIES:
        raise InputError("Bundle", "entry", f"{len(entries)} entries, more than the {MAX_ENTRIES:,} igcds reads")
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError("Bundle", f"entry[{index}]", "expected an object")
        resource = entry.get("resource")
        if resource is None:
            continue  # a request or response entry without a resource
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise InputError("Bundle", f"entry[{index}].resource", "expected a resource with a resourceType")
        found.append((resource, reference_of(resource, entry.get("fullUrl"), index), entry.get("fullUrl")))
    return found


def _medications_by_reference(entries: list[tuple[JsonObject, str, object]]) -> dict[str, JsonObject]:
    """Medication resources by `Type/id` and by fullUrl, and by every absolute or versioned
    reference the medication records make to them (so that each resolves as FHIR resolves it)."""
    found: dict[str, JsonObject] = {}
    for resource, ref, full_url in entries:
        if resource["resourceType"] == "Medication":
            found[ref] = resource
            if isinstance(full_url, str):
                found[full_url] = resource
    for resource, _, _ in entries:
        reference = resource.get("medicationReference")
        target = reference.get("reference") if isinstance(reference, dict) else None
        if isinstance(target, str) and target not in found:
            medication = resolve(target, found)
            if medication is not None:
                found[target] = medication
    return found


def _unresolved_note(resource: JsonObject, ref: str, target: str) -> str:
    display = resource["medicationReference"].get("display")
    what = f"read from its display {display!r}" if isinstance(display, str) and display else "not used"
    return f"{ref}: medicationReference {target!r} is not in the Bundle, so the medication is unknown ({what})"


def read_bundle(bundle: Any, as_of: date | None = None, kb: KnowledgeBase | None = None) -> PatientRecord:
    """The single patient's record, every fact with its date. `as_of`, when given, only makes a
    birth date after it an input error at once; which facts exist on a date is decided by the
    core (`igcds.assess` takes the record as known on its `as_of`)."""
    kb = kb or loader.load()
    entries = _entries(bundle)
    patients = [(r, ref, url) for r, ref, url in entries if r["resourceType"] == "Patient"]
    if len(patients) != 1:
        if not patients:
            raise InputError("Bundle", "entry", "no Patient resource")
        refs = ", ".join(ref for _, ref, _ in patients[:3])
        raise InputError("Bundle", "entry", f"{len(patients)} Patient resources ({refs}); igcds assesses one patient")
    patient, patient_ref, patient_url = patients[0]
    this_patient = ThisPatient.of(patient, patient_ref, patient_url)
    for resource, ref, _ in entries:
        shape.check_resource(resource, ref)
        check_about(resource, ref, this_patient, resource["resourceType"] in shape.RESOURCES)
    gender = patient.get("gender") or "unknown"
    if gender not in SEXES:
        raise InputError(patient_ref, "gender", f"unknown gender {gender!r}")

    born = observations.parse_birth_date(patient, patient_ref, as_of, kb.plausibility.max_age_years)
    medication_resources = _medications_by_reference(entries)
    notes: list[ReaderNote] = []
    obs = observations.ObservationReader(kb, born)
    found_conditions = []
    medication_uses: list[MedicationUse] = []
    vaccines: list[VaccineEvent] = []
    found_reactions = []
    for resource, ref, _ in entries:
        rtype = resource["resourceType"]
        if rtype == "Observation":
            obs.read(resource, ref)
        elif rtype == "Condition":
            condition = conditions.read_condition(resource, ref)
            if condition is not None:
                found_conditions.append(condition)
        elif rtype in MEDICATION_TYPES:
            missing = unresolved_medication(resource, medication_resources)
            use = medications.read_medication(resource, ref, kb, medication_resources)
            if missing is not None:
                when = use.start if isinstance(use, MedicationUse) else None
                notes.append(ReaderNote(_unresolved_note(resource, ref, missing), when))
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
        birth_date=born,
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
        notes=(*notes, *obs.notes),
        name=identity.name_of(patient),
        identifier=identity.identifier_of(patient),
    )
