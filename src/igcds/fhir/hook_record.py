"""The record behind a CDS Hooks call: the patient's resources (from prefetch or the EHR's FHIR
server) and the draft orders of `context.draftOrders`, read directly. A draft order is the state
being decided, so it replaces any copy of itself the prefetch returned: a draft vaccine order joins
the record (the live-vaccine rules judge it), a draft immune globulin order is kept apart (it is
reviewed against igcds' dose and must not make the patient "on IgRT"), other draft medication
orders join the record as the inactive requests they are. Only MedicationRequest drafts concern
igcds; NutritionOrder, ServiceRequest and the rest are passed over."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from igcds.domain.errors import InputError
from igcds.domain.record import MedicationUse, PatientRecord, VaccineEvent
from igcds.fhir import medications, read, shape
from igcds.fhir.primitives import JsonObject, reference_of
from igcds.knowledge.loader import KnowledgeBase

# What a reader slip on an unforeseen JSON shape raises (a list where a string belongs, a number
# where an object belongs); turned into an InputError naming the resource.
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def _shape_error(where: str, error: Exception) -> InputError:
    return InputError(where, None, f"an element has an unexpected JSON type ({type(error).__name__})")


@dataclass(frozen=True, slots=True)
class DraftOrders:
    refs: frozenset[str]
    """`Type/id` (or fullUrl) of every draft order, the ones igcds reads and the ones it passes over."""
    immune_globulin: tuple[tuple[MedicationUse, JsonObject], ...] = ()
    """Each draft immune globulin order, read and whole (a suggestion replaces the whole resource)."""


def _collection(resources: Sequence[JsonObject]) -> JsonObject:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def _read_resources(resources: Sequence[JsonObject], as_of: date, kb: KnowledgeBase) -> PatientRecord:
    """The record, or an InputError naming the resource whose shape the reader could not follow."""
    try:
        return read.read_bundle(_collection(resources), as_of, kb)
    except InputError:
        raise
    except SHAPE_ERRORS as error:
        patients = [r for r in resources if r.get("resourceType") == "Patient"][:1]
        for index, resource in enumerate(resources):
            alone = [resource] if any(resource is patient for patient in patients) else [*patients, resource]
            try:
                read.read_bundle(_collection(alone), as_of, kb)
            except SHAPE_ERRORS:
                raise _shape_error(reference_of(resource, None, index), error) from None
            except InputError:
                continue
        raise _shape_error("prefetch", error) from None


def _read_draft(
    resource: JsonObject, ref: str, as_of: date, kb: KnowledgeBase, known: dict[str, JsonObject]
) -> MedicationUse | VaccineEvent | None:
    try:
        shape.check_resource(resource, ref)  # a wrong JSON type is named, as in a Bundle
        return medications.read_medication(resource, ref, kb, known)
    except InputError:
        raise
    except SHAPE_ERRORS as error:
        raise _shape_error(ref, error) from None


def read_hook_record(
    resources: Sequence[JsonObject], draft_entries: Sequence[Any], as_of: date, kb: KnowledgeBase
) -> tuple[PatientRecord, DraftOrders]:
    """`resources`: every resource the call supplied (each a dict with a string resourceType).
    `draft_entries`: the entries of `context.draftOrders` (Bundle.entry)."""
    drafts: list[tuple[JsonObject, str]] = []
    for index, entry in enumerate(draft_entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            drafts.append((resource, reference_of(resource, entry.get("fullUrl"), index)))
    draft_refs = frozenset(ref for _, ref in drafts)
    known_medications = (
        {reference_of(r, None, i): r for i, r in enumerate(resources) if r.get("resourceType") == "Medication"}
        if drafts
        else {}
    )
    immune_globulin: list[tuple[MedicationUse, JsonObject]] = []
    ordered: list[MedicationUse] = []
    vaccines: list[VaccineEvent] = []
    for resource, ref in drafts:
        if resource["resourceType"] != "MedicationRequest":
            continue
        use = _read_draft(resource, ref, as_of, kb, known_medications)
        if isinstance(use, VaccineEvent):
            vaccines.append(use)
        elif use is not None and kb.medications["immune_globulin"].matches(use.codings, use.names):
            immune_globulin.append((use, resource))
        elif use is not None:
            ordered.append(use)
    kept = [r for i, r in enumerate(resources) if reference_of(r, None, i) not in draft_refs] if drafts else resources
    record = _read_resources(kept, as_of, kb)
    record = dataclasses.replace(
        record, medications=(*record.medications, *ordered), vaccines=(*record.vaccines, *vaccines)
    )
    return record, DraftOrders(draft_refs, tuple(immune_globulin))
