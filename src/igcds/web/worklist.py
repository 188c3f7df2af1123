"""/worklist: the actions a population run found (`igcds population --out DIR`: worklist.csv and
assessments.ndjson), filtered by priority, code and due date, sorted, a page at a time, with each
patient's report (the HTML `igcds assess` writes, from the run's stored assessment) one link away.
Links carry an opaque key, never the patient id."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from igcds.domain.assessment import PRIORITY_ORDER
from igcds.web.app import Web
from igcds.web.report_page import REPORT_KEY, rendered, with_toolbar
from igcds.web.stored_assessment import NotAnAssessment, from_contract
from igcds.web.worklist_data import PAGE_SIZE, Filters, PopulationRun


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    folder = web.settings.worklist_dir
    run = PopulationRun(folder, web.settings.secret) if folder is not None else None

    def message(request: Request, status: int, heading: str, text: str) -> Response:
        back = "/worklist" if status != 404 or run is not None else "/"
        label = "Back to the worklist" if back == "/worklist" else "Home"
        return web.page(
            request, "message.html.j2", status=status, heading=heading, message=text, back=back, back_label=label
        )

    def unavailable(request: Request) -> Response:
        return message(
            request, 404, "Worklist", "No population run is configured on this server: set worklist_dir (docs/web.md)."
        )

    @routes.get("/worklist")
    def worklist(request: Request) -> Response:
        if run is None or not run.present:
            return unavailable(request)
        rows = run.rows()
        filters = Filters.of(request.query_params)
        matching = sorted((row for row in rows if filters.keep(row)), key=filters.key, reverse=filters.descending)
        pages = max(1, -(-len(matching) // PAGE_SIZE))
        page = min(filters.page, pages)
        first = (page - 1) * PAGE_SIZE
        return web.page(
            request,
            "worklist.html.j2",
            rows=matching[first : first + PAGE_SIZE],
            first=first + 1,
            matching=len(matching),
            total=len(rows),
            page=page,
            pages=pages,
            filters=filters,
            codes=sorted({row["code"] for row in rows}),
            priorities=list(PRIORITY_ORDER),
            key=run.key,
            summary=run.summary(),
        )

    @routes.get("/worklist/patients/{key}")
    def patient(key: str, request: Request) -> Response:
        if run is None or not run.present:
            return unavailable(request)
        wanted = run.patient_of(key)
        found = run.assessment(wanted) if wanted is not None else None
        if found is None:
            return message(
                request,
                404,
                "Patient not found",
                "This link does not match a patient of the current population run "
                "(links change when the server restarts).",
            )
        try:
            report = rendered(web, from_contract(found))
        except NotAnAssessment as error:
            return message(
                request,
                422,
                "The assessment cannot be shown",
                f"The population run's assessment for this patient cannot be read: {error}.",
            )
        web.session(request).data[REPORT_KEY] = report  # the downloads are this report's
        return web.keep(request, HTMLResponse(with_toolbar(report.html, "/worklist", "Back to the worklist")))

    return routes
