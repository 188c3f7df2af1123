"""One synthetic patient's FHIR R4 resources, per pathway. Every patient carries the background a
real export has (weights, heights, routine labs, common conditions, medicines, vaccines, visits);
the pathway adds the immunology: repeat immunoglobulin results, infections, variants and immune
globulin infusions. Codes are the ones the igcds value sets read (DESIGN.md §6)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

Resource = dict[str, Any]
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
HGNC = "http://www.genenames.org/geneId"
IV_ROUTE = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}


class PatientWriter:
    """Builds one patient's resources with ids unique across the export."""

    def __init__(self, patient_id: str, rng: random.Random, as_of: date) -> None:
        self.patient_id = patient_id
        self.rng = rng
        self.as_of = as_of
        self.resources: list[Resource] = []
        self._serial = 0

    def _add(self, resource_type: str, body: Resource) -> Resource:
        self._serial += 1
        resource = {"resourceType": resource_type, "id": f"{self.patient_id}-{self._serial}", **body}
        self.resources.append(resource)
        return resource

    def days_ago(self, days: int) -> str:
        return (self.as_of - timedelta(days=days)).isoformat()

    def patient(self, gender: str, age_years: float) -> None:
        born = self.as_of - timedelta(days=round(age_years * 365.25))
        self.resources.append(
            {"resourceType": "Patient", "id": self.patient_id, "gender": gender, "birthDate": born.isoformat()}
        )

    def lab(self, loinc: str, display: str, value: float, unit: str, days: int) -> None:
        self._add(
            "Observation",
            {
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}], "text": display},
                "subject": {"reference": f"Patient/{self.patient_id}"},
                "effectiveDateTime": self.days_ago(days),
                "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            },
        )

    def condition(self, system: str, code: str, display: str, days: int) -> None:
        self._add(
            "Condition",
            {
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
                "subject": {"reference": f"Patient/{self.patient_id}"},
                "onsetDateTime": self.days_ago(days),
            },
        )

    def medication(
        self, kind: str, text: str, days: int, rxnorm: str | None = None, extra: Resource | None = None
    ) -> Resource:
        concept: Resource = {"text": text}
        if rxnorm:
            concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": text}]
        body: Resource = {"status": "active" if kind != "MedicationAdministration" else "completed"}
        if kind == "MedicationRequest":
            body["intent"] = "order"
        body |= {"medicationCodeableConcept": concept, "subject": {"reference": f"Patient/{self.patient_id}"}}
        body["authoredOn" if kind == "MedicationRequest" else "effectiveDateTime"] = self.days_ago(days)
        return self._add(kind, body | (extra or {}))

    def immunization(self, cvx: str, display: str, days: int) -> None:
        self._add(
            "Immunization",
            {
                "status": "completed",
                "vaccineCode": {"coding": [{"system": CVX, "code": cvx, "display": display}], "text": display},
                "patient": {"reference": f"Patient/{self.patient_id}"},
                "occurrenceDateTime": self.days_ago(days),
            },
        )

    def encounter(self, days: int) -> None:
        self._add(
            "Encounter",
            {
                "status": "finished",
                "class": {"code": "AMB"},
                "subject": {"reference": f"Patient/{self.patient_id}"},
                "period": {"start": self.days_ago(days)},
            },
        )

    def immunoglobulins(self, igm: float, igg: float | None, iga: float | None, days: int) -> None:
        self.lab("2472-9", "IgM [Mass/volume] in Serum", igm, "mg/dL", days)
        if igg is not None:
            self.lab("2465-3", "IgG [Mass/volume] in Serum", igg, "mg/dL", days)
        if iga is not None:
            self.lab("2458-8", "IgA [Mass/volume] in Serum", iga, "mg/dL", days)

    def ivig_course(self, weeks: int, grams: float, trough: float | None, referenced: bool = False) -> None:
        """An infusion every 4 weeks for `weeks` up to last week, a trough IgG drawn before some."""
        for week in range(weeks, 0, -4):
            days = week * 7 - 6
            dose = {"dosage": {"route": IV_ROUTE, "dose": {"value": grams, "unit": "g", "code": "g"}}}
            if referenced:
                medication = self._add("Medication", {"code": {"text": "Privigen immune globulin 10% IV"}})
                given = self.medication("MedicationAdministration", "", days, extra=dose)
                del given["medicationCodeableConcept"]
                given["medicationReference"] = {"reference": f"Medication/{medication['id']}"}
            else:
                self.medication("MedicationAdministration", "Privigen immune globulin 10% IV", days, extra=dose)
            if trough is not None and week <= 26 and week % 12 == 0:
                self.lab("2465-3", "IgG [Mass/volume] in Serum", trough + self.rng.randint(-40, 40), "mg/dL", days)


def background(w: PatientWriter) -> None:
    rng = w.rng
    age = rng.uniform(1, 90)
    w.patient(rng.choice(("male", "female")), age)
    _routine(w, age)


