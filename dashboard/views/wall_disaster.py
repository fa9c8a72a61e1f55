"""The e-disaster screen: recent earthquakes from the event table, the latest one in full
(magnitude, depth, place, distance from Manado, tsunami potential, time ago), and the
map. Also the earthquake half of the emergency takeover rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.store.queries import QuakeRow, SourceRuns, recent_quakes, source_runs
from dashboard.views.wall import Freshness, freshness
from dashboard.views.wall_map import MapFrame, Place, QuakePoint, quake_map
from dashboard.wall_config import WallConfig

EARTH_RADIUS_KM = 6371.0
Tsunami = Literal["none", "possible", "unknown"]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a spherical earth."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def tsunami_of(extra: Mapping[str, Any]) -> tuple[Tsunami, str | None]:
    """BMKG's ``Potensi`` in a word (none / possible / unknown) and BMKG's own text."""
    text = str(extra.get("Potensi") or "").strip()
    low = text.lower()
    if "tidak berpotensi" in low or "no tsunami" in low:
        return "none", text
    if "tsunami" in low:
        return "possible", text
    return "unknown", text or None


@dataclass(frozen=True)
class QuakeView:
    id: int
    magnitude: float | None
    magnitude_text: str  # "5,6"
    depth_text: str  # "10 km"
    place: str
    distance_text: str | None  # "152 km dari Manado"
    tsunami: Tsunami
    tsunami_text: str
    when_text: str  # "Sabtu, 28 November 2026 14.05 WITA"
    ago_text: str  # "12 menit lalu"
    occurred_at: datetime
    strong: bool  # meets the takeover rule (magnitude and distance)


@dataclass(frozen=True)
class DisasterView:
    latest: QuakeView | None
    earlier: tuple[QuakeView, ...]
    summary: str  # "12 gempa · 1 gempa M≥5 dalam 300 km · 2 di luar peta"
    empty_text: str
    period: str
    freshness: Freshness
    source_id: str | None
    map_src: str
    legend: tuple[tuple[str, str], ...]  # (age class, label)
    rings_text: str


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
    # BMKG's own wording in Indonesian; the fixed phrase in English.
    tsunami_text = raw if (lang == "id" and raw) else i18n.t(f"wall.quake.tsunami.{kind}", lang)
    if kind == "possible" and lang == "en" and raw:
        tsunami_text = f"{tsunami_text} ({raw})"
    place = row.description or (
        i18n.t(
            "wall.quake.at",
            lang,
            lat=i18n.number(row.lat, lang, 2),
            lon=i18n.number(row.lon, lang, 2),
        )
        if row.lat is not None and row.lon is not None
        else "—"
    )
    return QuakeView(
        id=row.id,
        magnitude=row.magnitude,
        magnitude_text=i18n.number(row.magnitude, lang, 1) if row.magnitude is not None else "—",
        depth_text=i18n.t("wall.quake.km", lang, km=i18n.number(row.depth_km, lang, 0))
        if row.depth_km is not None
        else "—",
        place=place,
        distance_text=i18n.t(
            "wall.quake.distance", lang, km=i18n.number(km, lang, 0), origin=origin_name
        )
        if km is not None
        else None,
        tsunami=kind,
        tsunami_text=tsunami_text,
        when_text=i18n.wita_datetime(row.occurred_at, lang),
        ago_text=i18n.age(row.occurred_at, now, lang),
        occurred_at=row.occurred_at,
        strong=(
            row.magnitude is not None
            and km is not None
            and row.magnitude >= rule.min_magnitude
            and km <= rule.max_distance_km
        ),
    )


def age_class(occurred_at: datetime, now: datetime) -> str:
    hours = (now - occurred_at).total_seconds() / 3600
    return "day" if hours < 24 else "window" if hours < 72 else "old"


def places_of(catalogue: Catalogue) -> list[Place]:
    return [
        Place(r.short_name, r.lat, r.lon, r.population)
        for r in catalogue.regions
        if r.kind != "province"
    ]


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
    frame = MapFrame(**settings.frame.model_dump())
    placed = [
        (r.occurred_at, lat, lon, magnitude)
        for r in rows
        if (lat := r.lat) is not None
        and (lon := r.lon) is not None
        and (magnitude := r.magnitude) is not None
    ]
    points = [
        QuakePoint(
            lat,
            lon,
            magnitude,
            age_class(occurred_at, now),
            f"M {i18n.number(magnitude, lang, 1)}" if i == 0 else None,
        )
        for i, (occurred_at, lat, lon, magnitude) in enumerate(placed)
    ]
    outside = sum(1 for _, lat, lon, _ in placed if not frame.contains(lat, lon))
    rule = config.takeover.earthquake
    strong = sum(1 for v in views if v.strong)
    summary = [i18n.t("wall.quake.count", lang, n=len(views))]
    if strong:
        summary.append(
            i18n.t(
                "wall.quake.strong",
                lang,
                n=strong,
                mag=i18n.number(rule.min_magnitude, lang, 1),
                km=i18n.number(rule.max_distance_km, lang, 0),
            )
        )
    if outside:
        summary.append(i18n.t("wall.quake.outside", lang, n=outside))
    # Fetched: the feed's last successful run (an empty feed is news too), else when the latest was stored.
    feeds = [s.id for s in catalogue.sources if s.kind == "bmkg"]
    source_id = rows[0].source_id if rows else (feeds[0] if feeds else None)
    stored = rows[0].stored_at or rows[0].occurred_at if rows else None
    return DisasterView(
        latest=views[0] if views else None,
        earlier=tuple(views[1 : 1 + settings.listed]),
        summary=" · ".join(summary),
        empty_text=i18n.t("wall.quake.none", lang, days=settings.days),
        period=i18n.t("wall.quake.period", lang, days=settings.days),
        freshness=freshness(source_id, stored, runs, catalogue, now, lang),
        source_id=source_id,
        map_src=quake_map(
            frame,
            Place(origin.name, origin.lat, origin.lon, 0),
            settings.rings_km,
            places_of(catalogue),
            points,
            lang,
        ),
        legend=tuple((c, i18n.t(f"wall.legend.{c}", lang)) for c in ("day", "window", "old")),
        rings_text=i18n.t("wall.legend.rings", lang, origin=origin.name),
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
    origin, frame = config.takeover.origin, MapFrame(**config.disaster.frame.model_dump())
    point = QuakePoint(
        row.lat, row.lon, row.magnitude, "day", f"M {i18n.number(row.magnitude, lang, 1)}"
    )
    return quake_map(
        frame,
        Place(origin.name, origin.lat, origin.lon, 0),
        config.disaster.rings_km,
        places_of(catalogue),
        [point],
        lang,
    )
