"""What an evaluation reads from the store: recent points per series, per-source run
facts and recent events. Bounded reads only: each series costs one index seek on
(indicator, region, period_start, grain) with a LIMIT."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select, union_all

from dashboard.alerts.source_rules import QuakeEvent, SourceFacts
from dashboard.store.health import consecutive_failures, first_attempts, last_successes, recent_runs
from dashboard.store.queries import recent_quakes
from dashboard.store.schema import Observation

_UNION_CHUNK = 100


def recent_points(
    conn: Connection, wanted: dict[tuple[str, str, str], int]
) -> dict[tuple[str, str], list[tuple[date, float]]]:
    """For each (indicator, region, grain) → n: its latest n points, ascending by period."""
    obs = Observation.__table__
    keys = list(wanted)
    out: dict[tuple[str, str], list[tuple[date, float]]] = {}
    for start in range(0, len(keys), _UNION_CHUNK):
        parts = []
        for code, region, grain in keys[start : start + _UNION_CHUNK]:
            part = (
                select(obs.c.indicator_code, obs.c.region_code, obs.c.period_start, obs.c.value)
                .where(
                    obs.c.indicator_code == code, obs.c.region_code == region, obs.c.grain == grain
                )
                .order_by(obs.c.period_start.desc())
                .limit(wanted[(code, region, grain)])
            )
            # A subquery: SQLite allows no ORDER BY/LIMIT on a bare UNION term.
            parts.append(select(part.subquery()))
        if not parts:
            continue
        for code, region, period, value in conn.execute(
            parts[0] if len(parts) == 1 else union_all(*parts)
        ):
            out.setdefault((code, region), []).append((period, value))
    for points in out.values():
        points.sort()
    return out


def source_facts(
    conn: Connection, source_ids: Iterable[str], streak_limit: int
) -> dict[str, SourceFacts]:
    ids = list(source_ids)
    runs = recent_runs(conn, ids, limit=max(streak_limit + 1, 10))
    successes, firsts = last_successes(conn), first_attempts(conn)
    out = {}
    for source_id in ids:
        finished = [r for r in runs.get(source_id, []) if r.finished]
        failed = next((r for r in finished if not r.succeeded), None)
        streak = consecutive_failures(finished)
        out[source_id] = SourceFacts(
            source_id,
            successes.get(source_id),
            firsts.get(source_id),
            streak,
            failed,
            finished[streak - 1].started_at if streak else None,
        )
    return out


def recent_events(conn: Connection, kinds: Iterable[str], since: datetime) -> list[QuakeEvent]:
    """Quakes since ``since``, oldest first; one quake reported by several BMKG feeds is
    one event (the store's merge rule), so it raises one alert, not one per feed."""
    rows = recent_quakes(conn, kinds, since, limit=RECENT_QUAKES_MAX)
    return [
        QuakeEvent(
            r.id, r.occurred_at, r.lat, r.lon, r.magnitude, r.depth_km, r.description, r.source_id
        )
        for r in reversed(rows)
    ]


# More quakes than any window of hours holds in North Sulawesi (BMKG lists ~15 a day).
RECENT_QUAKES_MAX = 2000


def events_since(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)
