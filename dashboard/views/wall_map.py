"""Vector pictures for the wall, drawn server-side as SVG data URIs (no tiles, no scripts,
nothing from the internet; crisp at any resolution).

- ``quake_map``: recent earthquakes as points on a plain lon/lat frame of the province and
  its seas, with distance rings around the origin (Manado) and the regency capitals as
  reference points: a point map that needs no coastline file.
- ``sparkline``: a small trend line of an indicator's recent periods.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

KM_PER_DEG = 111.2
FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
SEA = "#0a1828"
GRID = "#233b57"
GRID_TEXT = "#9fb3c8"
RING = "#7f9bb8"
RING_OUTER = "#ffc53d"
PLACE = "#e8eef5"
RECENT = "#ff7a66"  # < 24 h: filled
WEEK = "#ffc53d"  # older, within the window: half-filled
OLD = "#aab7c9"  # outline only


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
    label: str | None = None  # the latest quake's "M 5,6"


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe=" =:/;,.'()-")


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    fill: str,
    anchor: str = "start",
    weight: str = "400",
) -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}" fill="{fill}" text-anchor="{anchor}" '
        f'font-weight="{weight}" font-family="{FONT}">{escape(text)}</text>'
    )


def _graticule(frame: MapFrame, size: float, lang: str) -> list[str]:
    out = []
    for lon in range(math.ceil(frame.lon_min), math.floor(frame.lon_max) + 1):
        x, _ = frame.xy(frame.lat_min, lon)
        out.append(
            f'<line x1="{_f(x)}" y1="0" x2="{_f(x)}" y2="{_f(frame.height)}" stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            _text(
                x + size * 0.3,
                frame.height - size * 0.5,
                f"{lon}°{'BT' if lang == 'id' else 'E'}",
                size,
                GRID_TEXT,
            )
        )
    for lat in range(math.ceil(frame.lat_min), math.floor(frame.lat_max) + 1):
        _, y = frame.xy(lat, frame.lon_min)
        out.append(
            f'<line x1="0" y1="{_f(y)}" x2="{_f(frame.width)}" y2="{_f(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        hemi = ("LU" if lat >= 0 else "LS") if lang == "id" else ("N" if lat >= 0 else "S")
        out.append(_text(size * 0.3, y - size * 0.3, f"{abs(lat)}°{hemi}", size, GRID_TEXT))
    return out


def _rings(
    frame: MapFrame, origin: tuple[float, float], rings_km: Sequence[float], size: float
) -> list[str]:
    ox, oy = frame.xy(*origin)
    out = []
    outer = max(rings_km, default=0)
    for r in sorted(rings_km):
        colour, width, dash = (RING_OUTER, 2.2, "10 6") if r == outer else (RING, 1.4, "6 6")
        out.append(
            f'<circle cx="{_f(ox)}" cy="{_f(oy)}" r="{_f(r)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" stroke-dasharray="{dash}"/>'
        )
        out.append(_text(ox, oy - r - size * 0.35, f"{r:g} km", size, colour, "middle", "700"))
    arm = size * 0.6
    out.append(
        f'<path d="M{_f(ox - arm)} {_f(oy)}H{_f(ox + arm)}M{_f(ox)} {_f(oy - arm)}V{_f(oy + arm)}" '
        f'stroke="{RING_OUTER}" stroke-width="2.5"/>'
    )
    return out


def _places(
    frame: MapFrame, places: Sequence[Place], size: float, obstacles: list[tuple], origin: Place
) -> list[str]:
    """Capitals as small squares; a label right of its point, else left, else none: labels
    cover no other label, square or quake (``obstacles``: boxes already taken). The origin
    (a cross, not a square) is labelled first, in bold, left of its cross."""
    ox, oy = frame.xy(origin.lat, origin.lon)
    width = 0.6 * size * len(origin.name)
    label = (ox - size * 0.9 - width, oy - size * 0.75, ox - size * 0.9, oy + size * 0.3)
    out = [_text(ox - size * 0.9, oy + size * 0.3, origin.name, size, RING_OUTER, "end", "700")]
    half = size * 0.32
    shown = [
        p
        for p in sorted(places, key=lambda p: -p.weight)
        if frame.contains(p.lat, p.lon) and p.name != origin.name
    ]
    taken = [*obstacles, label]
    for p in shown:
        x, y = frame.xy(p.lat, p.lon)
        out.append(
            f'<rect x="{_f(x - half)}" y="{_f(y - half)}" width="{_f(2 * half)}" height="{_f(2 * half)}" '
            f'fill="{PLACE}"/>'
        )
        taken.append((x - half, y - half, x + half, y + half))
    for p in shown:
        x, y = frame.xy(p.lat, p.lon)
        width = 0.56 * size * len(p.name)
        for anchor, left in (("start", x + size * 0.6), ("end", x - size * 0.6 - width)):
            box = (left, y - size * 0.75, left + width, y + size * 0.3)
            inside = (
                box[0] >= 0 and box[2] <= frame.width and box[1] >= 0 and box[3] <= frame.height
            )
            if inside and not any(_overlap(box, t) for t in taken):
                taken.append(box)
                out.append(
                    _text(
                        x + size * 0.6 if anchor == "start" else x - size * 0.6,
                        y + size * 0.3,
                        p.name,
                        size,
                        PLACE,
                        anchor,
                    )
                )
                break
    return out


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def quake_radius(magnitude: float) -> float:
    return max((magnitude - 1.5) * 4.5, 4.0)


def _quakes(frame: MapFrame, quakes: Sequence[QuakePoint], size: float) -> list[str]:
    order = {"old": 0, "window": 1, "day": 2}
    out = []
    for q in sorted(quakes, key=lambda q: (q.label is not None, order[q.age_class])):
        x, y = frame.xy(q.lat, q.lon)
        r = quake_radius(q.magnitude)
        if q.age_class == "day":
            style = f'fill="{RECENT}" fill-opacity="0.9" stroke="#ffffff" stroke-width="1.5"'
        elif q.age_class == "window":
            style = f'fill="{WEEK}" fill-opacity="0.45" stroke="{WEEK}" stroke-width="2"'
        else:
            style = f'fill="none" stroke="{OLD}" stroke-width="2"'
        out.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {style}/>')
        if q.label:
            out.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r + 7)}" fill="none" stroke="#ffffff" '
                f'stroke-width="3"/>'
            )
            right = x + r + 10 + 0.6 * size * 1.5 * len(q.label) < frame.width
            out.append(
                _text(
                    x + r + 10 if right else x - r - 10,
                    y + size * 0.5,
                    q.label,
                    size * 1.5,
                    "#ffffff",
                    "start" if right else "end",
                    "800",
                )
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
    size = frame.height / 34  # label size: ~3 % of the map's height
    shown = [q for q in quakes if frame.contains(q.lat, q.lon)]
    ox, oy = frame.xy(origin.lat, origin.lon)
    obstacles = [(ox - size, oy - size, ox + size, oy + size)]
    for q in shown:
        x, y = frame.xy(q.lat, q.lon)
        r = quake_radius(q.magnitude)
        obstacles.append((x - r, y - r, x + r, y + r))
    body = [
        f'<rect width="{_f(frame.width)}" height="{_f(frame.height)}" fill="{SEA}"/>',
        *_graticule(frame, size * 0.8, lang),
        *_rings(frame, (origin.lat, origin.lon), rings_km, size),
        *_places(frame, places, size, obstacles, origin),
        *_quakes(frame, shown, size),
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(frame.width)} {_f(frame.height)}" '
        f'preserveAspectRatio="xMidYMid meet">{"".join(body)}</svg>'
    )
    return data_uri(svg)


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
    path = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'preserveAspectRatio="none"><polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
        f'stroke-linejoin="round" stroke-linecap="round"/></svg>'
    )
    return data_uri(svg)
