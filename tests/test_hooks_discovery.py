"""Discovery (CDS Hooks 2.0 §Discovery), the prefetch templates within the spec's query
restrictions, and the example requests the docs post with curl."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from igcds.hooks import handlers, services
from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT
from tests.fixtures.hooks import make_client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as client:
        yield client


def test_discovery_lists_the_three_services_with_prefetch(client: TestClient, kb: KnowledgeBase) -> None:
    found = client.get("/cds-services")
    assert found.status_code == 200
    listed = {s["id"]: s for s in found.json()["services"]}
    assert {s["hook"] for s in listed.values()} == {"patient-view", "order-select", "order-sign"}
    for service in listed.values():
        assert service["title"]
        assert service["description"]
        assert service["prefetch"] == services.prefetch_templates(kb)


def test_every_service_has_an_answer() -> None:
    assert {service.hook for service in services.SERVICES.values()} == set(handlers.HOOKS)


def test_prefetch_templates_keep_to_the_query_restrictions(kb: KnowledgeBase) -> None:
    """Instance reads and type searches with reference and token parameters only."""
    for template in services.prefetch_templates(kb).values():
        kind, _, query = template.partition("?")
        assert "{{context.patientId}}" in template
        for parameter in filter(None, query.split("&")):
            assert parameter.split("=")[0] in {"patient", "code"}, template
        assert kind.split("/")[0][0].isupper()


@pytest.mark.parametrize("name", ["patient-view-request", "order-sign-mmr-request"])
def test_documented_example_requests_are_answered(client: TestClient, name: str) -> None:
    """The request files the README's curl example posts."""
    body = json.loads((ROOT / "examples" / "cds-hooks" / f"{name}.json").read_text(encoding="utf-8"))
    service = "igcds-patient-view" if body["hook"] == "patient-view" else "igcds-order-sign"
    cards = client.post(f"/cds-services/{service}", json=body).json()["cards"]
    assert cards
    if body["hook"] == "order-sign":
        assert cards[0]["indicator"] == "critical"


def test_the_documented_settings_load(tmp_path: Path) -> None:
    """The TOML example of docs/cds-hooks.md is a valid settings file, every key as documented."""
    from igcds.hooks import settings as service_settings

    docs = (ROOT / "docs" / "cds-hooks.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "service.toml"
    config.write_text(example, encoding="utf-8")
    loaded = service_settings.load(config, insecure_dev=False)
    client = loaded.trusted_clients["https://ehr.example.org"]
    assert client.fhir_origins == {"https://ehr.example.org:443"}
    assert client.keys.url == "https://ehr.example.org/.well-known/jwks.json"
    assert loaded.limits.max_feedback_entries == 100
    assert loaded.hook_deadline_seconds == 2
    assert loaded.policy_overrides["trough_target_mg_dl"] == 700


def test_a_bad_policy_value_fails_when_the_settings_load(tmp_path: Path) -> None:
    from igcds.domain.errors import InputError
    from igcds.hooks import settings as service_settings

    config = tmp_path / "service.toml"
    config.write_text("[policy]\ntrough_target_mg_dl = -5\n", encoding="utf-8")
    with pytest.raises(InputError, match="trough_target_mg_dl"):
        service_settings.load(config, insecure_dev=True)
