"""A population run's outputs as the worklist reads them: the rows of worklist.csv (read once per
version of the file, however many requests), the filters and sort order, and each patient's line
of assessments.ndjson found through an index of byte offsets (built once: the file can hold a
million patients)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from igcds.domain.assessment import PRIORITY_ORDER

SORTS = ("priority", "due_date", "patient", "code", "diagnosis")
COLUMNS = ("patient", "diagnosis", "code", "recommendation_id", "priority", "due_date", "action", "reason", "citations")
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Filters:
    priority: str
    code: str
    due_by: str
    sort: str
    descending: bool
    page: int

    @classmethod
    def of(cls, query: Any) -> Filters:
        sort = str(query.get("sort") or "priority")
        page = str(query.get("page") or "1")
        return cls(
            priority=str(query.get("priority") or "") if query.get("priority") in PRIORITY_ORDER else "",
            code=str(query.get("code") or ""),
            due_by=str(query.get("due_by") or ""),
            sort=sort if sort in SORTS else "priority",
            descending=query.get("order") == "desc",
            page=max(1, int(page)) if page.isdigit() else 1,
        )

    def keep(self, row: dict[str, str]) -> bool:
        return (
            (not self.priority or row["priority"] == self.priority)
            and (not self.code or row["code"] == self.code)
            and (not self.due_by or row["due_date"] <= self.due_by)
        )

    def key(self, row: dict[str, str]) -> tuple[Any, ...]:
        rank = PRIORITY_ORDER.get(row["priority"], len(PRIORITY_ORDER))
        first = rank if self.sort == "priority" else row[self.sort]
        return (first, rank, row["due_date"], row["patient"], row["code"])

    def query(self, **changes: Any) -> str:
        """This view's query string with `changes` (filters kept; back to page 1 unless given)."""
        values = {
            "priority": self.priority,
            "code": self.code,
            "due_by": self.due_by,
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
            "page": 1,
        }
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def sort_link(self, sort: str) -> str:
        """Sorting by `sort`; a second click on the same column reverses it."""
        return self.query(sort=sort, order="desc" if sort == self.sort and not self.descending else "asc")


@dataclass
class PopulationRun:
    folder: Path
    secret: bytes
    _version: tuple[int, int] | None = None
    _rows: list[dict[str, str]] = field(default_factory=list)
    _patients: dict[str, str] = field(default_factory=dict)
    _offsets: dict[str, int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def present(self) -> bool:
        return (self.folder / "worklist.csv").is_file()

    def rows(self) -> list[dict[str, str]]:
        path = self.folder / "worklist.csv"
        stat = path.stat()
        with self._lock:
            if self._version != (stat.st_mtime_ns, stat.st_size):
                with path.open(encoding="utf-8", newline="") as handle:
                    self._rows = [{name: row.get(name) or "" for name in COLUMNS} for row in csv.DictReader(handle)]
                self._patients = {self.key(row["patient"]): row["patient"] for row in self._rows}
                self._offsets = None
                self._version = (stat.st_mtime_ns, stat.st_size)
            return self._rows

    def key(self, patient: str) -> str:
        """An opaque link key for the patient (an HMAC of the id; the server's secret is new at each start)."""
        return hmac.new(self.secret, patient.encode(), hashlib.sha256).hexdigest()[:24]

    def patient_of(self, key: str) -> str | None:
        self.rows()
        return self._patients.get(key)

    def assessment(self, patient: str) -> dict[str, Any] | None:
        path = self.folder / "assessments.ndjson"
        with self._lock:
            if self._offsets is None:
                self._offsets = _index(path)
            offset = self._offsets.get(patient)
        if offset is None:
            return None
        with path.open("rb") as handle:
            handle.seek(offset)
            found: dict[str, Any] = json.loads(handle.readline())
        return found

    def summary(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.folder / "summary.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}


def _index(path: Path) -> dict[str, int]:
    offsets: dict[str, int] = {}
    with path.open("rb") as handle:
        offset = 0
        for line in handle:
            if line.strip():
                patient = json.loads(line).get("patient", {}).get("id")
                if isinstance(patient, str):
                    offsets[patient] = offset
            offset += len(line)
    return offsets
