"""/worklist: the actions a population run found (`igcds population --out DIR`: worklist.csv and
assessments.ndjson), filtered by priority, code and due date, sorted, with each patient's report
(the HTML `igcds assess` writes, from the run's stored assessment) one link away. Links carry an
opaque key, never the patient id."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from igcds.domain.assessment import PRIORITY_ORDER
from igcds.web.app import Web
from igcds.web.report_page import REPORT_KEY, rendered, with_toolbar
from igcds.web.stored_assessment import NotAnAssessment, from_contract

SORTS = ("priority", "due_date", "patient", "code", "diagnosis")
COLUMNS = ("patient", "diagnosis", "code", "priority", "due_date", "action", "reason")


@dataclass(frozen=True, slots=True)
class Filters:
    priority: str
    code: str
    due_by: str
    sort: str
    descending: bool

    @classmethod
    def of(cls, query: Any) -> Filters:
        sort = str(query.get("sort") or "priority")
        return cls(
            priority=str(query.get("priority") or "") if query.get("priority") in PRIORITY_ORDER else "",
            code=str(query.get("code") or ""),
            due_by=str(query.get("due_by") or ""),
            sort=sort if sort in SORTS else "priority",
            descending=query.get("order") == "desc",
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

    def link(self, sort: str) -> str:
        """The query for sorting by `sort` (a second click reverses it), filters kept."""
        descending = sort == self.sort and not self.descending
        parts = {"priority": self.priority, "code": self.code, "due_by": self.due_by, "sort": sort}
        query = "&".join(f"{k}={v}" for k, v in parts.items() if v)
        return f"?{query}&order={'desc' if descending else 'asc'}"


def patient_key(secret: bytes, patient: str) -> str:
    return hmac.new(secret, patient.encode(), hashlib.sha256).hexdigest()[:24]


def read_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "worklist.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {name: row.get(name) or "" for name in (*COLUMNS, "recommendation_id", "citations")}
            for row in csv.DictReader(handle)
        ]


def find_assessment(folder: Path, patient: str) -> dict[str, Any] | None:
    """The patient's line of assessments.ndjson (read line by line: the file can be large)."""
    marker = json.dumps(patient)
    with (folder / "assessments.ndjson").open(encoding="utf-8") as handle:
        for line in handle:
            if marker in line:
                found = json.loads(line)
                if found.get("patient", {}).get("id") == patient:
                    return dict(found)
    return None


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    folder = web.settings.worklist_dir

    def unavailable(request: Request) -> Response:
        return web.page(
            request,
            "message.html.j2",
            status=404,
            heading="Worklist",
            message="No population run is configured on this server: set worklist_dir (docs/web.md).",
            back="/",
            back_label="Home",
        )

    @routes.get("/worklist")
    def worklist(request: Request) -> Response:
        if folder is None or not (folder / "worklist.csv").is_file():
            return unavailable(request)
        rows = read_rows(folder)
        filters = Filters.of(request.query_params)
        shown = sorted((row for row in rows if filters.keep(row)), key=filters.key, reverse=filters.descending)
        return web.page(
            request,
            "worklist.html.j2",
            rows=shown,
            total=len(rows),
            filters=filters,
            codes=sorted({row["code"] for row in rows}),
            priorities=list(PRIORITY_ORDER),
            key=lambda patient: patient_key(web.settings.secret, patient),
            summary=_summary(folder),
        )

    @routes.get("/worklist/patients/{key}")
    def patient(key: str, request: Request) -> Response:
        if folder is None or not (folder / "worklist.csv").is_file():
            return unavailable(request)
        wanted = next(
            (row["patient"] for row in read_rows(folder) if patient_key(web.settings.secret, row["patient"]) == key),
            None,
        )
        found = find_assessment(folder, wanted) if wanted is not None else None
        if found is None:
            return web.page(
                request,
                "message.html.j2",
                status=404,
                heading="Patient not found",
                message="This link does not match a patient of the current population run "
                "(links change when the server restarts).",
                back="/worklist",
                back_label="Back to the worklist",
            )
        try:
            report = rendered(web, from_contract(found))
        except NotAnAssessment as error:
            return web.page(
                request,
                "message.html.j2",
                status=422,
                heading="The assessment cannot be shown",
                message=f"The population run's assessment for this patient cannot be read: {error}.",
                back="/worklist",
                back_label="Back to the worklist",
            )
        web.session(request).data[REPORT_KEY] = report  # the downloads are this report's
        return web.keep(request, HTMLResponse(with_toolbar(report.html, "/worklist", "Back to the worklist")))

    return routes


def _summary(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / "summary.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
