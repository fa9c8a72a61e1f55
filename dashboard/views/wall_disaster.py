"""The e-disaster screen: recent earthquakes from the event table, the newest in full
(magnitude, depth, place, distance from Manado, felt reports on the MMI scale, tsunami
potential in BMKG's own words, time in WITA), the map, and a list of the ones before it.
Also the earthquake half of the emergency takeover rule.

Labels of this screen live here (``LABELS``); the map is ``disaster_map``, the layout
``layouts/wall_disaster.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import WITA
from dashboard.geo import distance_km
from dashboard.store.queries import QuakeRow, SourceRuns, recent_quakes, source_runs
from dashboard.views.disaster_map import MapFrame, Place, QuakePoint, quake_map
from dashboard.views.wall import Freshness, freshness
from dashboard.wall_config import WallConfig

# none: "Tidak berpotensi tsunami"; possible: BMKG names a tsunami potential; felt: BMKG's
# notice for a felt quake ("Gempa ini dirasakan untuk diteruskan pada masyarakat"), which is
# no tsunami warning; absent: the entry states none (BMKG's felt list carries no Potensi).
Tsunami = Literal["none", "possible", "felt", "absent"]
# BMKG opens a place with where the centre lies; the list keeps only the place itself.
_PREAMBLE = re.compile(r"^pusat gempa berada di (?:laut|darat)\s+", re.I)

LABELS = {
    "id": {
        "felt": "Dirasakan (MMI)",
        "tsunami.felt": "Gempa dirasakan: BMKG meminta informasi diteruskan kepada masyarakat",
        "recent": "Gempa sebelumnya",
        "recent.empty": "Tidak ada gempa lain dalam {days} hari terakhir",
        "source": "Sumber: BMKG",
    },
    "en": {
        "felt": "Felt (MMI)",
        "tsunami.felt": "Felt earthquake: BMKG asks for the news to be passed on to the public",
        "recent": "Earlier earthquakes",
        "recent.empty": "No other earthquakes in the last {days} days",
        "source": "Source: BMKG",
    },
}


def label(key: str, lang: str, **values: object) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


def tsunami_of(extra: Mapping[str, Any]) -> tuple[Tsunami, str | None]:
    """BMKG's ``Potensi`` in a word, and BMKG's own text."""
    text = str(extra.get("Potensi") or "").strip()
    low = text.lower()
    if not text:
        return "absent", None
    if "tidak berpotensi" in low or "no tsunami" in low:
        return "none", text
    if "tsunami" in low:
        return "possible", text
    if "dirasakan" in low:
        return "felt", text
    return "absent", text


def tsunami_words(kind: Tsunami, raw: str | None, lang: str) -> str | None:
    """What the card says: BMKG's words in Indonesian; a fixed phrase in English."""
    if kind == "absent":
        return None
    if kind == "felt":
        return raw if lang == "id" and raw else label("tsunami.felt", lang)
    if lang == "id" and raw:
        return raw
    words = i18n.label(f"wall.quake.tsunami.{kind}", lang)
    return f"{words} ({raw})" if kind == "possible" and raw else words


@dataclass(frozen=True)
class QuakeView:
    id: int
    magnitude: float | None
    magnitude_text: str  # "5,6"
    depth_text: str  # "10 km"
    place: str
    place_short: str  # without BMKG's "Pusat gempa berada di laut": for the list
    distance_text: str | None  # "152 km dari Manado"
    distance_km: float | None
    tsunami: Tsunami
    tsunami_text: str | None  # None: the entry states no tsunami potential
    felt_text: str | None  # BMKG's "III Melonguane, II - III Tahuna"
    when_text: str  # "Sabtu, 28 November 2026 14.05 WITA"
    time_text: str  # "28 Nov 14.05"
    ago_text: str  # "12 menit lalu"
    occurred_at: datetime
    age_class: str  # day, window, old
    strong: bool  # meets the takeover rule (magnitude and distance)


@dataclass(frozen=True)
class DisasterView:
    latest: QuakeView | None
    earlier: tuple[QuakeView, ...]
    slots: int  # rows the list is laid out for (it fills its column)
    summary: str  # "12 gempa · 1 gempa M≥5 dalam 300 km · 2 di luar peta"
    empty_text: str
    earlier_title: str
    earlier_empty: str
    felt_label: str
    period: str
    freshness: Freshness
    source_id: str | None
    source_text: str
    map_src: str
    legend: tuple[tuple[str, str], ...]  # (age class, label)
    rings_text: str


def age_class(occurred_at: datetime, now: datetime) -> str:
    hours = (now - occurred_at).total_seconds() / 3600
    return "day" if hours < 24 else "window" if hours < 72 else "old"


