"""The JSON shape of every element igcds reads, checked before any of it is interpreted.

FHIR R4 fixes each element's JSON type (a `status` is a string, `code.coding` a list of objects,
`component` a list). A record that breaks that is not one igcds can read safely: it is an input
error naming the resource and the element (`Observation/x code.coding: expected a list, got an
object`), never an internal error or a silently skipped fact. Elements igcds does not read are not
checked (tolerate everything else, DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NoReturn

from igcds.domain.errors import InputError

# A shape is a JSON type name, or ("list", item shape), or a mapping of element -> shape (an
# object whose listed elements have those shapes). "concept" is a CodeableConcept.
Shape = Any
STRING: Final = "string"
BOOLEAN: Final = "boolean"
OBJECT: Final = "object"
CONCEPT: Final = "concept"
REFERENCE: Final[Mapping[str, Shape]] = {"reference": STRING}
QUANTITY: Final[Mapping[str, Shape]] = {"unit": STRING, "system": STRING, "code": STRING, "comparator": STRING}
PERIOD: Final[Mapping[str, Shape]] = {"start": STRING, "end": STRING}
CODING: Final[Mapping[str, Shape]] = {"system": STRING, "code": STRING, "display": STRING}


def list_of(item: Shape) -> tuple[str, Shape]:
    return ("list", item)


DOSAGE: Final[Mapping[str, Shape]] = {
    "text": STRING,
    "route": CONCEPT,
    "dose": QUANTITY,
    "doseAndRate": list_of({"doseQuantity": QUANTITY}),
    "additionalInstruction": list_of(CONCEPT),
}
MEDICATION_COMMON: Final[Mapping[str, Shape]] = {
    "status": STRING,
    "subject": REFERENCE,
    "medicationCodeableConcept": CONCEPT,
    "medicationReference": REFERENCE,
    "contained": list_of({"id": STRING, "code": CONCEPT}),
    "reasonCode": list_of(CONCEPT),
    "effectiveDateTime": STRING,
    "effectivePeriod": PERIOD,
}
RESOURCES: Final[Mapping[str, Mapping[str, Shape]]] = {
    "Patient": {
        "gender": STRING,
        "birthDate": STRING,
        "name": list_of({"text": STRING, "family": STRING, "given": list_of(STRING), "use": STRING}),
        "identifier": list_of({"value": STRING, "system": STRING, "type": CONCEPT}),
    },
    "Observation": {
        "status": STRING,
        "subject": REFERENCE,
        "code": CONCEPT,
        "effectiveDateTime": STRING,
        "effectivePeriod": PERIOD,
        "effectiveInstant": STRING,
        "issued": STRING,
        "valueQuantity": QUANTITY,
        "valueCodeableConcept": CONCEPT,
        "valueBoolean": BOOLEAN,
        "component": list_of({"code": CONCEPT, "valueCodeableConcept": CONCEPT}),
        "referenceRange": list_of({"low": QUANTITY, "high": QUANTITY}),
    },
    "Condition": {
        "subject": REFERENCE,
        "code": CONCEPT,
        "clinicalStatus": CONCEPT,
        "verificationStatus": CONCEPT,
        "onsetDateTime": STRING,
        "onsetPeriod": PERIOD,
        "abatementDateTime": STRING,
        "abatementPeriod": PERIOD,
        "recordedDate": STRING,
    },
    "MedicationStatement": {**MEDICATION_COMMON, "dateAsserted": STRING, "dosage": list_of(DOSAGE)},
    "MedicationRequest": {
        **MEDICATION_COMMON,
        "authoredOn": STRING,
        "dosageInstruction": list_of(DOSAGE),
        "dispenseRequest": {"validityPeriod": PERIOD},
    },
    "MedicationAdministration": {**MEDICATION_COMMON, "dosage": DOSAGE},
    "Medication": {"code": CONCEPT},
    "Immunization": {
        "status": STRING,
        "patient": REFERENCE,
        "vaccineCode": CONCEPT,
        "occurrenceDateTime": STRING,
        "recorded": STRING,
    },
    "AllergyIntolerance": {
        "patient": REFERENCE,
        "code": CONCEPT,
        "verificationStatus": CONCEPT,
        "onsetDateTime": STRING,
        "recordedDate": STRING,
        "lastOccurrence": STRING,
        "criticality": STRING,
        "reaction": list_of(
            {"substance": CONCEPT, "description": STRING, "manifestation": list_of(CONCEPT), "severity": STRING}
        ),
    },
    "AdverseEvent": {
        "subject": REFERENCE,
        "actuality": STRING,
        "event": CONCEPT,
        "description": STRING,
        "date": STRING,
        "detected": STRING,
        "recordedDate": STRING,
        "severity": CONCEPT,
        "seriousness": CONCEPT,
        "suspectEntity": list_of({"instance": {"display": STRING, "reference": STRING}}),
    },
}
JSON_NAMES: Final[Mapping[type, str]] = {
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def check_resource(resource: Mapping[str, Any], ref: str) -> None:
    """Raise InputError naming `ref` and the element when an element igcds reads has the wrong
    JSON type. Unknown resource types and unread elements pass."""
    elements = RESOURCES.get(str(resource.get("resourceType")))
    if elements is not None:
        _check_object(resource, elements, ref, "")


def _check_object(value: Mapping[str, Any], elements: Mapping[str, Shape], ref: str, path: str) -> None:
    # Over the object's own elements (fewer than the shape lists); strings, the most common, inline.
    for name, inner in value.items():
        shape = elements.get(name)
        if shape is None or inner is None:
            continue
        if shape is STRING:
            if not isinstance(inner, str):
                _wrong(inner, "a string", ref, f"{path}{name}")
        elif shape is CONCEPT:
            _check_concept(inner, ref, f"{path}{name}")
        else:
            _check(inner, shape, ref, f"{path}{name}")


def _check_concept(value: Any, ref: str, path: str) -> None:
    if not isinstance(value, dict):
        _wrong(value, "an object", ref, path)
    coding = value.get("coding")
    if coding is not None:
        if not isinstance(coding, list):
            _wrong(coding, "a list", ref, f"{path}.coding")
        for index, item in enumerate(coding):
            if not isinstance(item, dict):
                _wrong(item, "an object", ref, f"{path}.coding[{index}]")
            for name in CODING:
                inner = item.get(name)
                if inner is not None and not isinstance(inner, str):
                    _wrong(inner, "a string", ref, f"{path}.coding[{index}].{name}")
    text = value.get("text")
    if text is not None and not isinstance(text, str):
        _wrong(text, "a string", ref, f"{path}.text")


def _check(value: Any, shape: Shape, ref: str, path: str) -> None:
    if shape is STRING:
        if not isinstance(value, str):
            _wrong(value, "a string", ref, path)
    elif shape is BOOLEAN:
        if not isinstance(value, bool):
            _wrong(value, "a boolean", ref, path)
    elif shape is CONCEPT:
        _check_concept(value, ref, path)
    elif isinstance(shape, tuple):
        if not isinstance(value, list):
            _wrong(value, "a list", ref, path)
        for index, item in enumerate(value):
            _check(item, shape[1], ref, f"{path}[{index}]")
    else:
        if not isinstance(value, dict):
            _wrong(value, "an object", ref, path)
        if isinstance(shape, Mapping):
            _check_object(value, shape, ref, f"{path}.")


def _wrong(value: Any, expected: str, ref: str, path: str) -> NoReturn:
    got = JSON_NAMES.get(type(value), type(value).__name__)
    raise InputError(ref, path, f"expected {expected}, got {got}")
