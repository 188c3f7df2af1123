"""The FHIR searches that gather everything igcds reads about one patient (DESIGN.md §6): the CDS
Hooks prefetch templates and the SMART app's reads are these queries, with the patient's id or the
prefetch token `{{context.patientId}}` filled in. They keep within the CDS Hooks prefetch
restrictions (instance reads, reference and token parameters)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.valuesets import FACT_SYSTEM, LOINC

PREFETCH_PATIENT = "{{context.patientId}}"
"""The CDS Hooks prefetch token for the patient in context."""

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
"""FHIR R4 `id` (datatypes §2.24.0.1): what a patient id from outside may be before it goes into a URL."""


def is_fhir_id(value: object) -> bool:
    return isinstance(value, str) and FHIR_ID.fullmatch(value) is not None


def patient_queries(kb: KnowledgeBase, patient: str) -> dict[str, str]:
    """One query per key (the CDS Hooks prefetch keys): the Patient, its Observations by every code
    igcds reads, and every Condition, medication, immunisation and allergy record of the patient."""
    loinc = sorted({code for observation_set in kb.valuesets.observations.values() for code in observation_set.codes})
    codes = ",".join([*(f"{LOINC}|{code}" for code in loinc), f"{FACT_SYSTEM}|"])
    return {
        "patient": f"Patient/{patient}",
        "observations": f"Observation?patient={patient}&code={codes}",
        "conditions": f"Condition?patient={patient}",
        "medicationRequests": f"MedicationRequest?patient={patient}",
        "medicationStatements": f"MedicationStatement?patient={patient}",
        "medicationAdministrations": f"MedicationAdministration?patient={patient}",
        "immunizations": f"Immunization?patient={patient}",
        "allergies": f"AllergyIntolerance?patient={patient}",
    }


def under_base(url: str, base: str) -> bool:
    """The URL is the FHIR server base or below it (same scheme, host and port; path prefix): the
    only place a patient's bearer token may be sent (RFC 6750 §5), e.g. when following paging links."""
    try:
        target, root = urlsplit(url), urlsplit(base)
        same_origin = (target.scheme, target.hostname, target.port) == (root.scheme, root.hostname, root.port)
    except ValueError:  # an unparseable port or address
        return False
    prefix = root.path.rstrip("/")
    return same_origin and (target.path == prefix or target.path.startswith(prefix + "/"))
