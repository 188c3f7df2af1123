"""Property-based fuzz of every endpoint: whatever JSON arrives, in the envelope, the prefetch, the
draft orders, a fetched FHIR page or the feedback, the answer is never a 500 (issue 11 item 9).
Bounded for CI: a few hundred cases in all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fixtures import builder as b
from tests.fixtures.hooks import FHIR, FhirServer, example_resources, full_prefetch, hook_request, make_client

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(max_size=12)  # includes lone surrogates, which JSON can carry as \\ud800
SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
ENDPOINTS = [
    "/cds-services/igcds-patient-view",
    "/cds-services/igcds-order-select",
    "/cds-services/igcds-order-sign",
    "/cds-services/igcds-order-select/feedback",
]
# FHIR-looking values: the right element names, wrong types and odd contents.
ELEMENT = st.one_of(JSON, st.lists(st.fixed_dictionaries({"system": JSON, "code": JSON, "display": JSON}), max_size=2))
RESOURCE = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Observation", "Condition", "MedicationRequest", "MedicationStatement",
                                      "MedicationAdministration", "Immunization", "AllergyIntolerance", "Patient"])},
    optional={"id": JSON, "status": JSON, "code": st.fixed_dictionaries({}, optional={"coding": ELEMENT, "text": JSON}),
              "medicationCodeableConcept": st.fixed_dictionaries({}, optional={"coding": ELEMENT, "text": JSON}),
              "valueQuantity": JSON, "effectiveDateTime": JSON, "authoredOn": JSON, "subject": JSON,
              "dosageInstruction": JSON, "vaccineCode": JSON, "clinicalStatus": JSON},
)  # fmt: skip
BUNDLE = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle")},
    optional={"entry": st.one_of(JSON, st.lists(st.fixed_dictionaries({"resource": RESOURCE}), max_size=3)),
              "link": st.one_of(JSON, st.lists(st.fixed_dictionaries({"relation": st.just("next"), "url": JSON})))},
)  # fmt: skip


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as client:
        yield client


def _post(client: TestClient, path: str, body: Any) -> None:
    raw = json.dumps(body)  # escapes lone surrogates as \\udXXX, as a client could send them
    answer = client.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), data=JSON)
def test_any_json_body_is_never_a_500(client: TestClient, path: str, data: Any) -> None:
    _post(client, path, data)


PATIENT = b.patient("p1", "male", "2000-01-01")


@FUZZ
@given(hook=st.sampled_from(["order-select", "order-sign"]), drafts=BUNDLE, observations=BUNDLE, resource=RESOURCE)
def test_fhir_shaped_prefetch_and_drafts_are_never_a_500(
    client: TestClient, hook: str, drafts: Any, observations: Any, resource: Any
) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch |= {"patient": PATIENT, "observations": observations, "conditions": resource}
    _post(client, f"/cds-services/igcds-{hook}", hook_request(hook, "p1", prefetch, context={"draftOrders": drafts}))


@pytest.fixture
def fhir_page(tmp_path: Path) -> Iterator[tuple[TestClient, FhirServer]]:
    fhir = FhirServer([])
    with make_client(tmp_path, fhir) as client:
        yield client, fhir


@FUZZ
@given(page=st.one_of(BUNDLE, JSON))
@example(page={"resourceType": "Bundle", "link": [{"relation": "next", "url": "\x1f"}]})  # httpx.InvalidURL was a 500
def test_any_fetched_fhir_page_is_never_a_500(fhir_page: tuple[TestClient, FhirServer], page: Any) -> None:
    client, fhir = fhir_page
    fhir.body = page if page is not None else {}
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = PATIENT
    del prefetch["observations"]
    _post(client, "/cds-services/igcds-patient-view", hook_request("patient-view", "p1", prefetch, fhirServer=FHIR))


FEEDBACK_ENTRY = st.fixed_dictionaries(
    {"card": JSON, "outcome": st.sampled_from(["accepted", "overridden", "x"]), "outcomeTimestamp": JSON},
    optional={"acceptedSuggestions": st.lists(st.fixed_dictionaries({"id": JSON}), max_size=2),
              "overrideReason": st.fixed_dictionaries({}, optional={"reason": JSON, "userComment": JSON})},
)  # fmt: skip


@FUZZ
@given(entries=st.lists(FEEDBACK_ENTRY, max_size=3))
def test_any_feedback_is_never_a_500(client: TestClient, entries: list[Any]) -> None:
    _post(client, "/cds-services/igcds-order-sign/feedback", {"feedback": entries})
