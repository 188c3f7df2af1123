"""/dose: the dose calculator. A plain form that works without scripts (POST /dose answers with
the whole page); with scripts, /static/dose.js posts the form to /dose/result as you type and
swaps in the result. /dose/sheet is the printable infusion sheet for the same figures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from igcds import engine
from igcds.domain.assessment import Dose
from igcds.domain.errors import InputError, PolicyError
from igcds.report.json_contract import format_reference
from igcds.web import sessions
from igcds.web.app import Web, environment
from igcds.web.dose_form import DEFAULT_START, DoseForm, core_field, core_message, policy_for, read_form
from igcds.web.dose_view import PumpStep, figures, hours, pump_steps


@dataclass(frozen=True, slots=True)
class Calculation:
    form: DoseForm
    dose: Dose | None
    error: str | None
    error_field: str | None
    steps: list[PumpStep]


def calculate(web: Web, form: DoseForm) -> Calculation:
    if form.order is None:
        return Calculation(form, None, form.error, form.error_field, [])
    try:
        policy = policy_for(form, web.kb, web.settings.policy_overrides)
        dose = engine.dose_for_figures(form.order, policy, web.kb, web.settings.today())
    except PolicyError as error:
        return Calculation(form, None, f"Dosing weight: {error.problem}", "dosing_weight", [])
    except InputError as error:
        return Calculation(form, None, core_message(error), core_field(error), [])
    return Calculation(form, dose, None, None, pump_steps(dose, form.start_minute))


def _values(web: Web, calc: Calculation) -> dict[str, Any]:
    dose = calc.dose
    cited = dose.cited() if dose else ()
    return {
        "form": calc.form,
        "values": calc.form.values,
        "dose": dose,
        "steps": calc.steps,
        "error": calc.error,
        "error_field": calc.error_field,
        "hours": hours,
        "figures_json": json.dumps(figures(dose)).replace("<", "\\u003c") if dose else "",
        "references": [(ref, format_reference(web.kb.references[ref])) for ref in cited if ref in web.kb.references],
        "products": sorted(web.kb.products.values(), key=lambda p: p.name.lower()),
        "site_dosing_weight": web.policy.dosing_weight,
        "defaults": {"start_time": DEFAULT_START},
    }


async def _submitted(web: Web, request: Request) -> tuple[DoseForm, bool]:
    session = web.session(request)
    async with request.form(max_files=0, max_fields=40) as data:
        pass
    allowed = sessions.csrf_matches(session, str(data.get("csrf_token") or ""))
    values = {key: str(value) for key, value in data.items() if isinstance(value, str)}
    risks = tuple(str(r) for r in data.getlist("risk"))
    return read_form(values, risks, web.policy), allowed


def router(web: Web) -> APIRouter:
    routes = APIRouter()

    @routes.get("/dose")
    def dose_page(request: Request) -> Response:
        web.session(request)
        calc = calculate(web, read_form({}, (), web.policy))
        return web.page(request, "dose.html.j2", **_values(web, calc))

    @routes.post("/dose")
    async def dose_submitted(request: Request) -> Response:
        form, allowed = await _submitted(web, request)
        if not allowed:
            return web.page(request, "expired.html.j2", status=403)
        calc = calculate(web, form)
        status = 200 if calc.error is None else 422
        return web.page(request, "dose.html.j2", status=status, **_values(web, calc))

    @routes.post("/dose/result")
    async def dose_result(request: Request) -> Response:
        """The result section alone, for the script that updates it as you type."""
        form, allowed = await _submitted(web, request)
        if not allowed:
            return HTMLResponse("", status_code=403)
        calc = calculate(web, form)
        html = environment().get_template("dose_result.html.j2").render(**_values(web, calc))
        return web.keep(request, HTMLResponse(html))  # an error is part of the result, not a failed request

    @routes.post("/dose/sheet")
    async def infusion_sheet(request: Request) -> Response:
        form, allowed = await _submitted(web, request)
        if not allowed:
            return web.page(request, "expired.html.j2", status=403)
        calc = calculate(web, form)
        if calc.dose is None:
            return web.page(request, "dose.html.j2", status=422, **_values(web, calc))
        return web.page(request, "sheet.html.j2", **_values(web, calc))

    return routes
