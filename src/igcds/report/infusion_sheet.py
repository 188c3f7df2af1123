"""The printable infusion sheet a nurse follows at the chair: the prescription, what to check
before starting, the rate steps on the clock with the volume given so far, and a vital-signs row
to tick at every step. One self-contained HTML page (no scripts, fonts or images from the
network) for `igcds dose --format html` and the web calculator's print button (the same page).

It presents the core's `Dose`; the rate steps on the clock are `infusion_steps`'."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from igcds.domain.assessment import Dose
from igcds.knowledge.loader import KnowledgeBase
from igcds.report.dose_text import hours
from igcds.report.infusion_steps import box, plan_table
from igcds.version import __version__

WEEK_DAYS = 7

STYLE = """
@page { size: A4; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #000; margin: 0 auto;
       max-width: 190mm; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 11.5pt; margin: 10pt 0 4pt; border-bottom: 1px solid #000; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 3pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
td.num { text-align: right; white-space: nowrap; }
caption { text-align: left; font-size: 9pt; padding-bottom: 2pt; }
tr.vitals td { font-size: 9pt; background: #fafafa; }
tr.vitals .blank { min-width: 12mm; }
.box { display: inline-block; width: 9pt; height: 9pt; border: 1px solid #000; margin-right: 3pt;
       vertical-align: middle; }
.blank { display: inline-block; min-width: 26mm; border-bottom: 1px solid #000; }
.identity td { width: 33%; }
ul.checks { list-style: none; padding-left: 0; margin: 0; }
ul.checks li { margin: 2pt 0; }
.footer { font-size: 8.5pt; margin-top: 10pt; }
tr, li { break-inside: avoid; }
"""


def _ramp_up_table(dose: Dose, start: datetime) -> str:
    rows = "".join(
        f"<tr><td>{n}</td><td>week {r.week}</td><td>{(start + timedelta(days=(r.week - 1) * WEEK_DAYS)).date()}</td>"
        f'<td class="num">{r.dose_g:g} g</td><td class="num">{r.volume_ml:g} mL</td><td>{box("given")}</td></tr>'
        for n, r in enumerate(dose.ramp_up, 1)
    )
    return (
        "<h2>Ramp-up (label): the first infusions</h2><table><tr>"
        + "".join(f'<th scope="col">{name}</th>' for name in ("Infusion", "Week", "Date", "Dose", "Volume", "Given"))
        + f"</tr>{rows}</table><p>Then {dose.rounded_dose_g:g} g every "
        f"{dose.interval_days} days.</p>"
    )


def _prescription(dose: Dose) -> str:
    product = f"{escape(dose.product_name)} [{escape(dose.product)}]" if dose.product_name and dose.product else None
    vials = ", ".join(f"{v.count} x {v.grams:g} g ({v.ml:g} mL)" for v in dose.vials)
    rows = [
        ("Route", dose.route),
        (
            "Regimen",
            f"{dose.mg_per_kg:g} mg/kg every {dose.interval_days} days on {dose.dosing_weight_kg:g} kg "
            f"({dose.weight_basis} weight)",
        ),
        ("Dose", f"{dose.rounded_dose_g:g} g" + (f" = {dose.volume_ml:g} mL" if dose.volume_ml else "")),
        ("Product", product or "none chosen: no vials, volume or rate steps"),
    ]
    if vials:
        rows.append(("Vials", vials))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{v if k == 'Product' else escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _checks(dose: Dose) -> str:
    notes = [*dose.warnings]
    if dose.iv_infusion:
        notes += dose.iv_infusion.notes
    if dose.sc_infusion:
        notes += dose.sc_infusion.notes
    items = "".join(f'<li><span class="box"></span>{escape(note)}</li>' for note in notes)
    return f'<h2>Before starting</h2><ul class="checks">{items}</ul>' if items else ""


def infusion_sheet(dose: Dose, start: datetime, kb: KnowledgeBase) -> str:
    """The sheet for `dose` starting at `start` (the clock on the ward: a naive local time)."""
    table = plan_table(dose, start)
    if table and dose.iv_infusion:
        plan = f"<h2>IV rate steps: about {hours(dose.iv_infusion.total_minutes)}</h2>{table}"
    elif table:
        plan = f"<h2>SC infusion</h2>{table}"
    elif dose.product is None:
        plan = (
            "<h2>No infusion plan</h2><p>No product was chosen, so no vials, volume or rate steps: choose one "
            "(<code>igcds dose … --product ID</code>; <code>igcds products</code> lists them).</p>"
        )
    else:
        plan = (
            "<h2>Infusion</h2><p>igcds has no verified rate table for this product and patient: give it as the "
            "label directs (see the notes above).</p>"
        )
    ramp = _ramp_up_table(dose, start) if dose.ramp_up else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Infusion sheet: {dose.rounded_dose_g:g} g {dose.route} immune globulin</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Immune globulin infusion sheet</h1>"
        '<table class="identity"><tr><td>Patient <span class="blank"></span></td>'
        '<td>Birth date <span class="blank"></span></td><td>MRN <span class="blank"></span></td></tr>'
        f"<tr><td>Date {start.date().isoformat()}</td><td>Start {start.strftime('%H:%M')}</td>"
        '<td>Nurse <span class="blank"></span></td></tr>'
        '<tr><td>Prepared by <span class="blank"></span></td><td>Checked by <span class="blank"></span></td>'
        '<td>Actual start <span class="blank"></span></td></tr></table>'
        f"<h2>Prescription</h2>{_prescription(dose)}{_checks(dose)}{plan}{ramp}"
        f'<p class="footer">Basis: {escape(dose.basis)}. Sources: {escape(", ".join(dose.cited()))}.<br>'
        f"{escape(kb.disclaimer)}<br>igcds {__version__}, knowledge base {escape(kb.version)}.</p>"
        "</body></html>\n"
    )
