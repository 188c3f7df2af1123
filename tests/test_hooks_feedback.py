"""Card feedback (CDS Hooks §Feedback): stored without clinical text, invariants cds-fb-1..3 as
400s, and the state database kept out of the working folder by default."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from igcds.hooks.settings import Settings
from igcds.hooks.state import default_state_path
from tests.conftest import ROOT
from tests.fixtures.hooks import make_client, outcome_text


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as client:
        yield client


def test_feedback_is_stored_without_clinical_text(client: TestClient, tmp_path: Path) -> None:
    feedback = {
        "feedback": [
            {
                "card": "card-1",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "sug-1"}],
                "outcomeTimestamp": "2026-11-23T10:00:00Z",
            },
            {
                "card": "card-2",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "system": "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes",
                        "code": "patient-refuses",
                    },
                    "userComment": "mother declines, see note about her son",
                },
                "outcomeTimestamp": "2026-11-23T10:01:00Z",
            },
        ]
    }
    answer = client.post("/cds-services/igcds-patient-view/feedback", json=feedback)
    assert answer.json() == {"stored": 2}
    database = sqlite3.connect(tmp_path / "feedback.sqlite")
    rows = database.execute(
        "SELECT card_uuid, outcome, accepted_suggestions, override_code, has_user_comment FROM feedback ORDER BY id"
    ).fetchall()
    assert rows == [("card-1", "accepted", '["sug-1"]', None, 0), ("card-2", "overridden", None, "patient-refuses", 1)]
    assert "mother" not in "\n".join(database.iterdump())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"card": "c", "outcome": "accepted", "outcomeTimestamp": "t"}, "acceptedSuggestions"),  # cds-fb-2
        ({"card": "c", "outcome": "overridden", "overrideReason": {}, "outcomeTimestamp": "t"}, "reason"),  # cds-fb-3
        ({"card": "c", "outcome": "ignored", "outcomeTimestamp": "t"}, "outcome"),  # cds-fb-1
        ({"card": ["c"], "outcome": "accepted", "outcomeTimestamp": "t"}, "card"),
    ],
)
def test_feedback_invariants(client: TestClient, entry: dict[str, Any], message: str) -> None:
    answer = client.post("/cds-services/igcds-order-sign/feedback", json={"feedback": [entry]})
    assert message in outcome_text(answer, 400)


def test_the_state_database_defaults_to_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert Path(Settings().feedback_db) == tmp_path / "data" / "igcds" / "igcds-service.sqlite"
    assert not default_state_path().is_relative_to(Path.cwd())
    assert "*.sqlite" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
