"""Sparklines for the domain page's small multiples: tiny SVGs as data URIs.

An ``<img>`` per card costs the browser nothing (no chart library run per card); every
card shares the same size and style, which is what makes small multiples comparable.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

WIDTH, HEIGHT, PAD = 240, 56, 4


def sparkline_uri(
    values: Sequence[float | None],
    *,
    color: str,
    target: float | None = None,
    band: tuple[float, float] | None = None,
) -> str:
    """An SVG line of ``values`` (oldest first; None leaves a gap), with a target line or band."""
    return _uri(sparkline_svg(values, color=color, target=target, band=band))


def sparkline_svg(
    values: Sequence[float | None],
    *,
    color: str,
    target: float | None = None,
    band: tuple[float, float] | None = None,
) -> str:
    """The same line as SVG markup, for a page that inlines it (the embeddable panels)."""
    present = [v for v in values if v is not None]
    if not present:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"></svg>'

    low, high = min(present), max(present)
    for extra in ((target,) if target is not None else ()) + (band or ()):
        low, high = min(low, extra), max(high, extra)
    span = (high - low) or abs(high) or 1.0

    def y(v: float) -> float:
        return round(PAD + (HEIGHT - 2 * PAD) * (1 - (v - low) / span), 1)

    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    x = [round(PAD + i * step, 1) for i in range(len(values))]
    parts = []
    if band:
        top, bottom = y(band[1]), y(band[0])
        parts.append(
            f'<rect x="0" y="{top}" width="{WIDTH}" height="{max(1.0, bottom - top)}" '
            'fill="#3ddbb3" fill-opacity="0.12"/>'
        )
    if target is not None:
        parts.append(
            f'<line x1="0" x2="{WIDTH}" y1="{y(target)}" y2="{y(target)}" stroke="#adb5bd" '
            'stroke-width="1" stroke-dasharray="4 3"/>'
        )
    runs: list[list[str]] = []
    current: list[str] = []
    for xi, v in zip(x, values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{xi},{y(v)}")
    if current:
        runs.append(current)
    for run in runs:
        parts.append(
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="2" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    last, last_value = max((i, v) for i, v in enumerate(values) if v is not None)
    parts.append(f'<circle cx="{x[last]}" cy="{y(last_value)}" r="3.2" fill="{color}"/>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(parts)}</svg>'
    )
    return svg


STRIP_W, STRIP_H = 260, 22


def strip_uri(others: Sequence[float], here: float | None, province: float | None) -> str:
    """Positions 0…100 (right is better) on one line: others grey, the province a diamond, this region a dot."""

    def x(p: float) -> str:
        return f"{8 + (STRIP_W - 16) * p / 100:.0f}"

    mid = STRIP_H // 2
    dots = "".join(f'<circle cx="{x(p)}" cy="{mid}" r="3.5"/>' for p in others)
    parts = [
        f'<path d="M8 {mid}H{STRIP_W - 8}" stroke="#495057" stroke-width="2"/>',
        f'<g fill="#adb5bd" fill-opacity=".7">{dots}</g>' if dots else "",
    ]
    if province is not None:
        cx = x(province)
        parts.append(
            f'<path d="M{cx} {mid - 7}l7 7l-7 7l-7-7z" fill="none" stroke="#f8f9fa" stroke-width="2"/>'
        )
    if here is not None:
        parts.append(f'<circle cx="{x(here)}" cy="{mid}" r="6.5" fill="#6ea8fe" stroke="#212529"/>')
    return _uri(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{STRIP_W}" height="{STRIP_H}">{"".join(parts)}</svg>'
    )


def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
