"""The e-disaster map, drawn server-side as an SVG data URI: no tiles, no scripts, nothing
from the internet, crisp at any size.

Layers, bottom up: the sea; the land (Natural Earth coastline, ``basemap``); a light
graticule; the 100/200/300 km rings around Manado; the quakes, sized by magnitude and
coloured by age (the newest with a white ring); the regency capitals as small squares;
then every label — Manado, the newest quake's magnitude, the ring distances, the
capitals by population — each placed where it covers no other label, square, ring label
or the newest quake (eight places around its point, then farther out with a leader line).

Units are kilometres of an equirectangular frame; the SVG scales to its box uniformly, so
what does not overlap here does not overlap on any screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from dashboard.views import basemap
from dashboard.views.wall_map import data_uri
from dashboard.views.wall_map import svg_number as _f

KM_PER_DEG = 111.2
FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
SEA = "#0b1a2c"
LAND = "#1e3328"
COAST = "#4f7a62"
GRID = "#1d3550"
GRID_TEXT = "#8fa6bd"
RING = "#7f9bb8"
RING_OUTER = "#ffc53d"
PLACE = "#e8eef5"
HALO = "#0b1a2c"
AGE_STYLE = {
    "day": 'fill="#ff7a66" fill-opacity="0.85" stroke="#ffd4cc" stroke-width="{w}"',
    "window": 'fill="#ffc53d" fill-opacity="0.4" stroke="#ffc53d" stroke-width="{w}"',
    "old": 'fill="none" stroke="#aab7c9" stroke-width="{w}"',
}
# Average advance of a character, in ems (a little wide of Liberation Sans, so an estimate
# never comes out smaller than the text the browser draws).
CHAR_EM = 0.6
BOLD_CHAR_EM = 0.66
# A text's box reaches this far above and below its baseline (the font's ascent and
# descent, with a little room), in ems: what the browser measures as the label.
ASCENT = 0.95
DESCENT = 0.27


@dataclass(frozen=True)
class MapFrame:
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    @property
    def _kx(self) -> float:
        return KM_PER_DEG * math.cos(math.radians((self.lat_min + self.lat_max) / 2))

    @property
    def width(self) -> float:
        return (self.lon_max - self.lon_min) * self._kx

    @property
    def height(self) -> float:
        return (self.lat_max - self.lat_min) * KM_PER_DEG

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """Kilometres from the frame's top-left corner (equirectangular)."""
        return (lon - self.lon_min) * self._kx, (self.lat_max - lat) * KM_PER_DEG

    def contains(self, lat: float, lon: float) -> bool:
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    weight: float  # bigger places get their label first


@dataclass(frozen=True)
class QuakePoint:
    lat: float
    lon: float
    magnitude: float
    age_class: str  # "day", "window", "old"
    label: str | None = None  # the newest quake's "M 5,6"


Box = tuple[float, float, float, float]  # left, top, right, bottom
# Where a label may go, in order: right by its point, left, the diagonals, above, below;
# then farther out in twelve directions with a leader line back to the point.
_AROUND = ((1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1), (0, -1), (0, 1))
_AROUND_FAR = tuple(
    (round(math.cos(math.radians(a)), 3), round(math.sin(math.radians(a)), 3))
    for a in (0, 180, 330, 210, 30, 150, 300, 240, 60, 120, 270, 90)
)
# Distances beyond the marker, in label sizes: beside it, then leader lines of growing length.
_REACHES = ((0.3, False), (1.5, True), (2.6, True), (3.8, True), (5.2, True))


