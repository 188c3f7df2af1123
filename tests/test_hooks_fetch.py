"""Getting the patient's data: the three prefetch states, the FHIR fallback with the bearer token,
the token sent only under the fhirServer base, paging followed (prefetch and fetched) and never
decided on in part, one deadline per call, a byte budget, the fhirServer origins allowed (SSRF)
and one uniform 412 text whatever went wrong with the FHIR server."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from igcds.hooks.fetch import FETCH_FAILED
from igcds.hooks.settings import Limits
from tests.fixtures.hooks import (
    AUTHORIZATION,
    FHIR,
    TOKEN,
    FhirServer,
    example_resources,
    full_prefetch,
    hook_request,
    make_client,
    outcome_text,
    searchset,
)

PATIENT_VIEW = "/cds-services/igcds-patient-view"
UNIFORM_412 = f"the patient's data cannot be obtained: {FETCH_FAILED}"


def _call(tmp_path: Path, fhir: FhirServer | None, request: dict[str, Any], **options: Any) -> httpx.Response:
    with make_client(tmp_path, fhir, **options) as client:
        return client.post(PATIENT_VIEW, json=request)


def test_full_prefetch_needs_no_fhir_server(tmp_path: Path) -> None:
    fhir = FhirServer([])
    resources = example_resources("sigmd-recurrent-sinusitis")
    request = hook_request("patient-view", resources[0]["id"], full_prefetch(resources), fhirServer=FHIR)
    assert _call(tmp_path, fhir, request).status_code == 200
    assert fhir.requests == []


@pytest.mark.parametrize("state", ["missing", "operation-outcome"])
def test_missing_or_failed_prefetch_is_fetched_with_the_bearer_token(tmp_path: Path, state: str) -> None:
    resources = example_resources("higm-aicda-woman-on-scig")
    fhir = FhirServer(resources)
    prefetch = full_prefetch(resources)
    if state == "missing":
        del prefetch["observations"]
    else:
        prefetch["observations"] = {"resourceType": "OperationOutcome", "issue": []}
    request = hook_request("patient-view", "higm-aicda", prefetch, fhirServer=FHIR, fhirAuthorization=AUTHORIZATION)
    answer = _call(tmp_path, fhir, request)
    assert answer.status_code == 200
    assert [r.url.path for r in fhir.requests] == ["/fhir/Observation"]
    assert fhir.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert fhir.requests[0].url.params["patient"] == "higm-aicda"
    # The fetched observations (immunoglobulins, the AICDA variant, the trough) carry the assessment.
    assert any("treatment.igrt-continue" in c.get("detail", "") for c in answer.json()["cards"])


def test_every_missing_key_is_fetched_and_paging_followed(tmp_path: Path) -> None:
    resources = example_resources("higm-aicda-woman-on-scig")
    fhir = FhirServer(resources, pages=2)
    request = hook_request("patient-view", "higm-aicda", None, fhirServer=FHIR, fhirAuthorization=AUTHORIZATION)
    answer = _call(tmp_path, fhir, request)
    assert answer.status_code == 200
    observations = [r for r in fhir.requests if r.url.path == "/fhir/Observation"]
    assert len(observations) > 1  # more than one page
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fhir.requests)
    assert any("treatment.igrt-continue" in c.get("detail", "") for c in answer.json()["cards"])


def test_null_prefetch_means_nothing_found_and_is_not_fetched(tmp_path: Path) -> None:
    fhir = FhirServer([])
    resources = example_resources("sigmd-asymptomatic")
    prefetch = {key: None for key in full_prefetch(resources)} | {"patient": resources[0]}
    request = hook_request("patient-view", "sigmd-observe", prefetch, fhirServer=FHIR)
    assert _call(tmp_path, fhir, request).status_code == 200
    assert fhir.requests == []


# --- paging (issue 11 items 1 and 6) ----------------------------------------------------------------


def _paginated_mmr_call(next_url: str, server: str | None = FHIR) -> dict[str, Any]:
    """The MMR order for the boy with X-linked hyper-IgM, with the observations prefetch on two pages:
    the first holds none of the facts that make the diagnosis."""
    resources = example_resources("higm-cd40lg-boy")
    mmr = next(r for r in resources if r.get("id") == "mmr-order")
    record = [r for r in resources if r is not mmr]
    prefetch = full_prefetch(record)
    prefetch["observations"] = searchset([], next_url)
    drafts = {"resourceType": "Bundle", "entry": [{"resource": mmr}]}
    extra = {"fhirServer": server, "fhirAuthorization": AUTHORIZATION} if server else {}
    return hook_request("order-sign", "higm-boy", prefetch, context={"draftOrders": drafts}, **extra)


def test_a_paginated_prefetch_is_completed_and_the_critical_stop_given(tmp_path: Path) -> None:
    resources = example_resources("higm-cd40lg-boy")
    fhir = FhirServer(resources)
    request = _paginated_mmr_call(f"{FHIR}/Observation?patient=higm-boy&_page=2")
    with make_client(tmp_path, fhir) as client:
        cards = client.post("/cds-services/igcds-order-sign", json=request).json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical"]
    assert [str(r.url) for r in fhir.requests] == [f"{FHIR}/Observation?patient=higm-boy&_page=2"]
    assert fhir.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_a_paginated_prefetch_without_fhir_server_is_412_not_a_partial_answer(tmp_path: Path) -> None:
    request = _paginated_mmr_call(f"{FHIR}/Observation?page=2", server=None)
    with make_client(tmp_path) as client:
        answer = client.post("/cds-services/igcds-order-sign", json=request)
    assert "names no fhirServer" in outcome_text(answer, 412)


@pytest.mark.parametrize(
    "elsewhere",
    ["https://attacker.example.org/fhir/Observation?page=2", "https://ehr.example.org/other/Observation", "http://ehr.example.org/fhir/Observation"],
)  # fmt: skip
def test_the_token_never_leaves_the_fhir_server_base(tmp_path: Path, elsewhere: str) -> None:
    fhir = FhirServer(example_resources("higm-cd40lg-boy"))
    with make_client(tmp_path, fhir) as client:
        answer = client.post("/cds-services/igcds-order-sign", json=_paginated_mmr_call(elsewhere))
        assert outcome_text(answer, 412) == UNIFORM_412
        # A fetched page linking elsewhere is refused too.
        fhir.body = searchset([], elsewhere)
        request = hook_request("patient-view", "p1", None, fhirServer=FHIR, fhirAuthorization=AUTHORIZATION)
        assert outcome_text(client.post(PATIENT_VIEW, json=request), 412) == UNIFORM_412
    assert all(str(r.url).startswith(FHIR + "/") for r in fhir.requests)


# --- faults and limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fhir", "server", "message"),
    [
        (None, None, "names no fhirServer"),
        (FhirServer([], status=500), FHIR, FETCH_FAILED),
        (FhirServer([], fail=True), FHIR, FETCH_FAILED),
        (FhirServer([], body={"resourceType": "Bundle", "link": "x"}), FHIR, FETCH_FAILED),
        (FhirServer([], body={"resourceType": "Bundle", "link": [{"relation": "next", "url": 3}]}), FHIR, FETCH_FAILED),
        (FhirServer([], body=[1, 2]), FHIR, FETCH_FAILED),
        (FhirServer([]), FHIR, "no Patient resource"),
    ],
)  # fmt: skip
def test_data_that_cannot_be_had_is_412(
    tmp_path: Path, fhir: FhirServer | None, server: str | None, message: str
) -> None:
    extra = {"fhirServer": server} if server else {}
    answer = _call(tmp_path, fhir, hook_request("patient-view", "p1", None, **extra))
    assert message in outcome_text(answer, 412)


def test_one_deadline_covers_the_whole_call(tmp_path: Path) -> None:
    """A server dripping a byte every 0.1 s never trips a per-read timeout of 1 s; the call's
    deadline of 0.5 s ends it, for all eight keys together."""
    fhir = FhirServer([], drip=0.1)
    request = hook_request("patient-view", "p1", None, fhirServer=FHIR)
    started = time.monotonic()
    answer = _call(tmp_path, fhir, request, hook_deadline_seconds=0.5, fhir_timeout_seconds=1.0)
    assert outcome_text(answer, 412) == UNIFORM_412
    assert time.monotonic() - started < 2.0
    assert len(fhir.requests) == 8  # every key was asked for at once, not one after another


def test_a_page_over_the_byte_budget_is_412(tmp_path: Path) -> None:
    resources = example_resources("higm-aicda-woman-on-scig")
    request = hook_request("patient-view", "higm-aicda", None, fhirServer=FHIR)
    answer = _call(tmp_path, FhirServer(resources), request, limits=Limits(max_fhir_bytes=2000))
    assert outcome_text(answer, 412) == UNIFORM_412


def test_paging_past_the_page_limit_is_412(tmp_path: Path) -> None:
    resources = example_resources("higm-aicda-woman-on-scig")
    request = hook_request("patient-view", "higm-aicda", None, fhirServer=FHIR)
    answer = _call(tmp_path, FhirServer(resources, pages=1), request, limits=Limits(max_fhir_pages=2))
    assert outcome_text(answer, 412) == UNIFORM_412


# --- SSRF (issue 11 item 2) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "server",
    [
        "http://127.0.0.1:22/fhir",
        "http://localhost:8080/fhir",
        "http://0.0.0.0:8080/fhir",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/fhir",
        "http://192.168.1.1/fhir",
        "http://[::1]:8080/fhir",
        "http://[fe80::1]/fhir",
        "ftp://ehr.example.org/fhir",
        "https://user:secret@ehr.example.org/fhir",
        "not a url",
    ],
)
def test_unlisted_private_addresses_are_never_dialled(tmp_path: Path, server: str) -> None:
    fhir = FhirServer(example_resources("sigmd-asymptomatic"))
    answer = _call(tmp_path, fhir, hook_request("patient-view", "p1", None, fhirServer=server))
    assert outcome_text(answer, 412) == UNIFORM_412
    assert fhir.requests == []


def test_a_listed_loopback_server_is_allowed_in_development(tmp_path: Path) -> None:
    resources = example_resources("sigmd-asymptomatic")
    fhir = FhirServer(resources)
    request = hook_request("patient-view", "sigmd-observe", None, fhirServer="http://127.0.0.1:8081/fhir")
    answer = _call(tmp_path, fhir, request, fhir_origins=frozenset({"http://127.0.0.1:8081"}))
    assert answer.status_code == 200
    assert fhir.requests


def test_a_closed_port_and_a_refused_origin_read_the_same(tmp_path: Path) -> None:
    closed = _call(tmp_path, FhirServer([], fail=True), hook_request("patient-view", "p", None, fhirServer=FHIR))
    refused = _call(tmp_path, FhirServer([]), hook_request("patient-view", "p", None, fhirServer="http://127.0.0.1:9"))
    assert outcome_text(closed, 412) == outcome_text(refused, 412) == UNIFORM_412
