"""A realistic CDS Hooks record for the load benchmark: the boy with suspected hyper-IgM on IVIG
(examples/higm-suspected-boy-on-ivig.json) with the history an EHR accumulates around him, written
the way US Core servers write it (meta.profile, clinical and verification status, categories,
encounter references): an IVIG infusion every four weeks for almost three years with the trough
and the weight taken that day, heights and neutrophil counts each quarter, childhood infections
with their antibiotic courses, and the routine (inactivated) immunisations. Deterministic: the
same 500 resources every run."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "higm-suspected-boy-on-ivig.json"
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
INFECTIONS = [  # ICD-10-CM code, display, amoxicillin course?
    ("H66.90", "Otitis media, unspecified", True),
    ("J06.9", "Acute upper respiratory infection, unspecified", False),
    ("J01.90", "Acute sinusitis, unspecified", True),
    ("J20.9", "Acute bronchitis, unspecified", False),
    ("A09", "Infectious gastroenteritis and colitis, unspecified", False),
]
VACCINES = [
    ("20", "DTaP"),
    ("10", "IPV"),
    ("133", "Pneumococcal conjugate PCV 13"),
    ("08", "Hep B, adolescent or pediatric"),
    ("83", "Hep A, ped/adol, 2 dose"),
    ("141", "Influenza, seasonal, injectable"),
]


def _observation(
    rid: str, code: str, display: str, when: date, value: float, unit: str, category: str
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "meta": {
            "profile": [US_CORE + ("us-core-observation-lab" if category == "laboratory" else "us-core-body-weight")]
        },
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "subject": {"reference": "Patient/higm-suspected"},
        "encounter": {"reference": f"Encounter/enc-{when.isoformat()}"},
        "effectiveDateTime": f"{when.isoformat()}T09:30:00Z",
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def _infusion(index: int, when: date, grams: float) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": f"ivig-hist-{index}",
        "status": "completed",
        "medicationCodeableConcept": {"text": "Immune globulin (human) 10%"},
        "subject": {"reference": "Patient/higm-suspected"},
        "context": {"reference": f"Encounter/enc-{when.isoformat()}"},
        "effectiveDateTime": f"{when.isoformat()}T10:00:00Z",
        "dosage": {
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "47625008", "display": "Intravenous"}]},
            "dose": {"value": grams, "unit": "g", "system": UCUM, "code": "g"},
        },
    }


def _infection(index: int, when: date) -> list[dict[str, Any]]:
    code, display, antibiotic = INFECTIONS[index % len(INFECTIONS)]
    condition = {
        "resourceType": "Condition",
        "id": f"infection-{index}",
        "meta": {"profile": [US_CORE + "us-core-condition-encounter-diagnosis"]},
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}]
        },
        "verificationStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code, "display": display}],
            "text": display,
        },
        "subject": {"reference": "Patient/higm-suspected"},
        "encounter": {"reference": f"Encounter/sick-{index}"},
        "onsetDateTime": when.isoformat(),
        "abatementDateTime": (when + timedelta(days=10)).isoformat(),
        "recordedDate": when.isoformat(),
    }
    if not antibiotic:
        return [condition]
    course = {
        "resourceType": "MedicationRequest",
        "id": f"amoxicillin-{index}",
        "meta": {"profile": [US_CORE + "us-core-medicationrequest"]},
        "status": "completed",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "308182",
                    "display": "amoxicillin 250 MG Oral Capsule",
                }
            ],
            "text": "amoxicillin 250 MG Oral Capsule",
        },
        "subject": {"reference": "Patient/higm-suspected"},
        "encounter": {"reference": f"Encounter/sick-{index}"},
        "authoredOn": when.isoformat(),
        "reasonReference": [{"reference": f"Condition/infection-{index}", "display": display}],
        "dosageInstruction": [
            {
                "text": "250 mg three times a day for 10 days",
                "timing": {
                    "repeat": {
                        "frequency": 3,
                        "period": 1,
                        "periodUnit": "d",
                        "boundsDuration": {"value": 10, "unit": "d"},
                    }
                },
            }
        ],
        "dispenseRequest": {
            "validityPeriod": {"start": when.isoformat(), "end": (when + timedelta(days=10)).isoformat()}
        },
    }
    return [condition, course]


def _immunization(index: int, when: date) -> dict[str, Any]:
    cvx, display = VACCINES[index % len(VACCINES)]
    return {
        "resourceType": "Immunization",
        "id": f"vaccine-{index}",
        "meta": {"profile": [US_CORE + "us-core-immunization"]},
        "status": "completed",
        "vaccineCode": {
            "coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx, "display": display}],
            "text": display,
        },
        "patient": {"reference": "Patient/higm-suspected"},
        "encounter": {"reference": f"Encounter/well-{index}"},
        "occurrenceDateTime": f"{when.isoformat()}T08:00:00Z",
        "primarySource": True,
    }


def resources(total: int = 500) -> list[dict[str, Any]]:
    found = [entry["resource"] for entry in json.loads(EXAMPLE.read_text(encoding="utf-8"))["entry"]]
    start = date(2024, 3, 9)
    for index in range(32):  # every four weeks, trough and weight the same morning
        day = start + timedelta(days=28 * index)
        weight = round(16.0 + index * 0.12, 1)
        found += [
            _infusion(index, day, round(weight * 0.4 * 2) / 2),
            _observation(f"trough-hist-{index}", "2465-3", "IgG", day, 540 + (index * 37) % 160, "mg/dL", "laboratory"),
            _observation(f"weight-hist-{index}", "29463-7", "Body weight", day, weight, "kg", "vital-signs"),
        ]
    for index in range(32):  # each quarter since mid-2018: height, neutrophils, IgA and IgM
        day = date(2018, 7, 2) + timedelta(days=91 * index)
        found += [
            _observation(f"height-{index}", "8302-2", "Body height", day, 62.0 + 2.0 * index, "cm", "vital-signs"),
            _observation(f"anc-{index}", "751-8", "Neutrophils", day, 2.1 + (index % 4) * 0.4, "10*3/uL", "laboratory"),
            _observation(f"iga-hist-{index}", "2458-8", "IgA", day, 6 + index % 3, "mg/dL", "laboratory"),
            _observation(f"igm-hist-{index}", "2472-9", "IgM", day, 150 + (index * 13) % 60, "mg/dL", "laboratory"),
        ]
    for index in range(50):  # six sick visits a year, half of them with an antibiotic course
        found += _infection(index, date(2018, 9, 1) + timedelta(days=59 * index))
    for index in range(30):  # routine inactivated vaccines, none after IgRT began
        found.append(_immunization(index, date(2018, 5, 15) + timedelta(days=70 * index)))
    month = 0
    while len(found) < total:  # weights at the other visits, monthly, since birth
        day = date(2018, 4, 15) + timedelta(days=19 * month)
        found.append(
            _observation(
                f"weight-visit-{month}",
                "29463-7",
                "Body weight",
                day,
                round(4.0 + month * 0.08, 1),
                "kg",
                "vital-signs",
            )
        )
        month += 1
    return found[:total]
