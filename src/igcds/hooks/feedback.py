"""Card feedback (CDS Hooks §Feedback) kept in SQLite: which card, what happened, which suggestion
was taken or which override reason was given, and when. No clinical data: free-text comments are
not stored (only whether one was given), nor anything about the patient. Schema in
docs/cds-hooks.md."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from igcds.hooks.models import Feedback
from igcds.hooks.state import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    service_id TEXT NOT NULL,
    card_uuid TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    accepted_suggestions TEXT,
    override_system TEXT,
    override_code TEXT,
    has_user_comment INTEGER NOT NULL DEFAULT 0,
    outcome_timestamp TEXT NOT NULL,
    client_iss TEXT
);
CREATE INDEX IF NOT EXISTS feedback_card ON feedback (card_uuid);
"""


class FeedbackStore:
    def __init__(self, path: str | Path) -> None:
        self._connection = open_database(path)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.executescript(SCHEMA)

    def record(self, service_id: str, feedback: Feedback, client_iss: str | None) -> int:
        received = datetime.now(UTC).isoformat(timespec="seconds")  # noqa: TID251 - a shell: the receipt time
        rows = [
            (
                received,
                service_id,
                entry.card,
                entry.outcome,
                json.dumps([s.id for s in entry.acceptedSuggestions]) if entry.acceptedSuggestions else None,
                entry.overrideReason.reason.system if entry.overrideReason and entry.overrideReason.reason else None,
                entry.overrideReason.reason.code if entry.overrideReason and entry.overrideReason.reason else None,
                int(bool(entry.overrideReason and entry.overrideReason.userComment)),
                entry.outcomeTimestamp,
                client_iss,
            )
            for entry in feedback.feedback
        ]
        with self._lock:
            self._connection.execute("BEGIN")
            try:
                self._connection.executemany(
                    "INSERT INTO feedback (received_at, service_id, card_uuid, outcome, accepted_suggestions, "
                    "override_system, override_code, has_user_comment, outcome_timestamp, client_iss) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
        return len(rows)

    def rows(self) -> list[dict[str, object]]:
        with self._lock:
            cursor = self._connection.execute("SELECT * FROM feedback ORDER BY id")
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
