"""Discovery (CDS Hooks 2.0 §Discovery), the prefetch templates within the spec's query
restrictions, the example requests the docs post with curl, and the settings file (the cards' SMART
launch URL among them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"smart_launch_url": "https://apps.example.org/igcds/launch"}, "https://apps.example.org/igcds/launch"),
        ({"public_base_url": "https://igcds.example.org/"}, "https://igcds.example.org/smart/launch"),
        ({"insecure_dev": True, "listen": ("127.0.0.1", 8080)}, "http://127.0.0.1:8080/smart/launch"),
        ({"insecure_dev": True, "listen": ("::1", 8080)}, "http://[::1]:8080/smart/launch"),
        ({"insecure_dev": True, "listen": ("0.0.0.0", 8080)}, None),  # noqa: S104 - which name? unknown
        ({"insecure_dev": True, "listen": ("10.1.2.3", 8080)}, None),
        ({"insecure_dev": False, "listen": ("127.0.0.1", 8080)}, None),
        ({"insecure_dev": True}, None),
    ],
)
def test_the_cards_launch_url_comes_from_settings(options: dict[str, Any], expected: str | None) -> None:
    """Configured, or the loopback address igcds listens on in development mode; otherwise no link."""
    from igcds.hooks.settings import Settings

    settings = Settings(**options)
    settings.check()
    assert settings.launch_url() == expected


@pytest.mark.parametrize(
    ("line", "insecure_dev", "message"),
    [
        ('smart_launch_url = "http://igcds.example.org/smart/launch"', False, "smart_launch_url: https is required"),
        ('smart_launch_url = "https://igcds.example.org/launch?x=1"', False, "smart_launch_url: not an absolute"),
        ('smart_launch_url = "/smart/launch"', True, "smart_launch_url: not an absolute"),
        ('public_base_url = "igcds.example.org"', True, "public_base_url: not an absolute"),
    ],
)
def test_a_launch_url_that_cannot_be_linked_fails_when_the_settings_load(
    tmp_path: Path, line: str, insecure_dev: bool, message: str
) -> None:
    from igcds.domain.errors import InputError
    from igcds.hooks import settings as service_settings

    config = tmp_path / "service.toml"
    config.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        service_settings.load(config, insecure_dev=insecure_dev)


def test_http_launch_url_is_accepted_in_development_mode(tmp_path: Path) -> None:
    from igcds.hooks import settings as service_settings

    config = tmp_path / "service.toml"
    config.write_text('smart_launch_url = "http://192.168.1.5:8080/smart/launch"\n', encoding="utf-8")
    loaded = service_settings.load(config, insecure_dev=True)
    assert loaded.launch_url() == "http://192.168.1.5:8080/smart/launch"
