"""The services igcds offers (discovery) and the prefetch each needs: everything DESIGN.md §6 reads
about one patient, as FHIR queries within the CDS Hooks prefetch restrictions (instance reads,
reference and token parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from igcds.fhir.queries import PREFETCH_PATIENT, patient_queries
from igcds.knowledge.loader import KnowledgeBase
from igcds.version import __version__


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hook: str
    title: str
    description: str


SERVICES = {
    s.id: s
    for s in (
        Service(
            "igcds-patient-view",
            "patient-view",
            "Immunoglobulin replacement plan (selective IgM deficiency, hyper-IgM)",
            "Working diagnosis, missing work-up, the treatment choice and dose, safety warnings "
            "(live vaccines, thrombosis, renal risk, Pneumocystis and Cryptosporidium) and monitoring, "
            "each with its reason for this patient and its citations. Supports, and does not replace, "
            "clinical judgement.",
        ),
        Service(
            "igcds-order-select",
            "order-select",
            "Immunoglobulin and vaccine order check (while ordering)",
            "Checks draft immune globulin orders against the computed dose and regimen, and draft "
            "vaccine orders against live-vaccine contraindications and the interval after immune "
            "globulin.",
        ),
        Service(
            "igcds-order-sign",
            "order-sign",
            "Immunoglobulin and vaccine order check (at signing)",
            "Before signing: a live vaccine for a patient with hyper-IgM or on immunoglobulin "
            "replacement is a critical stop with a suggestion to delete the order; an immune globulin "
            "dose outside the regimen or far from the computed dose gets a suggested corrected order.",
        ),
    )
}


def prefetch_templates(kb: KnowledgeBase) -> dict[str, str]:
    """One key per query; the reader tolerates anything extra the EHR returns."""
    return patient_queries(kb, PREFETCH_PATIENT)


def discovery(kb: KnowledgeBase) -> dict[str, Any]:
    prefetch = prefetch_templates(kb)
    return {
        "services": [
            {
                "hook": service.hook,
                "id": service.id,
                "title": service.title,
                "description": service.description,
                "prefetch": prefetch,
                "usageRequirements": (
                    "Needs the prefetch above or a FHIR server with an access token; without the data the "
                    f"service answers 412. igcds {__version__}, knowledge base {kb.version}."
                ),
            }
            for service in SERVICES.values()
        ]
    }
