"""Rules on collection and events: a source behind its schedule, a collector failing
again and again, an earthquake strong and near enough to matter. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dashboard import i18n, run_errors
from dashboard.alerts.config import (
    SOURCE_FAILING,
    SOURCE_STALE,
    Earthquakes,
    Failing,
    Origin,
    severity_rank,
)
from dashboard.alerts.findings import Finding, both
from dashboard.catalogue.freshness import Staleness, is_late
from dashboard.catalogue.models import Catalogue
from dashboard.store.runs import RunRecord

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class SourceFacts:
    source_id: str
    last_success_at: datetime | None
    first_attempt_at: datetime | None
    consecutive_failures: int
    last_failed: RunRecord | None
    failing_since: datetime | None = None  # start of the first run of the current failure streak


@dataclass(frozen=True)
class QuakeEvent:
    id: int
    occurred_at: datetime
    lat: float | None
    lon: float | None
    magnitude: float | None
    depth_km: float | None
    description: str
    source_id: str = ""  # the feed that reported it first (its SKPD owns the alert)


def source_subject(source_id: str) -> str:
    return f"source:{source_id}"


def stale_findings(
    settings: Staleness, catalogue: Catalogue, facts: Mapping[str, SourceFacts], now: datetime
) -> list[Finding]:
    """Enabled sources whose last success (or, never successful, first attempt) is too old.

    A source that never ran at all raises nothing here: that is the scheduler's
    heartbeat to report, not one source's."""
    findings = []
    for source in catalogue.sources:
        fact = facts.get(source.id)
        if not source.enabled or fact is None:
            continue
        gap = source.schedule.expected_gap_seconds
        late = (settings, gap, fact.last_success_at, fact.first_attempt_at, now)
        reference = fact.last_success_at or fact.first_attempt_at
        if reference is None or not is_late(*late):
            continue
        severity = settings.severity
        critical = settings.critical_after_gaps
        if critical and is_late(*late, after_gaps=critical):
            severity = "critical"
        succeeded = fact.last_success_at is not None

        def title(lang, source=source, reference=reference, succeeded=succeeded):
            when = i18n.wita_datetime(reference, lang)
            if lang == "id":
                since = (
                    f"tidak ada data baru sejak {when}"
                    if succeeded
                    else f"belum pernah berhasil sejak {when}"
                )
                return f"Sumber {source.name} terlambat: {since}"
            since = f"no new data since {when}" if succeeded else f"never succeeded since {when}"
            return f"Source {source.name} is late: {since}"

        findings.append(
            Finding(
                SOURCE_STALE,
                source_subject(source.id),
                severity,
                *both(title),
                {
                    "source": source.id,
                    "skpd": source.skpd,
                    "reference": reference.isoformat(),
                    "succeeded_before": succeeded,
                    "gap_seconds": gap,
                    "after_gaps": settings.after_gaps,
                },
            )
        )
    return findings


def failing_findings(
    settings: Failing, catalogue: Catalogue, facts: Mapping[str, SourceFacts]
) -> list[Finding]:
    findings = []
    for source in catalogue.sources:
        fact = facts.get(source.id)
        if not source.enabled or fact is None or fact.consecutive_failures < settings.consecutive:
            continue
        run = fact.last_failed
        n = fact.consecutive_failures
        since = fact.failing_since or (run.started_at if run else None)

        # A sentence in the reader's language; the technical message stays on /ops/sources.
        def title(lang, source=source, n=n, run=run, since=since):
            reason = run_errors.short_reason(
                run.error_class if run else None,
                run.message if run else None,
                source.name,
                since,
                lang,
            )
            return f"{reason} · {i18n.label('run_error.streak', lang, n=n)}"

        findings.append(
            Finding(
                SOURCE_FAILING,
                source_subject(source.id),
                settings.severity,
                *both(title),
                {
                    "source": source.id,
                    "skpd": source.skpd,
                    "consecutive_failures": n,
                    "error_class": run.error_class if run else None,
                    "last_run": run.id if run else None,
                },
            )
        )
    return findings


def one_alert_per_source(findings: list[Finding]) -> tuple[list[Finding], set[tuple[str, str]]]:
    """A source that keeps failing is also late; say it once. Its failing alert stays (it
    tells why), at the more severe of the two levels, and notes since when data is missing;
    the late alert is raised only for a source that is late without failing. Also returns
    the late alerts so superseded: an open one resolves at once, it does not linger."""
    late = {f.subject: f for f in findings if f.rule_id == SOURCE_STALE}
    failing = {f.subject for f in findings if f.rule_id == SOURCE_FAILING}
    superseded = {(SOURCE_STALE, subject) for subject in failing}
    out = []
    for f in findings:
        if f.rule_id == SOURCE_STALE and f.subject in failing:
            continue
        if f.rule_id == SOURCE_FAILING and f.subject in late:
            stale = late[f.subject]
            severity = max(f.severity, stale.severity, key=severity_rank)
            f = replace(
                f,
                severity=severity,
                details={**f.details, "late_since": stale.details["reference"]},
            )
        out.append(f)
    return out, superseded


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def quake_findings(
    settings: Earthquakes, origin: Origin, events: Iterable[QuakeEvent], now: datetime
) -> list[Finding]:
    """Each recent quake at the most severe level whose magnitude and distance it meets."""
    findings = []
    horizon = now - timedelta(hours=settings.within_hours)
    levels = sorted(settings.levels, key=lambda lv: severity_rank(lv.severity), reverse=True)
    for ev in events:
        if ev.magnitude is None or ev.lat is None or ev.lon is None or ev.occurred_at < horizon:
            continue
        km = distance_km(origin.lat, origin.lon, ev.lat, ev.lon)
        level = next(
            (lv for lv in levels if ev.magnitude >= lv.min_magnitude and km <= lv.max_distance_km),
            None,
        )
        if level is None:
            continue

        def title(lang, ev=ev, km=km):
            mag, dist = i18n.number(ev.magnitude, lang, 1), i18n.number(km, lang, 0)
            when = i18n.wita_datetime(ev.occurred_at, lang)
            where = f" — {ev.description}" if ev.description else ""
            if lang == "id":
                return f"Gempa M{mag}, {dist} km dari {origin.name}, {when}{where}"
            return f"Earthquake M{mag}, {dist} km from {origin.name}, {when}{where}"

        findings.append(
            Finding(
                settings.id,
                f"event:{ev.id}",
                level.severity,
                *both(title),
                {
                    "event": ev.id,
                    "source": ev.source_id,
                    "magnitude": ev.magnitude,
                    "distance_km": round(km, 1),
                    "depth_km": ev.depth_km,
                    "lat": ev.lat,
                    "lon": ev.lon,
                    "occurred_at": ev.occurred_at.isoformat(),
                },
            )
        )
    return findings
