"""Charts as inline SVG, drawn from the assessment's timeline: trough IgG against the target with
the infusions on the same time axis, and infections over time with the rates before and on IgRT.
No scripts, no external assets: the SVG is text inside the HTML file and prints as it shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape

from igcds.domain.assessment import Timeline

WIDTH, PLOT_LEFT, PLOT_RIGHT = 680, 100, 16
NICE_STEPS = (50, 100, 200, 250, 500, 1000)
HEADROOM = 1.15  # the y axis reaches 15% above the highest value, so no point sits on the frame
Formatter = Callable[[float], str]
"""An mg/dL figure in the report's display units, as text."""
SEVERITY_COLOUR = {"non-severe": "#3a7d44", "severe": "#d08c00", "life-threatening": "#b3261e"}


class TimeAxis:
    """Maps dates to x coordinates across the plot width, padded a little on each side."""

    def __init__(self, first: date, last: date, room_right: float = 0.0) -> None:
        """`room_right`: the share of the plot's width left free after the last date (for labels)."""
        pad = max(14, (last - first).days // 20)
        span = (last - first).days + 2 * pad
        room = int(span * room_right / (1 - room_right))
        self.start, self.end = first - timedelta(days=pad), last + timedelta(days=pad + room)
        self.last_tick = last + timedelta(days=pad)  # no ticks in the room left for labels
        self.span = max(1, (self.end - self.start).days)

    def x(self, day: date) -> float:
        return PLOT_LEFT + (day - self.start).days / self.span * (WIDTH - PLOT_LEFT - PLOT_RIGHT)

    def ticks(self) -> list[tuple[float, str]]:
        """A tick at each 1 January, or each quarter when the span is under two years."""
        years = self.span / 365.25
        months = (1, 4, 7, 10) if years < 2 else (1,)
        step_label = (lambda d: d.isoformat()[:7]) if years < 2 else (lambda d: str(d.year))  # ISO 8601
        found = []
        for year in range(self.start.year, self.end.year + 1):
            for month in months:
                day = date(year, month, 1)
                if self.start <= day <= self.last_tick:
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


Mark = Callable[[float, float], str]


def _dot(colour: str) -> Mark:
    return lambda x, y: f'<circle cx="{x + 6:.1f}" cy="{y}" r="5" fill="{colour}"/>'


def _legend(y: float, entries: list[tuple[Mark, str]]) -> list[str]:
    """One legend row of (mark, words) pairs from the plot's left edge; printed, not hovered."""
    parts, x = [], 12.0
    for mark, words in entries:
        parts.append(mark(x, y))
        parts.append(f'<text x="{x + 16:.1f}" y="{y + 4:.1f}" class="label">{escape(words)}</text>')
        x += 28 + 6.6 * len(words)
    return parts


_TROUGH_LEGEND: list[tuple[Mark, str]] = [
    (lambda x, y: f'<circle cx="{x + 6:.1f}" cy="{y}" r="4" class="point"/>', "trough at or above target"),
    (lambda x, y: f'<circle cx="{x + 6:.1f}" cy="{y}" r="4" class="point below"/>', "trough below target"),
]


def trough_chart(timeline: Timeline, number: Formatter, units: str) -> str | None:
    """Trough IgG (labelled points and a line) against the target (dashed), infusions as bars
    beneath on the same dates, and a legend. None when there is neither a trough nor an infusion."""
    if not timeline.troughs and not timeline.infusions:
        return None
    days = [p.day for p in timeline.troughs] + [i.day for i in timeline.infusions]
    axis = TimeAxis(min(days), max(days))
    height, top, bottom, bar_top, bar_bottom = 284, 24, 180, 200, 236
    target = timeline.trough_target_mg_dl
    highest = max([p.mg_dl for p in timeline.troughs] + [target]) * HEADROOM

    def y(value: float) -> float:
        return bottom - value / highest * (bottom - top)

    body = _axis(axis, top, bottom)
    step = next((s for s in NICE_STEPS if highest / s <= 6), NICE_STEPS[-1])
    for value in range(step, int(highest) + 1, step):
        body.append(
            f'<text x="{PLOT_LEFT - 6}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{number(value)}</text>'
        )
    body.append(
        f'<line x1="{PLOT_LEFT}" y1="{y(target):.1f}" x2="{WIDTH - PLOT_RIGHT}" y2="{y(target):.1f}" class="target"/>'
        f'<text x="{WIDTH - PLOT_RIGHT}" y="{y(target) - 5:.1f}" class="label" text-anchor="end">'
        f"target {number(target)} {units}</text>"
    )
    points = [(axis.x(p.day), y(p.mg_dl), p) for p in timeline.troughs]
    if len(points) > 1:
        body.append('<polyline class="series" points="' + " ".join(f"{x:.1f},{py:.1f}" for x, py, _ in points) + '"/>')
    for x, py, p in points:
        below = " below" if p.mg_dl < target else ""
        body.append(
            f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" class="point{below}">'
            f"<title>{escape(f'{p.day.isoformat()}: {number(p.mg_dl)} {units} ({p.ref})')}</title></circle>"
            f'<text x="{x:.1f}" y="{py - 8:.1f}" class="value" text-anchor="middle">{number(p.mg_dl)}</text>'
        )
    if not points:
        body.append(
            f'<text x="{(PLOT_LEFT + WIDTH) / 2:.1f}" y="{(top + bottom) / 2:.1f}" class="label" '
            'text-anchor="middle">no trough IgG on record</text>'
        )
    body.append(f'<text x="{PLOT_LEFT - 6}" y="{top - 8}" class="label" text-anchor="end">IgG {units}</text>')
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
    body += _legend(
        height - 14,
        [
            *(_TROUGH_LEGEND if points else []),
            (lambda x, y: f'<line x1="{x:.1f}" y1="{y}" x2="{x + 12:.1f}" y2="{y}" class="target"/>', "target"),
            (
                lambda x, y: f'<rect x="{x + 4:.1f}" y="{y - 6}" width="4" height="12" class="infusion"/>',
                "infusion (height: grams)",
            ),
        ],
    )
    title = f"Trough IgG against the target of {number(target)} {units}, with immune globulin infusions"
    return _svg("chart-trough", height, title, body)


def _short(label: str, limit: int = 26) -> str:
    """The infection type for a point label: the words before any qualifier, at most `limit` long."""
    kind = label.split(",")[0].strip()
    return kind if len(kind) <= limit else kind[: limit - 1].rstrip() + "…"


def _point_label(x: float, y: float, words: str) -> str:
    """A label rising to the right of its marker, so neighbours on one lane do not overwrite it."""
    return (
        f'<text x="{x + 6:.1f}" y="{y - 6}" class="value" transform="rotate(-35 {x + 6:.1f} {y - 6})">'
        f"{escape(words)}</text>"
    )


def infection_chart(timeline: Timeline) -> str | None:
    """Each infection as a labelled marker on the time axis (colour and lane by severity), IgRT's
    start as a line when IgRT began, and a legend (the rates are in the table beneath). None when
    no infection is recorded."""
    if not timeline.infections:
        return None
    days = [e.day for e in timeline.infections] + ([timeline.igrt_started] if timeline.igrt_started else [])
    axis = TimeAxis(min(days), max(days), room_right=0.2)
    height, top, bottom = 226, 84, 172
    body = _axis(axis, top, bottom)
    if timeline.igrt_started:
        x = axis.x(timeline.igrt_started)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 50}" x2="{x:.1f}" y2="{bottom}" class="start"/>'
            f'<text x="{x + 4:.1f}" y="{top - 54}" class="label">IgRT began {timeline.igrt_started.isoformat()}</text>'
        )
    lanes = {"non-severe": bottom - 16, "severe": bottom - 40, "life-threatening": bottom - 64}
    for episode in timeline.infections:
        colour = SEVERITY_COLOUR.get(episode.severity, "#555")
        x, lane = axis.x(episode.day), lanes.get(episode.severity, bottom - 16)
        body.append(
            f'<circle cx="{x:.1f}" cy="{lane}" r="5" fill="{colour}" class="infection">'
            f"<title>{escape(f'{episode.day.isoformat()}: {episode.label} ({episode.severity}; {episode.ref})')}"
            "</title></circle>" + _point_label(x, lane, _short(episode.label))
        )
    for severity, lane in lanes.items():
        body.append(f'<text x="{PLOT_LEFT - 6}" y="{lane + 4}" class="tick" text-anchor="end">{severity}</text>')
    entries: list[tuple[Mark, str]] = [(_dot(colour), severity) for severity, colour in SEVERITY_COLOUR.items()]
    if timeline.igrt_started:
        entries.append(
            (
                lambda x, y: f'<line x1="{x + 6:.1f}" y1="{y - 7}" x2="{x + 6:.1f}" y2="{y + 7}" class="start"/>',
                "IgRT began",
            )
        )
    body += _legend(bottom + 36, entries)
    return _svg("chart-infections", height, "Infections over time, before and on immunoglobulin replacement", body)
