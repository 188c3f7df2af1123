"""Token ids (`jti`) already used, kept in the shared state database until their token expires, so a
token replayed to another worker process is refused too (CDS Hooks 2.0: the service checks `jti`
against the ones it has seen)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from igcds.hooks.state import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_token (
    issuer_jti TEXT PRIMARY KEY,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_token_expires ON seen_token (expires);
"""


class ReplayGuard:
    def __init__(self, path: str | Path) -> None:
        self._connection = open_database(path)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.executescript(SCHEMA)

    def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        """True the first time this issuer's `jti` is seen (the row is the claim: an INSERT that
        another worker already made fails)."""
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.execute("DELETE FROM seen_token WHERE expires < ?", (now,))
                self._connection.execute(
                    "INSERT INTO seen_token (issuer_jti, expires) VALUES (?, ?)", (f"{issuer} {jti}", expires)
                )
                self._connection.execute("COMMIT")
                return True
            except sqlite3.IntegrityError:
                self._connection.execute("ROLLBACK")
                return False
