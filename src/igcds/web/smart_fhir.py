"""The SMART app's reads from the EHR's FHIR server: the CDS Hooks prefetch queries
(`igcds.fhir.queries.patient_queries`) for the patient in context, each searchset followed to its end,
gathered into one Bundle for the FHIR reader."""

from __future__ import annotations

from typing import Any

import requests

from igcds.fhir.queries import under_base

MAX_PAGES = 20
TIMEOUT_SECONDS = 10.0
RESOURCE_TYPES = (
    "Patient",
    "Observation",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "Immunization",
    "AllergyIntolerance",
)


class FhirUnavailable(Exception):
    """The EHR's FHIR server did not give the patient's data; the message says what failed."""


def scopes(standalone: bool) -> str:
    """SMART v2 read-and-search scopes for exactly what igcds reads, and the launch context."""
    context = "launch/patient" if standalone else "launch"
    return " ".join([context, *(f"patient/{kind}.rs" for kind in RESOURCE_TYPES)])


def _resources(body: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        raise FhirUnavailable(f"the FHIR server's answer for {key} is not a FHIR resource")
    if body["resourceType"] != "Bundle":
        return [body]
    return [
        e["resource"] for e in body.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def read_patient(client: requests.Session, base: str, queries: dict[str, str]) -> dict[str, Any]:
    """A collection Bundle of everything the queries return (the token is on the client)."""
    resources: list[dict[str, Any]] = []
    for key, query in queries.items():
        url: str | None = f"{base.rstrip('/')}/{query}"
        for _ in range(MAX_PAGES):
            if url is None:
                break
            if not under_base(url, base):  # a paging link elsewhere never gets the patient's token
                raise FhirUnavailable(f"the FHIR server's next page for {key} is not under its base")
            try:
                response = client.get(url, headers={"Accept": "application/fhir+json"}, timeout=TIMEOUT_SECONDS)
            except requests.RequestException as error:
                raise FhirUnavailable(
                    f"the FHIR server could not be reached for {key} ({type(error).__name__})"
                ) from None
            if response.status_code != 200:
                raise FhirUnavailable(f"the FHIR server answered {response.status_code} for {key}")
            try:
                body = response.json()
            except ValueError:
                raise FhirUnavailable(f"the FHIR server's answer for {key} is not JSON") from None
            resources += _resources(body, key)
            links = body.get("link") or [] if isinstance(body, dict) else []
            url = next(
                (link.get("url") for link in links if isinstance(link, dict) and link.get("relation") == "next"), None
            )
        else:
            raise FhirUnavailable(f"the FHIR server's paging for {key} went past {MAX_PAGES} pages")
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    unnamed = []
    for resource in resources:
        if resource.get("id"):
            unique[(str(resource["resourceType"]), str(resource["id"]))] = resource
        else:
            unnamed.append(resource)
    entries = [{"resource": r} for r in [*unique.values(), *unnamed]]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
