"""The alerts screen and the emergency takeover.

Takeover: a critical alert (``dashboard.alerts.active_critical``) or an earthquake that
meets ``wall.yaml``'s rule (M ≥ 5.0 within 300 km of Manado, from the event table)
takes over every screen for ``takeover.duration_seconds`` from when it fired or was
stored; the browser counts the rest down by itself, so a screen reloaded halfway shows
only what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from dashboard import i18n
from dashboard.access.clearance import subject_visible
from dashboard.alerts import active_critical
from dashboard.alerts.lifecycle import AlertRecord, open_alerts
from dashboard.catalogue.models import Catalogue
from dashboard.geo import distance_km
from dashboard.scorecard.owners import subject_owner
from dashboard.store.health import scheduler_next_runs
from dashboard.store.queries import QuakeRow, recent_quakes
from dashboard.views.wall import Freshness
from dashboard.views.wall_disaster import (
    QuakeView,
    quake_view,
    single_quake_map,
)
from dashboard.views.wall_disaster import label as disaster_label
from dashboard.wall_config import WallConfig

SEVERITIES = ("critical", "warning", "info")
# Sent to the screen at most; the browser shows as many as fit its size (assets/wall_alerts.js)
# and counts the rest into "+N lainnya".
LISTED = 60
# The alert job runs every minute in the scheduler; three missed beats make the list suspect.
EVALUATION_STALE_SECONDS = 180


@dataclass(frozen=True)
class AlertLine:
    id: int
    severity: str
    severity_label: str
    title: str
    fired_at: datetime
    ago_text: str
    note: str | None  # "diakui Budi"
    owner: str | None = None  # the SKPD that owns what fired (short name), when there is one


@dataclass(frozen=True)
class AlertsView:
    counts: tuple[tuple[str, str, int], ...]  # (severity, label, n)
    lines: tuple[AlertLine, ...]
    more_text: str | None
    empty_text: str
    period: str
    evaluated_at: datetime | None
    total: int = 0  # open alerts in all, listed or not
    more_template: str = "+{n}"  # "+{n} lainnya": the browser fills in what did not fit


def owner_of(alert: AlertRecord, catalogue: Catalogue | None) -> str | None:
    """The owning SKPD's short name, from what the alert is about: an indicator
    ("LIV.BOR@71.71"), a source ("source:dinkes-sik") or a quake (its feed's SKPD)."""
    return subject_owner(alert.subject, catalogue, alert.details)


def alert_line(
    alert: AlertRecord, now: datetime, lang: str, catalogue: Catalogue | None = None
) -> AlertLine:
    note = (
        i18n.label("wall.alerts.acked", lang, who=alert.acknowledged_by)
        if alert.state == "acknowledged" and alert.acknowledged_by
        else None
    )
    return AlertLine(
        alert.id,
        alert.severity,
        i18n.label(f"wall.severity.{alert.severity}", lang),
        alert.title(lang),
        alert.fired_at,
        i18n.age(alert.fired_at, now, lang),
        note,
        owner_of(alert, catalogue),
    )


def alerts_view(
    alerts: Sequence[AlertRecord],
    evaluated_at: datetime | None,
    now: datetime,
    lang: str,
    catalogue: Catalogue | None = None,
) -> AlertsView:
    """``alerts`` most severe first (as ``open_alerts`` returns them)."""
    counts = tuple(
        (s, i18n.label(f"wall.severity.{s}", lang), sum(1 for a in alerts if a.severity == s))
        for s in SEVERITIES
    )
    more = len(alerts) - LISTED
    return AlertsView(
        counts,
        tuple(alert_line(a, now, lang, catalogue) for a in alerts[:LISTED]),
        i18n.label("wall.alerts.more", lang, n=more) if more > 0 else None,
        i18n.label("wall.alerts.none", lang),
        i18n.label("wall.alerts.period", lang),
        evaluated_at,
        len(alerts),
        i18n.LABELS[i18n.language(lang)]["wall.alerts.more"],
    )


def evaluation_freshness(evaluated_at: datetime | None, now: datetime, lang: str) -> Freshness:
    """How long ago the scheduler (which evaluates the alerts) was last seen."""
    if evaluated_at is None:
        return Freshness(i18n.label("wall.alerts.never", lang), True, None)
    stale = (now - evaluated_at).total_seconds() > EVALUATION_STALE_SECONDS
    return Freshness(
        i18n.label("wall.alerts.evaluated", lang, age=i18n.age(evaluated_at, now, lang)),
        stale,
        evaluated_at,
    )


def load_alerts(
    conn: Connection, now: datetime, lang: str, catalogue: Catalogue | None = None
) -> AlertsView:
    """Open alerts; with the screen's ``catalogue``, none about an indicator it may not show."""
    seen_at, _jobs = scheduler_next_runs(conn)
    alerts = open_alerts(conn)
    if catalogue is not None:
        alerts = [a for a in alerts if subject_visible(a.subject, catalogue)]
    return alerts_view(alerts, seen_at, now, lang, catalogue)


# --- takeover ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    key: str  # "quake:12", "alert:45": what the browser compares
    started_at: datetime
    remaining_seconds: float


@dataclass(frozen=True)
class TakeoverView:
    quake: QuakeView | None
    map_src: str | None  # where the quake was
    alerts: tuple[AlertLine, ...]
    heading: str
    more_text: str | None
    felt_label: str = ""


def quake_triggers(rows: Sequence[QuakeRow], config: WallConfig, now: datetime) -> list[Trigger]:
    rule, origin = config.takeover.earthquake, config.takeover.origin
    duration = config.takeover.duration_seconds
    out = []
    for row in rows:
        if (
            row.magnitude is None
            or row.lat is None
            or row.lon is None
            or row.magnitude < rule.min_magnitude
        ):
            continue
        if now - row.occurred_at > timedelta(minutes=rule.max_age_minutes):
            continue
        if distance_km(origin.lat, origin.lon, row.lat, row.lon) > rule.max_distance_km:
            continue
        # From when the command centre learnt of it: a quake stored late still gets its full time.
        started = max(row.occurred_at, row.stored_at or row.occurred_at)
        remaining = duration - (now - started).total_seconds()
        if remaining > 0:
            out.append(Trigger(f"quake:{row.id}", started, min(remaining, duration)))
    return out


def alert_triggers(alerts: Sequence, config: WallConfig, now: datetime) -> list[Trigger]:
    """Critical open alerts (``AlertHead`` or ``AlertRecord``) fired within the takeover time."""
    if not config.takeover.critical_alerts:
        return []
    duration = config.takeover.duration_seconds
    out = []
    for alert in alerts:
        remaining = duration - (now - alert.fired_at).total_seconds()
        if (
            alert.severity == "critical"
            and getattr(alert, "state", "firing") != "resolved"
            and remaining > 0
        ):
            out.append(Trigger(f"alert:{alert.id}", alert.fired_at, min(remaining, duration)))
    return out


def quake_candidates(conn: Connection, config: WallConfig, now: datetime) -> list[QuakeRow]:
    rule = config.takeover.earthquake
    if not rule.enabled:
        return []
    return recent_quakes(
        conn,
        rule.event_kinds,
        now - timedelta(minutes=rule.max_age_minutes),
        limit=20,
        min_magnitude=rule.min_magnitude,
    )


def newest_first(triggers: Iterable[Trigger]) -> list[Trigger]:
    return sorted(triggers, key=lambda t: (t.started_at, t.key), reverse=True)


def takeover_view(
    triggers: Sequence[Trigger],
    quakes: Sequence[QuakeRow],
    alerts: Sequence[AlertRecord],
    config: WallConfig,
    catalogue: Catalogue,
    now: datetime,
    lang: str,
) -> TakeoverView | None:
    """The newest quake in full, with the critical alerts; None when nothing takes over."""
    keys = {t.key for t in triggers}
    origin = config.takeover.origin
    quake_rows = [q for q in quakes if f"quake:{q.id}" in keys]
    lines = [alert_line(a, now, lang) for a in alerts if f"alert:{a.id}" in keys]
    if not quake_rows and not lines:
        return None
    quake = (
        quake_view(quake_rows[0], config, origin.name, (origin.lat, origin.lon), now, lang)
        if quake_rows
        else None
    )
    heading = i18n.label("wall.takeover.quake" if quake else "wall.takeover.alert", lang)
    shown = lines[:3] if quake is None else lines[:2]
    more = len(lines) - len(shown)
    map_src = single_quake_map(quake_rows[0], config, catalogue, lang) if quake_rows else None
    return TakeoverView(
        quake,
        map_src,
        tuple(shown),
        heading,
        i18n.label("wall.takeover.more", lang, n=more) if more > 0 else None,
        disaster_label("felt", lang),
    )


def load_takeover(
    engine: Engine,
    conn: Connection,
    config: WallConfig,
    catalogue: Catalogue,
    triggers: Sequence[Trigger],
    now: datetime,
    lang: str,
) -> TakeoverView | None:
    """What the takeover shows for ``triggers`` (as the live check found them): the quakes from
    the event table, the alerts as ``dashboard.alerts.active_critical`` words them."""
    keys = {t.key for t in triggers}
    if not keys:
        return None
    quakes = (
        quake_candidates(conn, config, now) if any(k.startswith("quake:") for k in keys) else []
    )
    alerts = active_critical(engine) if any(k.startswith("alert:") for k in keys) else []
    alerts = [a for a in alerts if subject_visible(a.subject, catalogue)]
    return takeover_view(triggers, quakes, alerts, config, catalogue, now, lang)
