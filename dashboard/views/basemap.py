"""The offline coastline of North Sulawesi and its seas for the e-disaster map.

``basemap_sulut.json`` beside this file holds Natural Earth's 1:10m land (public domain),
cropped to the province's box and simplified by ``scripts/make_basemap.py``: polygons of
rings of [lon, lat]. Read once per process (it never changes while the app runs).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ASSET = Path(__file__).with_name("basemap_sulut.json")

Ring = tuple[tuple[float, float], ...]


@cache
def land() -> tuple[tuple[Ring, ...], ...]:
    """Land polygons (outer ring, then holes), each ring of (lon, lat)."""
    document = json.loads(ASSET.read_text(encoding="utf-8"))
    return tuple(
        tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
        for polygon in document["polygons"]
    )