def quake_radius(magnitude: float, height: float) -> float:
    """Grows by half for every step of magnitude: M3 a dot, M6 a disc."""
    return height / 95 * 1.5 ** (magnitude - 3)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Labels:
    """Places labels one by one, each clear of everything placed (or reserved) before."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.taken: list[Box] = []
        self.svg: list[str] = []

    def reserve(self, box: Box) -> None:
        self.taken.append(box)

    def fits(self, box: Box) -> bool:
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= self.width and box[3] <= self.height
        return inside and not any(_overlap(box, t) for t in self.taken)

    def place(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        fill: str,
        *,
        clearance: float,
        bold: bool = False,
        css: str = "place-label",
        far: bool = True,
    ) -> bool:
        """Label the point (x, y) whose marker reaches ``clearance`` from it."""
        width = len(text) * size * (BOLD_CHAR_EM if bold else CHAR_EM)
        ascent, descent = ASCENT * size, DESCENT * size
        for reach, leader in _REACHES if far else _REACHES[:1]:
            for dx, dy in _AROUND if not leader else _AROUND_FAR:
                length = math.hypot(dx, dy)
                ux, uy = dx / length, dy / length
                ax, ay = x + ux * (clearance + reach * size), y + uy * (clearance + reach * size)
                left = ax if ux > 0.3 else ax - width if ux < -0.3 else ax - width / 2
                baseline = (
                    ay + (ascent - descent) / 2
                    if abs(uy) <= 0.3
                    else ay - descent
                    if uy < 0
                    else ay + ascent
                )
                box = (left, baseline - ascent, left + width, baseline + descent)
                if not self.fits(box):
                    continue
                self.taken.append(box)
                if leader:
                    self.svg.append(
                        f'<line class="leader" x1="{_f(x + ux * clearance)}" y1="{_f(y + uy * clearance)}" '
                        f'x2="{_f(ax)}" y2="{_f(ay)}" stroke="{fill}" stroke-width="{_f(size * 0.09)}" '
                        f'stroke-opacity="0.9"/>'
                    )
                self.svg.append(
                    _text(left, baseline, text, size, fill, bold=bold, css=css, halo=size * 0.28)
                )
                return True
        return False


def _text(
    left: float,
    baseline: float,
    text: str,
    size: float,
    fill: str,
    *,
    bold: bool = False,
    css: str = "",
    halo: float = 0.0,
) -> str:
    stroke = (
        f' stroke="{HALO}" stroke-width="{_f(halo)}" stroke-linejoin="round" paint-order="stroke"'
        if halo
        else ""
    )
    return (
        f'<text class="{css}" x="{_f(left)}" y="{_f(baseline)}" font-size="{_f(size)}" '
        f'fill="{fill}" font-weight="{"700" if bold else "400"}" font-family="{FONT}"{stroke}>'
        f"{escape(text)}</text>"
    )


def _land(frame: MapFrame) -> str:
    paths = []
    for polygon in basemap.land():
        rings = []
        for ring in polygon:
            points = [frame.xy(lat, lon) for lon, lat in ring]
            rings.append("M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in points) + "Z")
        paths.append("".join(rings))
    return (
        f'<path class="land" d="{" ".join(paths)}" fill="{LAND}" fill-rule="evenodd" '
        f'stroke="{COAST}" stroke-width="{_f(frame.height / 600)}" stroke-linejoin="round"/>'
    )


def _graticule(frame: MapFrame, size: float, lang: str, labels: _Labels) -> list[str]:
    out = []
    for lon in range(math.ceil(frame.lon_min), math.floor(frame.lon_max) + 1):
        x, _ = frame.xy(frame.lat_min, lon)
        out.append(
            f'<line x1="{_f(x)}" y1="0" x2="{_f(x)}" y2="{_f(frame.height)}" stroke="{GRID}" '
            f'stroke-width="{_f(frame.height / 700)}"/>'
        )
        text = f"{lon}°{'BT' if lang == 'id' else 'E'}"
        box = (
            x + size * 0.25,
            frame.height - size * (0.32 + ASCENT),
            x + size * (0.25 + len(text) * CHAR_EM),
            frame.height - size * (0.32 - DESCENT),
        )
        if labels.fits(box):
            labels.reserve(box)
            out.append(
                _text(box[0], frame.height - size * 0.32, text, size, GRID_TEXT, css="grid-label")
            )
    for lat in range(math.ceil(frame.lat_min), math.floor(frame.lat_max) + 1):
        _, y = frame.xy(lat, frame.lon_min)
        out.append(
            f'<line x1="0" y1="{_f(y)}" x2="{_f(frame.width)}" y2="{_f(y)}" stroke="{GRID}" '
            f'stroke-width="{_f(frame.height / 700)}"/>'
        )
        hemi = ("LU" if lat >= 0 else "LS") if lang == "id" else ("N" if lat >= 0 else "S")
        text = f"{abs(lat)}°{hemi}"
        baseline = y - size * (DESCENT + 0.05)
        box = (
            size * 0.25,
            baseline - size * ASCENT,
            size * (0.25 + len(text) * CHAR_EM),
            baseline + size * DESCENT,
        )
        if labels.fits(box):
            labels.reserve(box)
            out.append(_text(box[0], baseline, text, size, GRID_TEXT, css="grid-label"))
    return out


def _rings(frame: MapFrame, origin: Place, rings_km: Sequence[float]) -> list[str]:
    ox, oy = frame.xy(origin.lat, origin.lon)
    outer = max(rings_km, default=0)
    out = []
    for r in sorted(rings_km):
        colour, width, dash = (
            (RING_OUTER, frame.height / 260, "10 6")
            if r == outer
            else (RING, frame.height / 420, "6 6")
        )
        out.append(
            f'<circle class="ring" cx="{_f(ox)}" cy="{_f(oy)}" r="{_f(r)}" fill="none" '
            f'stroke="{colour}" stroke-width="{_f(width)}" stroke-dasharray="{dash}"/>'
        )
    return out


def _ring_labels(
    frame: MapFrame, origin: Place, rings_km: Sequence[float], size: float, labels: _Labels
) -> None:
    """Each distance on its ring, where it is clear: over the Sulawesi Sea (north-west) first."""
    ox, oy = frame.xy(origin.lat, origin.lon)
    outer = max(rings_km, default=0)
    for r in sorted(rings_km):
        text = f"{r:g} km"
        width = len(text) * size * BOLD_CHAR_EM
        for degrees in (315, 300, 330, 285, 345, 45, 30, 60, 225, 135, 270, 90):
            angle = math.radians(degrees)
            cx, cy = ox + r * math.sin(angle), oy - r * math.cos(angle)
            baseline = cy + 0.33 * size
            box = (
                cx - width / 2,
                baseline - ASCENT * size,
                cx + width / 2,
                baseline + DESCENT * size,
            )
            if labels.fits(box):
                labels.reserve(box)
                labels.svg.append(
                    _text(
                        box[0],
                        baseline,
                        text,
                        size,
                        RING_OUTER if r == outer else RING,
                        bold=True,
                        css="ring-label",
                        halo=size * 0.32,
                    )
                )
                break


def _quakes(frame: MapFrame, quakes: Sequence[QuakePoint]) -> list[str]:
    order = {"old": 0, "window": 1, "day": 2}
    out = []
    line = frame.height / 420
    for q in sorted(quakes, key=lambda q: (q.label is not None, order[q.age_class], q.magnitude)):
        x, y = frame.xy(q.lat, q.lon)
        r = quake_radius(q.magnitude, frame.height)
        style = AGE_STYLE[q.age_class].format(w=_f(line * 1.6))
        out.append(
            f'<circle class="quake age-{q.age_class}" cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {style}/>'
        )
        if q.label:
            out.append(
                f'<circle class="quake-newest" cx="{_f(x)}" cy="{_f(y)}" r="{_f(r + line * 5)}" '
                f'fill="none" stroke="#ffffff" stroke-width="{_f(line * 2.5)}"/>'
            )
    return out


def quake_map(
    frame: MapFrame,
    origin: Place,
    rings_km: Sequence[float],
    places: Sequence[Place],
    quakes: Sequence[QuakePoint],
    lang: str,
) -> str:
    """The e-disaster map as an SVG data URI (kilometre units; it scales to its box)."""
    size = frame.height / 36  # label size: under 3 % of the map's height
    shown = [q for q in quakes if frame.contains(q.lat, q.lon)]
    labels = _Labels(frame.width, frame.height)
    ox, oy = frame.xy(origin.lat, origin.lon)
    arm = size * 0.55
    labels.reserve((ox - arm, oy - arm, ox + arm, oy + arm))
    half = size * 0.26
    capitals = [
        p
        for p in sorted(places, key=lambda p: -p.weight)
        if frame.contains(p.lat, p.lon) and (p.lat, p.lon) != (origin.lat, origin.lon)
    ]
    squares = []
    for p in capitals:
        x, y = frame.xy(p.lat, p.lon)
        labels.reserve((x - half, y - half, x + half, y + half))
        squares.append(
            f'<rect class="capital" x="{_f(x - half)}" y="{_f(y - half)}" width="{_f(2 * half)}" '
            f'height="{_f(2 * half)}" fill="{PLACE}" stroke="{HALO}" stroke-width="{_f(half * 0.4)}"/>'
        )
    newest = next((q for q in shown if q.label), None)
    if newest is not None:
        x, y = frame.xy(newest.lat, newest.lon)
        r = quake_radius(newest.magnitude, frame.height) + frame.height / 420 * 6
        labels.reserve((x - r, y - r, x + r, y + r))
    grid = _graticule(frame, size * 0.78, lang, labels)
    # Manado first, bold; then the newest quake's magnitude, the rings, the capitals.
    labels.place(
        ox, oy, origin.name, size * 1.05, RING_OUTER, clearance=arm, bold=True, css="origin-label"
    )
    if newest is not None:
        x, y = frame.xy(newest.lat, newest.lon)
        r = quake_radius(newest.magnitude, frame.height) + frame.height / 420 * 6
        labels.place(
            x,
            y,
            newest.label or "",
            size * 1.35,
            "#ffffff",
            clearance=r,
            bold=True,
            css="quake-label",
        )
    _ring_labels(frame, origin, rings_km, size * 0.9, labels)
    for p in capitals:
        x, y = frame.xy(p.lat, p.lon)
        labels.place(x, y, p.name, size * 0.86, PLACE, clearance=half)
    body = [
        f'<rect width="{_f(frame.width)}" height="{_f(frame.height)}" fill="{SEA}"/>',
        _land(frame),
        *(g for g in grid if g.startswith("<line")),
        *_rings(frame, origin, rings_km),
        *_quakes(frame, shown),
        f'<path class="origin" d="M{_f(ox - arm)} {_f(oy)}H{_f(ox + arm)}M{_f(ox)} {_f(oy - arm)}V{_f(oy + arm)}" '
        f'stroke="{RING_OUTER}" stroke-width="{_f(size * 0.18)}"/>',
        *squares,
        *(g for g in grid if g.startswith("<text")),
        *labels.svg,
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(frame.width)} {_f(frame.height)}" '
        f'preserveAspectRatio="xMidYMid meet">{"".join(body)}</svg>'
    )
    return data_uri(svg)