def _routine(w: PatientWriter, age: float) -> None:
    rng = w.rng
    for visit in range(rng.randint(2, 6)):
        days = 30 + visit * rng.randint(60, 200)
        w.encounter(days)
        w.lab("29463-7", "Body weight", round(min(90, 3 + age * 3) * rng.uniform(0.85, 1.15), 1), "kg", days)
        w.lab("2345-7", "Glucose [Mass/volume] in Serum or Plasma", rng.randint(70, 140), "mg/dL", days)
    w.lab("8302-2", "Body height", round(min(180, 50 + age * 8)), "cm", 40)
    w.lab("718-7", "Hemoglobin [Mass/volume] in Blood", round(rng.uniform(11, 16), 1), "g/dL", 40)
    if age > 40 and rng.random() < 0.3:
        w.condition(SNOMED, "59621000", "Essential hypertension (disorder)", rng.randint(400, 4000))
        w.medication("MedicationRequest", "lisinopril 10 MG Oral Tablet", 300, rxnorm="314076")
    w.immunization("140", "Influenza, seasonal, injectable, preservative free", rng.randint(30, 300))


def sigmd(w: PatientWriter) -> None:
    """Selective IgM deficiency: low IgM twice, IgG and IgA normal; half on IVIG a year or more."""
    rng = w.rng
    age = rng.uniform(20, 70)
    w.patient(rng.choice(("male", "female")), age)
    _routine(w, age)
    w.immunoglobulins(rng.randint(12, 35), rng.randint(800, 1200), rng.randint(90, 250), 700)
    w.immunoglobulins(rng.randint(12, 35), None, None, 600)
    for episode in range(rng.randint(0, 3)):
        w.condition(ICD10CM, "J01.90", "Acute sinusitis, unspecified", 650 - episode * 45)
    if rng.random() < 0.5:
        w.ivig_course(rng.choice((24, 56, 80)), 30.0, None, referenced=rng.random() < 0.5)


def possible_sigmd(w: PatientWriter) -> None:
    rng = w.rng
    age = rng.uniform(5, 60)
    w.patient(rng.choice(("male", "female")), age)
    _routine(w, age)
    w.lab("2472-9", "IgM [Mass/volume] in Serum", rng.randint(10, 30), "mg/dL", rng.randint(20, 200))


def normal_immunoglobulins(w: PatientWriter) -> None:
    rng = w.rng
    age = rng.uniform(20, 80)
    w.patient(rng.choice(("male", "female")), age)
    _routine(w, age)
    w.immunoglobulins(rng.randint(80, 200), rng.randint(800, 1400), rng.randint(100, 300), rng.randint(20, 400))


def warning_infections(w: PatientWriter) -> None:
    """Two pneumonias in the last year and no immunoglobulin result."""
    rng = w.rng
    age = rng.uniform(2, 70)
    w.patient(rng.choice(("male", "female")), age)
    _routine(w, age)
    w.condition(ICD10CM, "J18.9", "Pneumonia, unspecified organism", rng.randint(200, 330))
    w.condition(ICD10CM, "J18.9", "Pneumonia, unspecified organism", rng.randint(20, 150))


def single_sinusitis(w: PatientWriter) -> None:
    """One acute sinusitis: common, and no reason on its own to measure immunoglobulins."""
    background(w)
    w.condition(ICD10CM, "J01.90", "Acute sinusitis, unspecified", w.rng.randint(30, 300))


def secondary_low_igm(w: PatientWriter) -> None:
    rng = w.rng
    w.patient(rng.choice(("male", "female")), rng.uniform(40, 75))
    _routine(w, 50)
    w.medication("MedicationStatement", "rituximab 10 MG/ML Injectable Solution", 200, rxnorm="121191")
    w.immunoglobulins(rng.randint(10, 30), rng.randint(800, 1100), rng.randint(90, 200), 100)
    w.immunoglobulins(rng.randint(10, 30), None, None, 40)


def other_antibody_deficiency(w: PatientWriter) -> None:
    rng = w.rng
    w.patient(rng.choice(("male", "female")), rng.uniform(20, 60))
    _routine(w, 40)
    w.immunoglobulins(rng.randint(10, 30), rng.randint(250, 450), rng.randint(90, 200), 300)
    w.immunoglobulins(rng.randint(10, 30), rng.randint(250, 450), None, 200)


def hyper_igm_cd40lg(w: PatientWriter) -> None:
    """X-linked hyper-IgM in a boy: the variant, low IgG and IgA, IVIG with troughs; some on
    TMP-SMX prophylaxis, some with a live vaccine ordered."""
    rng = w.rng
    age = rng.uniform(1, 14)
    w.patient("male", age)
    _routine(w, age)
    w.immunoglobulins(rng.randint(60, 300), rng.randint(50, 150), rng.randint(2, 10), 400)
    w._add(
        "Observation",
        {
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "69548-6", "display": "Genetic variant assessment"}]},
            "subject": {"reference": f"Patient/{w.patient_id}"},
            "effectiveDateTime": w.days_ago(380),
            "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA9633-4", "display": "Present"}]},
            "component": [
                {
                    "code": {"coding": [{"system": LOINC, "code": "48018-6", "display": "Gene studied [ID]"}]},
                    "valueCodeableConcept": {
                        "coding": [
                            {"system": "http://www.genenames.org/geneId", "code": "HGNC:11935", "display": "CD40LG"}
                        ]
                    },
                }
            ],
        },
    )
    if rng.random() < 0.8:
        w.ivig_course(52, round(0.5 * min(90, 3 + age * 3)), rng.choice((420, 650, 800)))
    if rng.random() < 0.6:
        w.medication("MedicationStatement", "sulfamethoxazole 200 MG / trimethoprim 40 MG per 5 ML", 100, "685589")
    if rng.random() < 0.2:
        w.medication("MedicationRequest", "measles, mumps and rubella virus vaccine (MMR)", 2)
