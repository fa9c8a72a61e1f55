"""Small vector pictures for the wall, drawn server-side as SVG data URIs (no scripts,
nothing from the internet; crisp at any resolution): ``sparkline``, a trend line of an
indicator's recent periods. The e-disaster map is ``disaster_map``."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe=" =:/;,.'()-")


def svg_number(value: float) -> str:
    """A coordinate as SVG wants it: one decimal at most, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def sparkline(
    values: Sequence[float], colour: str = "#bfcad8", width: float = 300, height: float = 60
) -> str | None:
    """Oldest to newest; None with fewer than two values. Stretches to its box (the stroke does not)."""
    if len(values) < 2:
        return None
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 6
    step = (width - 2 * pad) / (len(values) - 1)
    points = [
        (pad + i * step, height - pad - (v - low) / span * (height - 2 * pad))
        for i, v in enumerate(values)
    ]
    path = " ".join(f"{svg_number(x)},{svg_number(y)}" for x, y in points)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {svg_number(width)} {svg_number(height)}" '
        f'preserveAspectRatio="none"><polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
        f'stroke-linejoin="round" stroke-linecap="round"/></svg>'
    )
    return data_uri(svg)
