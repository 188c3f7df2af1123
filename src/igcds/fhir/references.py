"""Whose record is it: every resource's `subject` or `patient` must resolve to the Bundle's one
Patient, or the Bundle mixes patients and nothing in it can be believed (another patient's 120 kg
must never become this patient's dosing weight).

References resolve as FHIR R4 does (references.html, and bundle.html on resolving references in a Bundle): a relative
`Patient/id`, an absolute URL ending in `/Patient/id`, a version-specific form of either
(`/_history/n`), or the Patient entry's `fullUrl` (e.g. `urn:uuid:…`). A reference with only an
identifier or a display cannot be resolved and is not judged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from igcds.domain.errors import InputError

ABOUT_PATIENT = ("subject", "patient")
HISTORY = "/_history/"
ABSOLUTE_SCHEMES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class ThisPatient:
    """The Bundle's Patient as references may name it."""

    ref: str
    patient_id: str | None
    full_url: str | None

    @classmethod
    def of(cls, patient: dict[str, Any], ref: str, full_url: object) -> ThisPatient:
        rid = patient.get("id")
        return cls(ref, rid if isinstance(rid, str) and rid else None, full_url if isinstance(full_url, str) else None)

    def is_named_by(self, reference: str) -> bool:
        target = reference.strip()
        if HISTORY in target:
            target = target.split(HISTORY, 1)[0]
        if self.full_url is not None and target == self.full_url:
            return True
        if self.patient_id is None:
            return False
        relative = f"Patient/{self.patient_id}"
        return target == relative or (target.startswith(ABSOLUTE_SCHEMES) and target.endswith(f"/{relative}"))


def names_a_patient(reference: str) -> bool:
    """`Patient/x` or `…/Patient/x`: a reference whose target is, by its type, a Patient."""
    path = reference.split(HISTORY, 1)[0]
    parts = path.rstrip("/").split("/")
    return len(parts) >= 2 and parts[-2] == "Patient"


def check_about(resource: dict[str, Any], ref: str, patient: ThisPatient, read_by_igcds: bool) -> None:
    """Raise InputError when the resource is about someone else. For the resources igcds reads any
    unresolvable target is refused (`Group/x`, another `urn:uuid:`); for the rest, only a
    reference to another Patient."""
    for element in ABOUT_PATIENT:
        value = resource.get(element)
        target = value.get("reference") if isinstance(value, dict) else None
        if not isinstance(target, str) or patient.is_named_by(target):
            continue
        if read_by_igcds or names_a_patient(target):
            raise InputError(
                ref,
                f"{element}.reference",
                f"refers to {target!r}, not this Bundle's patient ({patient.ref}): "
                "a Bundle must hold one patient's record",
            )


def resolve(reference: str, by_reference: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The Bundle's resource a reference names: by its `Type/id` or `fullUrl` as given, else an
    absolute or version-specific URL by its `Type/id` tail."""
    if reference in by_reference:
        return by_reference[reference]
    path = reference.split(HISTORY, 1)[0]
    parts = path.rstrip("/").split("/")
    tail = "/".join(parts[-2:]) if len(parts) >= 2 else path
    return by_reference.get(tail) if path.startswith(ABSOLUTE_SCHEMES) or HISTORY in reference else None


def unresolved_medication(resource: dict[str, Any], by_reference: dict[str, dict[str, Any]]) -> str | None:
    """The `medicationReference` of a medication record when it names nothing in the Bundle (or
    in the record's `contained`), else None."""
    if isinstance(resource.get("medicationCodeableConcept"), dict):
        return None
    reference = resource.get("medicationReference")
    target = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(target, str):
        return None
    if target.startswith("#"):
        contained = resource.get("contained") or []
        found = any(isinstance(c, dict) and c.get("id") == target[1:] for c in contained)
        return None if found else target
    return None if resolve(target, by_reference) is not None else target
