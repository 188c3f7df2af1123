"""The FHIR searches that gather everything igcds reads about one patient (DESIGN.md §6): the CDS
Hooks prefetch templates and the SMART app's reads are these queries, with the patient's id or the
prefetch token `{{context.patientId}}` filled in. They keep within the CDS Hooks prefetch
restrictions (instance reads, reference and token parameters)."""

from __future__ import annotations

from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.valuesets import FACT_SYSTEM, LOINC

PREFETCH_PATIENT = "{{context.patientId}}"
"""The CDS Hooks prefetch token for the patient in context."""


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
