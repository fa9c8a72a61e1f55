"""Indicators counted from events: ENV.GEMPA is the number of earthquakes of M ≥ 5 within
300 km of each region's capital (the province from its own point, Manado) per month.

Declared on the indicator (``from_events: {kind, min_magnitude, within_km}``) and fed by
a source that lists it: after such a source's run stored events, every month its events
touch (in WITA, oldest to newest) is counted again from the event table, for every
region, zeros included. The same quake in several feeds (autogempa, gempaterkini, …)
counts once: its external id is the same in all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, select

from collectors.base import EventRecord
from dashboard.catalogue.models import Catalogue, Indicator, Source
from dashboard.catalogue.periods import WITA, bucket, local_today, starts, step
from dashboard.geo import distance_km
from dashboard.store.observations import ObservationRow
from dashboard.store.schema import Event


def counted_indicators(catalogue: Catalogue, source: Source) -> list[Indicator]:
    return [
        catalogue.indicator(code)
        for code in source.indicators
        if catalogue.indicator(code).from_events is not None
    ]


def months_touched(events: Iterable[EventRecord]) -> list[date]:
    """Every month from the oldest event's to the newest's (a quiet month in between is 0)."""
    months = sorted(local_today(e.occurred_at) for e in events)
    return starts(months[0], months[-1], "month") if months else []


def _utc_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=WITA).astimezone(UTC)


def recount(
    conn: Connection, catalogue: Catalogue, indicators: Sequence[Indicator], months: Sequence[date]
) -> list[ObservationRow]:
    """Each indicator's count for every region and month, from the event table."""
    if not indicators or not months:
        return []
    ev = Event.__table__
    rows: list[ObservationRow] = []
    for indicator in indicators:
        rule = indicator.from_events
        assert rule is not None
        quakes = conn.execute(
            select(ev.c.external_id, ev.c.occurred_at, ev.c.lat, ev.c.lon).where(
                ev.c.kind == rule.kind,
                ev.c.magnitude >= rule.min_magnitude,
                ev.c.occurred_at >= _utc_start(months[0]),
                ev.c.occurred_at < _utc_start(step(months[-1], "month")),
                ev.c.lat.is_not(None),
                ev.c.lon.is_not(None),
            )
        ).all()
        unique = {q.external_id: q for q in quakes}.values()
        for month in months:
            in_month = [q for q in unique if bucket(local_today(q.occurred_at), "month") == month]
            for region in catalogue.regions:
                near = sum(
                    1
                    for q in in_month
                    if distance_km(region.lat, region.lon, q.lat, q.lon) <= rule.within_km
                )
                rows.append(
                    ObservationRow(indicator.code, region.code, month, "month", float(near))
                )
    return rows
