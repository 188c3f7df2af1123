"""The population run's stages, defined once for both engines (DuckDB and Spark express them in
their own APIs with these very patterns):

1. scan     every line of the resource types the FHIR reader reads (other types are never opened);
2. key      each line to its patient: a Patient by its id, a clinical resource by its `subject` or
            `patient` reference, a Medication by its own id (patients reach it by reference);
3. census   per patient: lines, Patient lines, any scope signal (prefilter.py), any unreadable line,
            the Medications it references; lines with no patient, and references to patients
            missing from the export, are counted and reported;
4. group    each candidate's lines (and its referenced Medications), ordered by patient and text;
5. assess   each group with the unchanged core (`core.assess_group`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from igcds.domain.errors import InputError

# The resource types igcds.fhir.read.read_bundle reads, and Medication for references.
READ_TYPES = (
    "Patient",
    "Observation",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "Medication",
    "Immunization",
    "AllergyIntolerance",
    "AdverseEvent",
)
# Regular expressions in the syntax RE2 (DuckDB) and java.util.regex (Spark) read alike.
# The first reference to a Patient (relative or absolute) keys a clinical resource: in a Bulk Data
# export that is its `subject` or `patient`. Patterns that open with a literal run fast in both.
PATIENT_REFERENCE = r'Patient/([^"/]+)"'
MEDICATION_REFERENCE = r'Medication/([^"/]+)"'
RESOURCE_ID = r'"id"\s*:\s*"([^"]+)"'
# A line is readable when, spaces trimmed, it opens with "{", closes with "}" and names a
# resourceType (string tests both engines run alike; the reader parses candidates' lines fully).
RESOURCE_TYPE_MARK = '"resourceType"'
MEDICATION_KEY_PREFIX = "Medication/"
EXPORT_FILE = re.compile(r"^([A-Z][A-Za-z]+)(?:\.[^.]+)*\.ndjson(?:\.gz)?$")


def export_files(export_dir: Path) -> dict[str, list[Path]]:
    """`<Type>.ndjson` or `.ndjson.gz`, several per type allowed, for the types the reader reads."""
    if not export_dir.is_dir():
        raise InputError(str(export_dir), None, "not a directory (a FHIR Bulk Data export of NDJSON files)")
    found: dict[str, list[Path]] = {}
    for path in sorted(export_dir.iterdir()):
        matched = EXPORT_FILE.match(path.name)
        if matched and path.is_file():
            found.setdefault(matched.group(1), []).append(path)
    if "Patient" not in found:
        raise InputError(str(export_dir), None, "no Patient.ndjson file: not a patient-level Bulk Data export")
    return {rtype: found[rtype] for rtype in READ_TYPES if rtype in found}


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One line of errors.ndjson."""

    patient: str | None
    resource: str | None
    field: str | None
    message: str

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.patient or "", self.resource or "", self.field or "", self.message)


@dataclass(slots=True)
class Census:
    """What stages 1-3 found; every engine fills it the same way (see `census_errors`)."""

    patients_read: int = 0
    candidates: int = 0
    error_patients: set[str] = field(default_factory=set)
    errors: list[ErrorRecord] = field(default_factory=list)
    orphan_resources: int = 0
    missing_patients: int = 0
    records_without_patient: int = 0
    files: Mapping[str, list[Path]] = field(default_factory=dict)


def census_errors(
    census: Census,
    unreadable: Mapping[str, int],
    duplicated: Mapping[str, int],
    orphans: Mapping[str, int],
    unattributed: Mapping[str, int],
) -> None:
    """The stage-3 findings as error records: a patient with an unreadable line or two Patient
    resources is not assessed (a missing fact must not become a guess); the rest are reported."""
    for patient, count in unreadable.items():
        census.errors.append(
            ErrorRecord(patient, f"Patient/{patient}", None, f"{count} unreadable record(s) (not a FHIR JSON resource)")
        )
    for patient, count in duplicated.items():
        census.errors.append(
            ErrorRecord(patient, f"Patient/{patient}", "id", f"{count} Patient resources share this id")
        )
    census.error_patients = set(unreadable) | set(duplicated)
    for patient, count in orphans.items():
        census.errors.append(
            ErrorRecord(
                patient, f"Patient/{patient}", "subject", f"{count} record(s) refer to a Patient not in the export"
            )
        )
    census.orphan_resources = sum(orphans.values())
    census.missing_patients = len(orphans)
    for rtype, count in unattributed.items():
        census.errors.append(ErrorRecord(None, rtype, "subject", f"{count} record(s) name no Patient: not assessed"))
    census.records_without_patient = sum(unattributed.values())
    census.errors.sort(key=ErrorRecord.sort_key)
