"""/dose: the dose calculator. A plain form that works without scripts (POST /dose answers with
the whole page); with scripts, /static/dose.js posts the form to /dose/result as you type and
swaps in the result. The dose reads as `igcds dose` prints it and the rate table is the infusion
sheet's; /dose/sheet is the sheet `igcds dose --format html` writes for the same figures."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from igcds import engine
from igcds.domain.assessment import Dose
from igcds.domain.errors import InputError, PolicyError
from igcds.report.dose_text import dose_list
from igcds.report.infusion_sheet import infusion_sheet
from igcds.report.infusion_steps import plan_table
from igcds.report.json_contract import format_reference
from igcds.web import sessions
from igcds.web.app import Web, environment
from igcds.web.dose_form import DEFAULT_START, ROUTES, DoseForm, core_field, core_message, policy_for, read_form
from igcds.web.report_page import with_toolbar


@dataclass(frozen=True, slots=True)
class Calculation:
    form: DoseForm
    dose: Dose | None
    error: str | None
    error_field: str | None
    start: datetime
    """The infusion's start on the ward's clock: today at the form's start time."""


def calculate(web: Web, form: DoseForm) -> Calculation:
    start = datetime.combine(web.settings.today(), time(*divmod(form.start_minute, 60)))
    if form.order is None:
        return Calculation(form, None, form.error, form.error_field, start)
    try:
        policy = policy_for(form, web.kb, web.settings.policy_overrides)
        dose = engine.dose_for_figures(form.order, policy, web.kb, web.settings.today())
    except PolicyError as error:
        return Calculation(form, None, f"Dosing weight: {error.problem}", "dosing_weight", start)
    except InputError as error:
        return Calculation(form, None, core_message(error), core_field(error), start)
    return Calculation(form, dose, None, None, start)


def _values(web: Web, calc: Calculation) -> dict[str, Any]:
    dose = calc.dose
    cited = dose.cited() if dose else ()
    return {
        "form": calc.form,
        "values": calc.form.values,
        "dose": dose,
        "dose_list": dose_list(dose) if dose else "",
        "rates": plan_table(dose, calc.start, vitals=False) if dose else "",
        "error": calc.error,
        "error_field": calc.error_field,
        # The dose as `igcds dose --format json` gives it (its `dose` object).
        "figures_json": json.dumps(asdict(dose)).replace("<", "\\u003c") if dose else "",
        "references": [(ref, format_reference(web.kb.references[ref])) for ref in cited if ref in web.kb.references],
        "products": sorted(web.kb.products.values(), key=lambda p: p.name.lower()),
        "routes": ROUTES,
        "dosing_weights": web.kb.policy.keys["dosing_weight"].choices,
        "site_dosing_weight": web.policy.dosing.dosing_weight,
        "defaults": {"start_time": DEFAULT_START},
    }


async def _submitted(web: Web, request: Request) -> Calculation | None:
    """The posted form worked out; None when it does not carry the session's CSRF token."""
    session = web.session(request)
    async with request.form(max_files=0, max_fields=40) as data:
        pass
    if not sessions.csrf_matches(session, str(data.get("csrf_token") or "")):
        return None
    values = {key: str(value) for key, value in data.items() if isinstance(value, str)}
    risks = tuple(str(r) for r in data.getlist("risk"))
    return calculate(web, read_form(values, risks, web.policy))


def router(web: Web) -> APIRouter:
    routes = APIRouter()

    @routes.get("/dose")
    def dose_page(request: Request) -> Response:
        web.session(request)
        calc = calculate(web, read_form({}, (), web.policy))
        return web.page(request, "dose.html.j2", **_values(web, calc))

    @routes.post("/dose")
    async def dose_submitted(request: Request) -> Response:
        calc = await _submitted(web, request)
        if calc is None:
            return web.page(request, "expired.html.j2", status=403)
        status = 200 if calc.error is None else 422
        return web.page(request, "dose.html.j2", status=status, **_values(web, calc))

    @routes.post("/dose/result")
    async def dose_result(request: Request) -> Response:
        """The result section alone, for the script that updates it as you type."""
        calc = await _submitted(web, request)
        if calc is None:
            return HTMLResponse("", status_code=403)
        html = environment().get_template("dose_result.html.j2").render(**_values(web, calc))
        return web.keep(request, HTMLResponse(html))  # an error is part of the result, not a failed request

    @routes.post("/dose/sheet")
    async def sheet_page(request: Request) -> Response:
        """The sheet `igcds dose --format html --start` writes for these figures, with a toolbar."""
        calc = await _submitted(web, request)
        if calc is None:
            return web.page(request, "expired.html.j2", status=403)
        if calc.dose is None:
            return web.page(request, "dose.html.j2", status=422, **_values(web, calc))
        sheet = infusion_sheet(calc.dose, calc.start, web.kb)
        page = with_toolbar(sheet, "/dose", "Back to the calculator", name="Infusion sheet", downloads=())
        return web.keep(request, HTMLResponse(page))

    return routes
