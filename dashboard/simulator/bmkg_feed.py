"""BMKG's public earthquake feeds (data.bmkg.go.id/DataMKG/TEWS/), JSON and XML.

- ``autogempa``: the latest quake BMKG disseminated (felt, or M ≥ 5), with ``Potensi``,
  ``Dirasakan`` and ``Shakemap``; one object.
- ``gempaterkini``: the latest 15 quakes of M ≥ 5.0 in Indonesia, with ``Potensi``.
- ``gempadirasakan``: the latest 15 felt quakes, with ``Dirasakan`` and no ``Potensi``.

Fields as BMKG writes them, all text: ``Tanggal`` ("15 Mar 2026"), ``Jam`` ("01:22:05
WIB"), ``DateTime`` (UTC, ISO 8601 with offset), ``Coordinates`` ("lat,lon"), ``Lintang``
("3.95 LU"), ``Bujur`` ("126.62 BT"), ``Magnitude`` ("5.6"), ``Kedalaman`` ("38 km"),
``Wilayah``. XML carries the position in ``<point><coordinates>``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

from dashboard.simulator.periods import month_names
from dashboard.simulator.quakes import Quake, QuakeStream

FEEDS = ("autogempa", "gempaterkini", "gempadirasakan")
LISTED = 15
WIB = timezone(timedelta(hours=7))
MONTHS = month_names("id", "abbreviated")


def _entry(quake: Quake, feed: str) -> dict[str, str]:
    local = quake.at.astimezone(WIB)
    entry = {
        "Tanggal": f"{local.day:02d} {MONTHS[local.month - 1]} {local.year}",
        "Jam": f"{local:%H:%M:%S} WIB",
        "DateTime": quake.at.isoformat(),
        "Coordinates": f"{quake.lat:.2f},{quake.lon:.2f}",
        "Lintang": f"{abs(quake.lat):.2f} {'LU' if quake.lat >= 0 else 'LS'}",
        "Bujur": f"{abs(quake.lon):.2f} {'BT' if quake.lon >= 0 else 'BB'}",
        "Magnitude": f"{quake.magnitude:.1f}",
        "Kedalaman": f"{quake.depth_km} km",
        "Wilayah": quake.wilayah_short if feed == "gempaterkini" else quake.wilayah,
    }
    if feed in ("autogempa", "gempaterkini"):
        entry["Potensi"] = quake.potensi
    if feed in ("autogempa", "gempadirasakan") and quake.felt:
        entry["Dirasakan"] = quake.felt
    if feed == "autogempa":
        entry["Shakemap"] = f"{local:%Y%m%d%H%M%S}.mmi.jpg"
    return entry


def entries(stream: QuakeStream, feed: str, now: datetime) -> list[dict[str, str]]:
    """The feed's entries at ``now``, newest first."""
    if feed == "gempaterkini":
        quakes = stream.latest(now, lambda q: q.strong, LISTED)
    elif feed == "gempadirasakan":
        quakes = stream.latest(now, lambda q: q.felt is not None, LISTED)
    else:
        quakes = stream.latest(now, lambda q: q.strong or q.felt is not None, 1)
    return [_entry(q, feed) for q in quakes]


def document(stream: QuakeStream, feed: str, fmt: str, now: datetime) -> tuple[bytes, str]:
    """(body, content type) of one feed in one format."""
    items = entries(stream, feed, now)
    if fmt == "json":
        import json

        gempa: Any = items[0] if feed == "autogempa" and items else items
        body = json.dumps({"Infogempa": {"gempa": gempa}}, ensure_ascii=False, indent=1)
        return body.encode("utf-8"), "application/json"
    return _xml(items).encode("utf-8"), "application/xml"


def _xml(items: list[dict[str, str]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<Infogempa>"]
    for item in items:
        out.append("<gempa>")
        for key, value in item.items():
            if key == "Coordinates":
                out.append(f"<point>\n<coordinates>{escape(value)}</coordinates>\n</point>")
            else:
                out.append(f"<{key}>{escape(value)}</{key}>")
        out.append("</gempa>")
    out.append("</Infogempa>")
    return "\n".join(out)
