"""/assess: upload or paste a FHIR Bundle and get the report. The upload is a multipart POST with
the session's CSRF token; the report is kept in the session and shown at /assess/report (so a
reload does not resend the record), with JSON and Markdown downloads. Errors are the one line
`igcds assess` prints, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.web import sessions
from igcds.web.app import Web
from igcds.web.report_page import REPORT_KEY, StoredReport, assess, with_toolbar

LOG = logging.getLogger("igcds.web")


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    max_bytes = int(web.settings.max_upload_mb * 1024 * 1024)

    def form(request: Request, error: str | None = None, status: int = 200, as_of: str = "") -> Response:
        web.session(request)
        return web.page(
            request,
            "assess.html.j2",
            status=status,
            error=error,
            as_of=as_of or web.settings.today().isoformat(),
            max_mb=web.settings.max_upload_mb,
        )

    @routes.get("/assess")
    def assess_form(request: Request) -> Response:
        return form(request)

    @routes.post("/assess")
    async def assess_upload(request: Request) -> Response:
        session = web.session(request)
        if int(request.headers.get("content-length") or 0) > max_bytes + 64 * 1024:
            return form(request, f"The upload is larger than {web.settings.max_upload_mb:g} MB.", 413)
        async with request.form(max_files=1, max_fields=10) as data:
            return await _assess(request, session, data)

    async def _assess(request: Request, session: sessions.Session, data: FormData) -> Response:
        if not sessions.csrf_matches(session, str(data.get("csrf_token") or "")):
            return web.page(request, "expired.html.j2", status=403)
        as_of_text = str(data.get("as_of") or "")
        upload = data.get("bundle_file")
        try:
            as_of = date.fromisoformat(as_of_text) if as_of_text else web.settings.today()
        except ValueError:
            return form(request, f"Assessment date: not a date (YYYY-MM-DD): {as_of_text!r}", 400, as_of_text)
        content: bytes = b""
        source = "pasted text"
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(max_bytes + 1)
            source = "uploaded file"  # never the file's name: it may name the patient
        if not content.strip():
            content = str(data.get("bundle_text") or "").encode()
            source = "pasted text"
        if not content.strip():
            return form(request, "Choose a file or paste a FHIR Bundle.", 400, as_of_text)
        if len(content) > max_bytes:
            return form(request, f"The upload is larger than {web.settings.max_upload_mb:g} MB.", 413, as_of_text)
        try:
            record = read.read_bundle(read.parse_json(content, source), as_of, web.kb)
            report = assess(web, record, as_of)
        except InputError as error:
            LOG.info("assess: input refused (%s)", type(error).__name__)
            return form(request, str(error), 400, as_of_text)
        session.data[REPORT_KEY] = report
        LOG.info("assess: report produced (%d recommendations)", report.recommendations)
        return web.redirect(request, "/assess/report")

    def stored(request: Request) -> StoredReport | None:
        found = web.session(request).data.get(REPORT_KEY)
        return found if isinstance(found, StoredReport) else None

    @routes.get("/assess/report")
    def report_page(request: Request) -> Response:
        report = stored(request)
        if report is None:
            return web.redirect(request, "/assess")
        return web.keep(request, HTMLResponse(with_toolbar(report.html, "/assess", "Assess another patient")))

    def download(body: Callable[[StoredReport], str], media_type: str, filename: str) -> Callable[..., Response]:
        def send(request: Request) -> Response:
            report = stored(request)
            if report is None:
                return web.redirect(request, "/assess")
            headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
            return web.keep(request, Response(body(report), media_type=media_type, headers=headers))

        return send

    routes.get("/assess/report.json")(download(lambda r: r.json, "application/json", "igcds-assessment.json"))
    markdown = download(lambda r: r.markdown, "text/markdown; charset=utf-8", "igcds-assessment.md")
    routes.get("/assess/report.md")(markdown)

    return routes
