"""The cards igcds sends: every response invariant (CDS Hooks 2.0 cds-resp-1..7) on every example
patient, critical kept for safety stops, the suggestions (create a TMP-SMX order, delete a live
vaccine order, update an immune globulin dose) and the unreadable-record card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from igcds.hooks.models import Card
from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT
from tests.fixtures import builder as b
from tests.fixtures.hooks import example_resources, full_prefetch, hook_request, make_client

EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.json"))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as client:
        yield client


def _no_nulls(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v is not None and _no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls(v) for v in value)
    return True


@pytest.mark.parametrize("example", EXAMPLES)
def test_patient_view_cards_keep_every_card_invariant(client: TestClient, example: str) -> None:
    resources = example_resources(example)
    patient_id = resources[0]["id"]
    answer = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", patient_id, full_prefetch(resources))
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"cards"}
    assert _no_nulls(body), "optional keys are left out, never null"
    uuids = []
    for raw in body["cards"]:
        card = Card.model_validate(raw)  # uuid, summary < 140, indicator, source, cds-resp-1..6
        uuids.append(card.uuid)
        assert len(card.summary) < 140
        assert card.source.label.startswith("igcds")
        assert card.detail
        assert "does not replace, clinical judgement" in card.detail
        for suggestion in card.suggestions or []:
            assert card.selectionBehavior in {"at-most-one", "any"}  # cds-resp-6
            for action in suggestion.actions:
                assert action.description  # cds-resp-5
                if action.type == "delete":
                    assert action.resourceId
                    assert action.resource is None
                else:
                    assert action.resource
                    assert action.resource.get("resourceType")
        if card.selectionBehavior == "at-most-one":
            assert sum(bool(s.isRecommended) for s in card.suggestions or []) <= 1  # cds-resp-1
        assert all(reason.display for reason in card.overrideReasons or [])  # cds-resp-4
    assert len(set(uuids)) == len(uuids)


def test_critical_is_kept_for_safety_stops(client: TestClient) -> None:
    """The boy with X-linked hyper-IgM: starting IgRT is critical in igcds, but a card is critical
    only for a patient-safety stop; here none (no live-vaccine order in the record)."""
    resources = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    body = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "higm-boy", full_prefetch(resources))
    ).json()
    assert body["cards"]
    assert {c["indicator"] for c in body["cards"]} <= {"info", "warning"}


def test_a_critical_safety_stop_declared_in_the_knowledge_base_is_a_critical_card(client: TestClient) -> None:
    """After anaphylaxis with anti-IgA antibodies no product can be planned (IGRT-RXN-03, declared
    `safety_stop`): a critical card; the other critical reaction advice stays a warning."""
    resources = example_resources("higm-anaphylaxis-anti-iga")
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    body = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", patient, full_prefetch(resources))
    ).json()
    by_summary = {c["summary"]: c["indicator"] for c in body["cards"]}
    critical = [summary for summary, indicator in by_summary.items() if indicator == "critical"]
    assert len(critical) == 1
    assert "product" in critical[0].lower()


def test_pneumocystis_prophylaxis_missing_suggests_a_tmp_smx_order(client: TestClient) -> None:
    resources = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    body = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "higm-boy", full_prefetch(resources))
    ).json()
    card = next(c for c in body["cards"] if c["summary"] == "igcds: Start Pneumocystis prophylaxis")
    action = card["suggestions"][0]["actions"][0]
    assert action["type"] == "create"
    order = action["resource"]
    assert (order["resourceType"], order["status"], order["subject"]) == (
        "MedicationRequest",
        "draft",
        {"reference": "Patient/higm-boy"},
    )
    assert "150 mg/m2" in order["dosageInstruction"][0]["text"]  # a 3-year-old: the child regimen
    assert card["selectionBehavior"] == "at-most-one"


def _mmr_call() -> dict[str, Any]:
    resources = example_resources("higm-cd40lg-boy")
    mmr = next(r for r in resources if r.get("id") == "mmr-order")
    record = [r for r in resources if r is not mmr]
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": mmr}]}
    return hook_request("order-sign", "higm-boy", full_prefetch(record), context={"draftOrders": drafts})


def test_order_sign_mmr_for_hyper_igm_is_a_critical_stop_with_a_delete(client: TestClient) -> None:
    body = client.post("/cds-services/igcds-order-sign", json=_mmr_call()).json()
    assert len(body["cards"]) == 1
    card = body["cards"][0]
    assert card["indicator"] == "critical"
    assert card["selectionBehavior"] == "at-most-one"
    assert card["suggestions"][0]["actions"] == [
        {
            "type": "delete",
            "description": "Delete the draft order MedicationRequest/mmr-order",
            "resourceId": "MedicationRequest/mmr-order",
        }
    ]


def test_a_draft_the_prefetch_also_returned_is_judged_once_as_a_draft(client: TestClient) -> None:
    """EHRs may return the draft in the MedicationRequest search too: one stop, for the draft."""
    request = _mmr_call()
    mmr = request["context"]["draftOrders"]["entry"][0]["resource"]
    request["prefetch"]["medicationRequests"]["entry"].append({"resource": mmr})
    cards = client.post("/cds-services/igcds-order-sign", json=request).json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical"]


def _ivig_draft(grams: float) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-ivig-1",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": "Immune globulin (human) 10% IV"},
        "subject": {"reference": "Patient/higm-boy"},
        "dosageInstruction": [
            {
                "doseAndRate": [
                    {"doseQuantity": {"value": grams, "unit": "g", "system": "http://unitsofmeasure.org", "code": "g"}}
                ]
            }
        ],
    }


@pytest.mark.parametrize(("grams", "card_expected"), [(20, True), (6, False), (5.5, False), (4, True)])
def test_order_sign_checks_a_draft_immune_globulin_dose(client: TestClient, grams: float, card_expected: bool) -> None:
    """The 14.2 kg boy: igcds computes 400 mg/kg = 5.68 g, dispensed as 6 g. 20 g (1408 mg/kg) is
    above the ceiling; 4 g is 33% below; 5.5 and 6 g are within the 10% tolerance."""
    record = [r for r in example_resources("higm-cd40lg-boy") if r.get("id") != "mmr-order"]
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": _ivig_draft(grams)}]}
    request = hook_request("order-sign", "higm-boy", full_prefetch(record), context={"draftOrders": drafts})
    cards = client.post("/cds-services/igcds-order-sign", json=request).json()["cards"]
    assert bool(cards) is card_expected
    if card_expected:
        action = cards[0]["suggestions"][0]["actions"][0]
        assert action["type"] == "update"
        assert action["resource"]["id"] == "draft-ivig-1"
        assert action["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 6
        assert action["resource"]["medicationCodeableConcept"] == _ivig_draft(grams)["medicationCodeableConcept"]
        assert cards[0]["indicator"] == "warning"


def test_an_unreadable_record_gets_a_card_that_says_so(client: TestClient) -> None:
    resources = example_resources("sigmd-asymptomatic")
    resources.append(b.weight("w-bad", 11, "2026-01-01", unit="stone"))
    answer = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "sigmd-observe", full_prefetch(resources))
    )
    cards = answer.json()["cards"]
    assert answer.status_code == 200
    assert cards[0]["summary"] == "igcds could not read this record, so it gives no advice"
    assert "Observation/w-bad" in cards[0]["detail"]


@pytest.mark.parametrize(
    "draft",
    [
        {"resourceType": "MedicationRequest", "id": "d1", "status": "draft",
         "medicationCodeableConcept": {"text": "immune globulin 10%"},
         "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "stone"}}]}]},
        {"resourceType": "MedicationRequest", "status": "draft", "authoredOn": "2026-13-45",
         "medicationCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "03"}]}},
        {"resourceType": "MedicationRequest", "id": "d3", "status": "draft",
         "medicationCodeableConcept": {"coding": 7, "text": ["MMR"]}},
    ],
)  # fmt: skip
def test_unreadable_draft_orders_get_a_card_not_a_500(client: TestClient, draft: dict[str, Any]) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    drafts = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}]}
    answer = client.post(
        "/cds-services/igcds-order-sign",
        json=hook_request("order-sign", "p1", prefetch, context={"draftOrders": drafts}),
    )
    assert answer.status_code == 200
    assert answer.json()["cards"][0]["summary"] == "igcds could not read this record, so it gives no advice"


def test_a_draft_without_resource_type_is_passed_over(client: TestClient) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    drafts = {"resourceType": "Bundle", "entry": [{"resource": {"id": "x", "status": "draft"}}, {}]}
    answer = client.post(
        "/cds-services/igcds-order-sign",
        json=hook_request("order-sign", "p1", prefetch, context={"draftOrders": drafts}),
    )
    assert answer.status_code == 200
    assert answer.json() == {"cards": []}


@pytest.mark.parametrize(
    ("changed", "where"),
    [
        ({"patient": {"resourceType": "Patient", "id": "p1", "gender": ["male"]}}, "Patient/p1"),
        (
            {"conditions": {"resourceType": "Condition", "id": "c1", "code": {"coding": 7}, "subject": {}}},
            "Condition/c1",
        ),
    ],
)
def test_a_record_element_of_the_wrong_json_type_is_named_on_the_card(
    client: TestClient, changed: dict[str, Any], where: str
) -> None:
    prefetch = {key: None for key in full_prefetch(example_resources("sigmd-asymptomatic"))}
    prefetch["patient"] = b.patient("p1", "male", "2000-01-01")
    answer = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", "p1", prefetch | changed)
    )
    card = answer.json()["cards"][0]
    assert card["summary"] == "igcds could not read this record, so it gives no advice"
    assert where in card["detail"]


# --- the SMART link to the igcds report (issue 14 item 3) ----------------------------------------------

PUBLIC = "https://igcds.example.org"
LAUNCH = f"{PUBLIC}/smart/launch"
REPORT_LINK = {"label": "Open the igcds report", "url": LAUNCH, "type": "smart"}


def _patient_view(client: TestClient, example: str, **headers: str) -> list[dict[str, Any]]:
    resources = [r for r in example_resources(example) if r.get("id") != "mmr-order"]
    request = hook_request("patient-view", resources[0]["id"], full_prefetch(resources))
    answer = client.post("/cds-services/igcds-patient-view", json=request, headers=headers)
    assert answer.status_code == 200
    cards: list[dict[str, Any]] = answer.json()["cards"]
    return cards


@pytest.mark.parametrize("example", EXAMPLES)
def test_with_a_public_url_every_card_links_to_the_report_and_is_short(
    tmp_path: Path, kb: KnowledgeBase, example: str
) -> None:
    with make_client(tmp_path / "linked", public_base_url=PUBLIC) as linked:
        short = _patient_view(linked, example)
    with make_client(tmp_path / "plain") as plain:
        whole = _patient_view(plain, example)
    assert [c["summary"] for c in short] == [c["summary"] for c in whole]
    for card, full in zip(short, whole, strict=True):
        Card.model_validate(card)  # cds-resp-1..6, summary < 140
        assert card["links"] == [REPORT_LINK]  # a smart link: the EHR appends iss and launch
        assert "links" not in full
        assert len(card["detail"]) < len(full["detail"])
        assert "<http" not in card["detail"], "references are behind the link, sources as ids only"
        assert card["detail"].endswith(f"_{kb.disclaimer}_")
        labels = [[s["label"] for s in c.get("suggestions", [])] for c in (card, full)]
        assert (card["indicator"], labels[0]) == (full["indicator"], labels[1])


def test_a_short_card_keeps_the_action_the_reason_the_dose_and_the_source_ids(tmp_path: Path) -> None:
    """The boy with X-linked hyper-IgM: starting IgRT is one card with one dose line, the 6 g dose."""
    with make_client(tmp_path, public_base_url=PUBLIC) as client:
        cards = _patient_view(client, "higm-cd40lg-boy")
    card = next(c for c in cards if c["source"]["topic"]["code"] == "treatment.igrt-start")
    detail = card["detail"]
    assert detail.startswith("Start immunoglobulin replacement now")
    assert "**Why, for this patient:** Hyper-IgM syndrome (CD40LG)" in detail
    assert detail.count("**Dose:**") == 1
    assert "**Dose:** IV 6 g every 4 weeks (400 mg/kg, no product chosen), dosing weight 14.2 kg (actual)." in detail
    assert "genereviews-higm1" in detail
    assert "IV rate steps" not in detail  # the whole plan is in the report
    routine = cards[-1]
    assert routine["indicator"] == "info"
    assert routine["links"] == [REPORT_LINK]
    assert "(`monitor.growth`)" in routine["detail"]  # every routine recommendation is still named


def test_order_sign_stop_links_to_the_report(tmp_path: Path) -> None:
    with make_client(tmp_path, public_base_url=PUBLIC) as client:
        card = client.post("/cds-services/igcds-order-sign", json=_mmr_call()).json()["cards"][0]
    assert (card["indicator"], card["links"]) == ("critical", [REPORT_LINK])
    assert card["suggestions"][0]["actions"][0]["resourceId"] == "MedicationRequest/mmr-order"


def test_the_link_comes_from_settings_never_from_the_host_header(tmp_path: Path) -> None:
    """Issue 11 item 4: the Host header is the caller's to choose, so it never makes a URL."""
    with make_client(tmp_path / "a", public_base_url=PUBLIC) as client:
        cards = _patient_view(client, "sigmd-asymptomatic", host="evil.example")
    assert {link["url"] for c in cards for link in c["links"]} == {LAUNCH}
    with make_client(tmp_path / "b") as client:  # development mode, no public URL, no listen address
        cards = _patient_view(client, "sigmd-asymptomatic", host="evil.example")
    assert cards
    assert all("links" not in c for c in cards)


def test_the_linked_launch_url_is_the_web_apps_smart_launch(tmp_path: Path) -> None:
    with make_client(tmp_path, public_base_url="http://testserver") as client:
        url = _patient_view(client, "sigmd-asymptomatic")[0]["links"][0]["url"]
        assert url == "http://testserver/smart/launch"
        launch = client.get(url, follow_redirects=False)  # no iss: the app's own launch page answers
    assert launch.status_code == 400
    assert "names no FHIR server" in launch.text
