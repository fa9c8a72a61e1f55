"""The indicator page's time-series and year-on-year figures (Plotly dicts, built from prepared frames).

Figures take ``Points`` per region (plain lists: building from lists is what keeps a
thousand-point view cheap). Incomplete buckets are drawn hollow, values derived
from the kab/kota as diamonds; annotations are dotted lines with a hover marker on top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import Any

from dashboard import i18n
from dashboard.analysis import style
from dashboard.analysis import text as fmt

ANNOTATION_COLOR = "#ffc53d"


@dataclass(frozen=True)
class Series:
    region_code: str
    name: str
    color: str
    width: float


@dataclass(frozen=True)
class AxisNote:
    on_date: date
    text: str


@dataclass
class Points:
    """One region's points, as plain lists (what a trace needs), oldest first."""

    x: list[str] = field(default_factory=list)  # ISO period starts
    y: list[float] = field(default_factory=list)
    label: list[str] = field(default_factory=list)  # the period in the page's language
    basis: list[str] = field(
        default_factory=list
    )  # "2 of 3 periods · computed from the regencies" or ""
    symbol: list[str] = field(default_factory=list)
    yoy: list[float | None] = field(default_factory=list)


def symbol(complete: bool, derived: bool) -> str:
    shape = "diamond" if derived else "circle"
    return shape if complete else f"{shape}-open"


def basis_text(n: int, expected: int, complete: bool, derived: bool, lang: str) -> str:
    """What the hover says about a point beyond its value: only the exceptions (a gap, a derivation)."""
    parts = []
    if not complete:
        parts.append(i18n.label("analyst.basis", lang, n=n, expected=expected))
    if derived:
        parts.append(i18n.label("analyst.derived", lang))
    return " · ".join(parts)


def series_figure(
    points: Mapping[str, Points],
    series: Sequence[Series],
    *,
    grain: str,
    lang: str,
    unit: str,
    decimals: int,
    first: date,
    last: date,
    targets: Mapping[date, float] | None = None,
    band: tuple[float, float] | None = None,
    notes: Sequence[AxisNote] = (),
) -> dict:
    traces: list[dict[str, Any]] = []
    # Values are formatted here, not by Plotly's d3-format: the same digits, separators
    # and minus sign as everywhere else on the page.
    if targets:
        days = sorted(targets)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": i18n.label("analyst.target", lang),
                "x": [d.isoformat() for d in days],
                "y": [targets[d] for d in days],
                "line": {"color": style.MUTED, "dash": "dash", "width": 1.5, "shape": "hv"},
                "text": [fmt.number(targets[d], lang, decimals) for d in days],
                "hovertemplate": f"%{{text}} {unit}<extra>{i18n.label('analyst.target', lang)}</extra>",
            }
        )
    for s in series:
        part = points.get(s.region_code) or Points()
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s.name,
                "legendgroup": s.region_code,
                "x": part.x,
                "y": part.y,
                "customdata": [
                    [s.region_code, label, escape(str(basis or "")), fmt.number(y, lang, decimals)]
                    for label, basis, y in zip(part.label, part.basis, part.y)
                ],
                "line": {"color": s.color, "width": s.width},
                "connectgaps": False,
                "marker": {
                    "color": s.color,
                    "size": 6 if len(part.x) < 80 else 3,
                    "symbol": part.symbol,
                    "line": {"color": s.color, "width": 1.5},
                },
                "hovertemplate": f"<b>%{{customdata[1]}}</b><br>%{{customdata[3]}} {unit}<br>%{{customdata[2]}}"
                f"<extra>{s.name}</extra>",
            }
        )
    shapes = [_note_line(n.on_date) for n in notes]
    if band:
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": band[0],
                "y1": band[1],
                "fillcolor": "rgba(61, 219, 179, 0.08)",
                "line": {"width": 0},
                "layer": "below",
            }
        )
    if notes:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": i18n.label("analyst.annotations", lang),
                "x": [n.on_date.isoformat() for n in notes],
                "y": [1] * len(notes),
                "yaxis": "y2",
                "marker": {"symbol": "triangle-down", "size": 11, "color": ANNOTATION_COLOR},
                # Plotly renders a subset of HTML in hover labels (links, styles): people's
                # text reaches them as text only.
                "text": [f"{fmt.period(n.on_date, 'day', lang)}: {escape(n.text)}" for n in notes],
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    ticks, labels = style.time_ticks(first, last, grain, lang)
    layout = style.base_layout(
        380,
        xaxis={
            "gridcolor": style.GRID,
            "tickvals": ticks,
            "ticktext": labels,
            "type": "date",
            "range": _padded(first, last, grain),
        },
        yaxis={
            "gridcolor": style.GRID,
            "zerolinecolor": style.GRID,
            "title": {"text": unit},
            "separatethousands": True,
        },
        yaxis2={"overlaying": "y", "range": [0, 1.04], "visible": False, "fixedrange": True},
        shapes=shapes,
        hovermode="closest",
        separators=style.separators(lang),
    )
    return {"data": traces, "layout": layout}


def _signed(change: float | None, lang: str) -> str:
    """ "+1,25" / "−0,50" (the minus comes from ``fmt.number``)."""
    if change is None:
        return "—"
    text = fmt.number(change, lang, 2)
    return f"+{text}" if round(change, 2) > 0 else text


def _padded(first: date, last: date, grain: str) -> list[str]:
    """The x range with half a period of room on each side, so end points are not cut."""
    half = {"day": 1, "month": 15, "quarter": 45, "year": 182}[grain]
    return [(first - timedelta(days=half)).isoformat(), (last + timedelta(days=half)).isoformat()]


def _note_line(day: date) -> dict:
    return {
        "type": "line",
        "xref": "x",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": ANNOTATION_COLOR, "width": 1, "dash": "dot"},
        "layer": "below",
    }


def yoy_figure(
    points: Mapping[str, Points],
    series: Sequence[Series],
    *,
    grain: str,
    lang: str,
    in_points: bool,
    first: date,
    last: date,
) -> dict:
    unit = i18n.label("analyst.yoy.pp" if in_points else "analyst.yoy.pct", lang)
    traces = []
    for s in series:
        part = points.get(s.region_code) or Points()
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s.name,
                "legendgroup": s.region_code,
                "showlegend": False,
                "connectgaps": False,
                "x": part.x,
                "y": part.yoy,
                "customdata": [
                    [label, _signed(change, lang)] for label, change in zip(part.label, part.yoy)
                ],
                "line": {"color": s.color, "width": max(1.0, s.width - 1)},
                "marker": {"color": s.color, "size": 5 if len(part.x) < 80 else 2},
                "hovertemplate": f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}} {unit}<extra>{s.name}</extra>",
            }
        )
    ticks, labels = style.time_ticks(first, last, grain, lang)
    layout = style.base_layout(
        240,
        margin={"l": 56, "r": 16, "t": 12, "b": 40},
        xaxis={
            "gridcolor": style.GRID,
            "tickvals": ticks,
            "ticktext": labels,
            "type": "date",
            "range": _padded(first, last, grain),
        },
        yaxis={
            "gridcolor": style.GRID,
            "zeroline": True,
            "zerolinecolor": style.MUTED,
            "title": {"text": unit},
        },
        hovermode="closest",
        separators=style.separators(lang),
    )
    return {"data": traces, "layout": layout}
