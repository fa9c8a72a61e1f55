"""The region map drawn from official boundaries, when an operator configures a GeoJSON file.

Offline by construction: ``choroplethmap`` on the blank ``white-bg`` style (no tiles) and
no text on the map trace (map text needs glyphs from the internet). The browser fetches
the boundaries once from the app itself (``BOUNDARY_URL``), not inside every figure.

Features are matched to regions by any property holding a region's Kemendagri code,
BPS code, name or alias, so a file from BPS, BIG or the Kemendagri portal works as it is;
each matched feature gets ``id`` = the Kemendagri code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dashboard.analysis import style
from dashboard.analysis import text as fmt
from dashboard.analysis.cartogram import colorscale, rate_text
from dashboard.catalogue.models import Indicator, Region
from dashboard.regions import RegionRegistry

BOUNDARY_URL = "/analyst/boundaries.geojson"


@dataclass(frozen=True)
class Boundaries:
    geojson: dict
    matched: frozenset[str]
    center: tuple[float, float]  # lat, lon
    zoom: float


def _match(properties: Mapping, registry: RegionRegistry) -> str | None:
    """The kab/kota a feature's properties name, most explicit evidence first.

    "71.07" (dotted) is Kemendagri; a key mentioning BPS holds a BPS code; then names and
    aliases; a bare 4-digit code last, read as BPS (the dotted form is Kemendagri's).
    BPS and Kemendagri number five regencies differently, so the order matters.
    """
    texts = [
        (str(k).lower(), str(v).strip()) for k, v in properties.items() if isinstance(v, (str, int))
    ]
    attempts = (
        lambda key, text: registry.from_kemendagri(text) if "." in text else None,
        lambda key, text: registry.from_bps(text) if "bps" in key else None,
        lambda key, text: registry.from_name(text),
        lambda key, text: registry.from_bps(text) if text.isdigit() and len(text) == 4 else None,
    )
    for attempt in attempts:
        for key, text in texts:
            code = attempt(key, text)
            if code and registry.by_code[code].kind != "province":
                return code
    return None


def _coordinates(geometry: Mapping) -> Iterable[tuple[float, float]]:
    def walk(node):
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            yield float(node[0]), float(node[1])
        elif isinstance(node, (list, tuple)):
            for child in node:
                yield from walk(child)

    return walk(geometry.get("coordinates", []))


def load_boundaries(path: Path, regions: list[Region]) -> Boundaries:
    """Read and normalise a boundary file; raises ValueError when no feature names a kab/kota."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    registry = RegionRegistry(regions)
    features, matched, lons, lats = [], set(), [], []
    for feature in data.get("features", []):
        code = _match(feature.get("properties") or {}, registry)
        if code is None or code in matched:
            continue
        matched.add(code)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code},
                "geometry": feature["geometry"],
            }
        )
        for lon, lat in _coordinates(feature["geometry"]):
            lons.append(lon)
            lats.append(lat)
    if not features:
        raise ValueError(f"{path}: no feature names a kab/kota of the catalogue")
    span = max(max(lons) - min(lons), max(lats) - min(lats), 0.01)
    # Web-mercator zoom that fits the span into ~500 px (360° at zoom 0 spans 512 px).
    zoom = max(0.0, min(12.0, __import__("math").log2(360 / span) - 0.6))
    return Boundaries(
        {"type": "FeatureCollection", "features": features},
        frozenset(matched),
        ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2),
        round(zoom, 2),
    )


def choropleth_figure(
    boundaries: Boundaries,
    regions: Iterable[Region],
    values: Mapping[str, float | None],
    indicator: Indicator,
    *,
    lang: str,
    unit: str,
    geojson_url: str = BOUNDARY_URL,
    rates: Mapping[str, float | None] | None = None,
) -> dict:
    """``rates`` (counts per 100,000 residents): colour by them, as the ranking compares."""
    names = {r.code: r.label(lang) for r in regions}
    present = {c: v for c in sorted(boundaries.matched) if (v := values.get(c)) is not None}
    codes = list(present)
    missing = [c for c in sorted(boundaries.matched) if values.get(c) is None]
    data = []
    if missing:
        data.append(
            {
                "type": "choroplethmap",
                "geojson": geojson_url,
                "featureidkey": "id",
                "locations": missing,
                "z": [0] * len(missing),
                "colorscale": [[0, style.NO_DATA], [1, style.NO_DATA]],
                "showscale": False,
                "marker": {"line": {"color": "#ffffff", "width": 0.8}},
                "hovertext": [f"<b>{names.get(c, c)}</b><br>—" for c in missing],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    data.append(
        {
            "type": "choroplethmap",
            "geojson": geojson_url,
            "featureidkey": "id",
            "locations": codes,
            "z": [rates.get(c) if rates else present[c] for c in codes],
            **colorscale(indicator),
            "customdata": codes,
            "marker": {"line": {"color": "#ffffff", "width": 0.8}},
            "hovertext": [
                f"<b>{names.get(c, c)}</b><br>{fmt.number(present[c], lang, indicator.decimals)} {unit}"
                f"{rate_text(rates.get(c) if rates else None, lang)}"
                for c in codes
            ],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "colorbar": style.colorbar(y=-0.02),
        }
    )
    layout = style.base_layout(
        400,
        margin={"l": 0, "r": 0, "t": 0, "b": 40},
        map={
            "style": "white-bg",
            "center": {"lat": boundaries.center[0], "lon": boundaries.center[1]},
            "zoom": boundaries.zoom,
        },
        separators=style.separators(lang),
    )
    return {"data": data, "layout": layout}
