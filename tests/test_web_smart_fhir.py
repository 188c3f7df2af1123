"""The SMART app sends the patient's bearer token only to its FHIR server: a paging link that points
elsewhere is refused before any request goes there (RFC 6750 §5), as the CDS Hooks fetch does."""

from __future__ import annotations

from typing import Any

import pytest

from igcds.fhir.queries import under_base
from igcds.web.smart_fhir import FhirUnavailable, read_patient

BASE = "https://ehr.example/fhir"


class Answer:
    status_code = 200

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def json(self) -> dict[str, Any]:
        return self.body


class Session:
    """Stands for the OAuth2 session that carries the token: records every URL it is asked for."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url
        self.asked: list[str] = []

    def get(self, url: str, **_: Any) -> Answer:
        self.asked.append(url)
        return Answer({"resourceType": "Bundle", "link": [{"relation": "next", "url": self.next_url}], "entry": []})


def test_a_next_link_to_another_host_is_refused_before_the_token_goes_there() -> None:
    session = Session("https://attacker.example/fhir/Condition?page=2")
    with pytest.raises(FhirUnavailable, match="not under its base"):
        read_patient(session, BASE, {"conditions": "Condition?patient=p"})  # type: ignore[arg-type]
    assert session.asked == [f"{BASE}/Condition?patient=p"]


@pytest.mark.parametrize(
    ("url", "under"),
    [
        (f"{BASE}/Condition?page=2", True),
        (BASE, True),
        ("https://ehr.example/fhirx/Condition", False),
        ("http://ehr.example/fhir/Condition", False),
        ("https://ehr.example:8443/fhir/Condition", False),
        ("https://ehr.example.attacker.example/fhir/Condition", False),
        ("https://ehr.example:99999/fhir", False),
    ],
)
def test_under_base_is_same_origin_and_path_prefix(url: str, under: bool) -> None:
    assert under_base(url, BASE) is under