def quake_view(
    row: QuakeRow,
    config: WallConfig,
    origin_name: str,
    origin: tuple[float, float],
    now: datetime,
    lang: str,
) -> QuakeView:
    rule = config.takeover.earthquake
    km = (
        distance_km(origin[0], origin[1], row.lat, row.lon)
        if row.lat is not None and row.lon is not None
        else None
    )
    kind, raw = tsunami_of(row.extra)
    place = row.description or (
        i18n.label(
            "wall.quake.at",
            lang,
            lat=i18n.number(row.lat, lang, 2),
            lon=i18n.number(row.lon, lang, 2),
        )
        if row.lat is not None and row.lon is not None
        else "—"
    )
    felt = str(row.extra.get("Dirasakan") or "").strip() or None
    return QuakeView(
        id=row.id,
        magnitude=row.magnitude,
        magnitude_text=i18n.number(row.magnitude, lang, 1) if row.magnitude is not None else "—",
        depth_text=i18n.label("wall.quake.km", lang, km=i18n.number(row.depth_km, lang, 0))
        if row.depth_km is not None
        else "—",
        place=place,
        place_short=_PREAMBLE.sub("", place) or place,
        distance_text=i18n.label(
            "wall.quake.distance", lang, km=i18n.number(km, lang, 0), origin=origin_name
        )
        if km is not None
        else None,
        distance_km=km,
        tsunami=kind,
        tsunami_text=tsunami_words(kind, raw, lang),
        felt_text=felt,
        when_text=i18n.wita_datetime(row.occurred_at, lang),
        time_text=_short_time(row.occurred_at, lang),
        ago_text=i18n.age(row.occurred_at, now, lang),
        occurred_at=row.occurred_at,
        age_class=age_class(row.occurred_at, now),
        strong=(
            row.magnitude is not None
            and km is not None
            and row.magnitude >= rule.min_magnitude
            and km <= rule.max_distance_km
        ),
    )


def _short_time(moment: datetime, lang: str) -> str:
    """ "28 Nov 14.05" (WITA): the recent list's time, one line."""
    from babel.dates import format_datetime

    pattern = "d MMM HH.mm" if lang == "id" else "d MMM HH:mm"
    return format_datetime(moment, pattern, tzinfo=WITA, locale=lang)


def places_of(catalogue: Catalogue) -> list[Place]:
    """The regency and city capitals, labelled by name (the province's capital is the origin)."""
    return [
        Place(r.capital or r.short_name, r.lat, r.lon, r.population)
        for r in catalogue.regions
        if r.kind != "province"
    ]


def map_frame(config: WallConfig) -> MapFrame:
    return MapFrame(**config.disaster.frame.model_dump())


def disaster_view(
    rows: Sequence[QuakeRow],
    config: WallConfig,
    catalogue: Catalogue,
    runs: Mapping[str, SourceRuns],
    now: datetime,
    lang: str,
) -> DisasterView:
    """``rows`` newest first, all within the screen's window."""
    origin = config.takeover.origin
    settings = config.disaster
    views = [quake_view(r, config, origin.name, (origin.lat, origin.lon), now, lang) for r in rows]
    frame = map_frame(config)
    points = [
        QuakePoint(r.lat, r.lon, r.magnitude, v.age_class, None)
        for r, v in zip(rows, views)
        if r.lat is not None and r.lon is not None and r.magnitude is not None
    ]
    if points:  # the newest placed quake carries its magnitude
        points[0] = replace(points[0], label=f"M {i18n.number(points[0].magnitude, lang, 1)}")
    outside = sum(1 for p in points if not frame.contains(p.lat, p.lon))
    rule = config.takeover.earthquake
    strong = sum(1 for v in views if v.strong)
    summary = [i18n.label("wall.quake.count", lang, n=len(views))]
    if strong:
        summary.append(
            i18n.label(
                "wall.quake.strong",
                lang,
                n=strong,
                mag=i18n.number(rule.min_magnitude, lang, 1),
                km=i18n.number(rule.max_distance_km, lang, 0),
            )
        )
    if outside:
        summary.append(i18n.label("wall.quake.outside", lang, n=outside))
    # Fetched: the feeds' last successful run (an empty feed is news too), else when the
    # newest was stored.
    feeds = [s.id for s in catalogue.sources if s.kind == "bmkg"]
    source_id = rows[0].source_id if rows else (feeds[0] if feeds else None)
    stored = rows[0].stored_at or rows[0].occurred_at if rows else None
    return DisasterView(
        latest=views[0] if views else None,
        earlier=tuple(views[1 : 1 + settings.listed]),
        slots=settings.listed,
        summary=" · ".join(summary),
        empty_text=i18n.label("wall.quake.none", lang, days=settings.days),
        earlier_title=label("recent", lang),
        earlier_empty=label("recent.empty", lang, days=settings.days),
        felt_label=label("felt", lang),
        period=i18n.label("wall.quake.period", lang, days=settings.days),
        freshness=freshness(source_id, stored, runs, catalogue, now, lang),
        source_id=source_id,
        source_text=label("source", lang),
        map_src=quake_map(
            frame,
            Place(origin.name, origin.lat, origin.lon, 0),
            settings.rings_km,
            places_of(catalogue),
            points,
            lang,
        ),
        legend=tuple((c, i18n.label(f"wall.legend.{c}", lang)) for c in ("day", "window", "old")),
        rings_text=i18n.label("wall.legend.rings", lang, origin=origin.name),
    )


def load_disaster(
    conn: Connection,
    config: WallConfig,
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    runs: Mapping[str, SourceRuns] | None = None,
) -> DisasterView:
    settings = config.disaster
    rows = recent_quakes(
        conn,
        config.takeover.earthquake.event_kinds,
        now - timedelta(days=settings.days),
        limit=settings.max_events,
    )
    return disaster_view(
        rows, config, catalogue, runs if runs is not None else source_runs(conn), now, lang
    )


def single_quake_map(
    row: QuakeRow, config: WallConfig, catalogue: Catalogue, lang: str
) -> str | None:
    """The map of one quake (the takeover's), or None without a position."""
    if row.lat is None or row.lon is None or row.magnitude is None:
        return None
    origin = config.takeover.origin
    point = QuakePoint(
        row.lat, row.lon, row.magnitude, "day", f"M {i18n.number(row.magnitude, lang, 1)}"
    )
    return quake_map(
        map_frame(config),
        Place(origin.name, origin.lat, origin.lon, 0),
        config.disaster.rings_km,
        places_of(catalogue),
        [point],
        lang,
    )
