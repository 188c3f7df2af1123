"""Who the patient is, for a printed report: the name and the identifier a clinician files by.
Identity is never a rule input; a missing or odd name or identifier is simply not shown."""

from __future__ import annotations

from igcds.domain.record import PatientIdentifier
from igcds.fhir.primitives import JsonObject, codings

NAME_USES = ("official", "usual")
MEDICAL_RECORD_NUMBER = ("http://terminology.hl7.org/CodeSystem/v2-0203", "MR")


def _name_text(name: JsonObject) -> str:
    text = name.get("text")
    if isinstance(text, str) and text.strip():
        return " ".join(text.split())
    given = [g for g in name.get("given") or () if isinstance(g, str)]
    family = name.get("family")
    parts = [*given, family] if isinstance(family, str) else given
    return " ".join(" ".join(parts).split())


def name_of(patient: JsonObject) -> str | None:
    """The official name, else the usual one, else the first that has any text."""
    names = [n for n in patient.get("name") or () if isinstance(n, dict) and _name_text(n)]
    names.sort(key=lambda n: NAME_USES.index(n["use"]) if n.get("use") in NAME_USES else len(NAME_USES))
    return _name_text(names[0]) if names else None


def identifier_of(patient: JsonObject) -> PatientIdentifier | None:
    """The medical record number (identifier type MR), else the first identifier with a value."""
    found = [i for i in patient.get("identifier") or () if isinstance(i, dict) and isinstance(i.get("value"), str)]
    for identifier in found:
        kinds = {(c.system, c.code) for c in codings(identifier.get("type"))}
        if MEDICAL_RECORD_NUMBER in kinds:
            return PatientIdentifier("MRN", identifier["value"])
    if not found:
        return None
    first = found[0]
    kind = first.get("type")
    label = kind.get("text") if isinstance(kind, dict) and isinstance(kind.get("text"), str) else None
    system = first.get("system")
    return PatientIdentifier(label or (system if isinstance(system, str) else "identifier"), first["value"])
