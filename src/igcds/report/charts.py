"""Charts as inline SVG, drawn from the assessment's timeline: trough IgG against the target with
the infusions on the same time axis, and infections over time with the rates before and on IgRT.
No scripts, no external assets: the SVG is text inside the HTML file and prints as it shows."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from igcds.domain.assessment import Timeline
from igcds.report import wording

WIDTH, PLOT_LEFT, PLOT_RIGHT = 680, 100, 16
NICE_STEPS = (50, 100, 200, 250, 500, 1000)
HEADROOM = 1.15  # the y axis reaches 15% above the highest value, so no point sits on the frame
SEVERITY_COLOUR = {"non-severe": "#3a7d44", "severe": "#d08c00", "life-threatening": "#b3261e"}


class TimeAxis:
    """Maps dates to x coordinates across the plot width, padded a little on each side."""

    def __init__(self, first: date, last: date) -> None:
        pad = max(14, (last - first).days // 20)
        self.start, self.end = first - timedelta(days=pad), last + timedelta(days=pad)
        self.span = max(1, (self.end - self.start).days)

    def x(self, day: date) -> float:
        return PLOT_LEFT + (day - self.start).days / self.span * (WIDTH - PLOT_LEFT - PLOT_RIGHT)

    def ticks(self) -> list[tuple[float, str]]:
        """A tick at each 1 January, or each quarter when the span is under two years."""
        years = self.span / 365.25
        months = (1, 4, 7, 10) if years < 2 else (1,)
        step_label = (lambda d: d.strftime("%b %Y")) if years < 2 else (lambda d: str(d.year))
        found = []
        for year in range(self.start.year, self.end.year + 1):
            for month in months:
                day = date(year, month, 1)
                if self.start <= day <= self.end:
                    found.append((self.x(day), step_label(day)))
        return found


def _axis(axis: TimeAxis, top: float, bottom: float) -> list[str]:
    parts = [f'<line x1="{PLOT_LEFT}" y1="{bottom}" x2="{WIDTH - PLOT_RIGHT}" y2="{bottom}" class="axis"/>']
    for x, label in axis.ticks():
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 14}" class="tick" text-anchor="middle">{escape(label)}</text>')
    return parts


def _svg(chart_id: str, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def trough_chart(timeline: Timeline) -> str | None:
    """Trough IgG (points and line) against the target (dashed), infusions as bars beneath on the
    same dates. None when there are no troughs to draw."""
    if not timeline.troughs:
        return None
    days = [p.day for p in timeline.troughs] + [i.day for i in timeline.infusions]
    axis = TimeAxis(min(days), max(days))
    height, top, bottom, bar_top, bar_bottom = 300, 24, 200, 222, 262
    highest = max([p.mg_dl for p in timeline.troughs] + [timeline.trough_target_mg_dl]) * HEADROOM

    def y(value: float) -> float:
        return bottom - value / highest * (bottom - top)

    body = _axis(axis, top, bottom)
    step = next((s for s in NICE_STEPS if highest / s <= 6), NICE_STEPS[-1])
    for value in range(step, int(highest) + 1, step):
        body.append(f'<text x="{PLOT_LEFT - 6}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{value}</text>')
    target_y = y(timeline.trough_target_mg_dl)
    body.append(
        f'<line x1="{PLOT_LEFT}" y1="{target_y:.1f}" x2="{WIDTH - PLOT_RIGHT}" y2="{target_y:.1f}" class="target"/>'
        f'<text x="{WIDTH - PLOT_RIGHT}" y="{target_y - 5:.1f}" class="label" text-anchor="end">'
        f"target {timeline.trough_target_mg_dl:g} mg/dL</text>"
    )
    points = [(axis.x(p.day), y(p.mg_dl), p) for p in timeline.troughs]
    body.append('<polyline class="series" points="' + " ".join(f"{x:.1f},{py:.1f}" for x, py, _ in points) + '"/>')
    for x, py, p in points:
        below = " below" if p.mg_dl < timeline.trough_target_mg_dl else ""
        body.append(
            f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" class="point{below}">'
            f"<title>{escape(f'{p.day.isoformat()}: {p.mg_dl:g} mg/dL ({p.ref})')}</title></circle>"
        )
    body.append(f'<text x="{PLOT_LEFT - 6}" y="{top - 8}" class="label" text-anchor="end">IgG mg/dL</text>')
    grams = [i.dose_g for i in timeline.infusions if i.dose_g is not None]
    most = max(grams) if grams else 1.0
    middle = (bar_top + bar_bottom) / 2 + 4
    body.append(f'<text x="{PLOT_LEFT - 6}" y="{middle}" class="label" text-anchor="end">infusions</text>')
    for infusion in timeline.infusions:
        share = (infusion.dose_g or most) / most
        bar_height = max(3.0, share * (bar_bottom - bar_top))
        dose = f"{infusion.dose_g:g} g" if infusion.dose_g is not None else "dose not recorded"
        route = infusion.route or "route not recorded"
        tip = escape(f"{infusion.day.isoformat()}: {route} {dose} ({infusion.ref})")
        body.append(
            f'<rect x="{axis.x(infusion.day) - 2:.1f}" y="{bar_bottom - bar_height:.1f}" width="4" '
            f'height="{bar_height:.1f}" class="infusion"><title>{tip}</title></rect>'
        )
    body += _axis(axis, bar_top, bar_bottom)[0:1]
    title = f"Trough IgG against the target of {timeline.trough_target_mg_dl:g} mg/dL, with immune globulin infusions"
    return _svg("chart-trough", height, title, body)


def infection_chart(timeline: Timeline) -> str | None:
    """Each infection as a marker on the time axis (colour by severity), IgRT's start as a line,
    and the annualised rates before and on IgRT. None when no infection is recorded."""
    if not timeline.infections:
        return None
    days = [e.day for e in timeline.infections] + ([timeline.igrt_started] if timeline.igrt_started else [])
    axis = TimeAxis(min(days), max(days))
    height, top, bottom = 170, 40, 120
    body = _axis(axis, top, bottom)
    if timeline.igrt_started:
        x = axis.x(timeline.igrt_started)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{bottom}" class="start"/>'
            f'<text x="{x + 4:.1f}" y="{top - 12}" class="label">IgRT began {timeline.igrt_started.isoformat()}</text>'
        )
    lanes = {"non-severe": bottom - 20, "severe": bottom - 45, "life-threatening": bottom - 70}
    for episode in timeline.infections:
        colour = SEVERITY_COLOUR.get(episode.severity, "#555")
        body.append(
            f'<circle cx="{axis.x(episode.day):.1f}" cy="{lanes.get(episode.severity, bottom - 20)}" r="6" '
            f'fill="{colour}" class="infection">'
            f"<title>{escape(f'{episode.day.isoformat()}: {episode.label} ({episode.severity}; {episode.ref})')}"
            "</title></circle>"
        )
    for severity, lane in lanes.items():
        body.append(f'<text x="{PLOT_LEFT - 6}" y="{lane + 4}" class="tick" text-anchor="end">{severity}</text>')
    rates = escape(wording.infection_rates(timeline))
    body.append(f'<text x="{PLOT_LEFT}" y="{height - 8}" class="label">{rates}</text>')
    return _svg("chart-infections", height, "Infections over time, before and on immunoglobulin replacement", body)
