"""One alert evaluation: read what the rules need, run every rule, reconcile the alerts
(queueing their notifications). The scheduler job that also delivers them is
``dashboard.notify.job``; a rule that crashes is logged and keeps its open alerts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy import Engine

from dashboard.alerts.config import (
    CATALOGUE_THRESHOLD,
    SOURCE_FAILING,
    SOURCE_STALE,
    AlertsConfig,
    channels_for,
    regions_of,
)
from dashboard.alerts.findings import Finding
from dashboard.alerts.inputs import events_since, recent_events, recent_points, source_facts
from dashboard.alerts.lifecycle import Transitions, reconcile
from dashboard.alerts.series_rules import (
    catalogue_threshold_findings,
    custom_rule_findings,
)
from dashboard.alerts.silences import active_silences, silence_for
from dashboard.alerts.source_rules import (
    failing_findings,
    one_alert_per_source,
    quake_findings,
    stale_findings,
)
from dashboard.catalogue.models import Catalogue
from dashboard.store.engine import begin_write
from dashboard.store.schema import utcnow

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    transitions: Transitions
    findings: list[Finding]
    errors: dict[str, str] = field(default_factory=dict)


def _wanted_points(catalogue: Catalogue, config: AlertsConfig) -> dict[tuple[str, str, str], int]:
    wanted: dict[tuple[str, str, str], int] = {}

    def need(code: str, region: str, n: int) -> None:
        key = (code, region, catalogue.indicator(code).grain)
        wanted[key] = max(wanted.get(key, 0), n)

    if config.catalogue_thresholds.enabled:
        for indicator in catalogue.indicators:
            if indicator.band is not None or indicator.targets:
                for region in regions_of(config.catalogue_thresholds.regions, catalogue):
                    need(indicator.code, region, 1)
    for rule in config.rules:
        for region in regions_of(rule.regions, catalogue):
            need(rule.indicator, region, rule.points_needed())
    return wanted


def evaluate(
    engine: Engine, catalogue: Catalogue, config: AlertsConfig, now: datetime | None = None
) -> Evaluation:
    """Run every configured rule once and bring the alert table in line (no delivery)."""
    now = now or utcnow()
    quakes = config.earthquakes
    with engine.connect() as conn:
        series = recent_points(conn, _wanted_points(catalogue, config))
        facts = source_facts(conn, [s.id for s in catalogue.sources], config.failing.consecutive)
        events = (
            recent_events(conn, quakes.event_kinds, events_since(now, quakes.within_hours))
            if quakes.enabled
            else []
        )

    checks: list[tuple[str, Callable[[], list[Finding]]]] = []
    if config.catalogue_thresholds.enabled:
        checks.append(
            (
                CATALOGUE_THRESHOLD,
                lambda: catalogue_threshold_findings(
                    config.catalogue_thresholds, catalogue, series
                ),
            )
        )
    if config.staleness.enabled:
        checks.append(
            (SOURCE_STALE, lambda: stale_findings(config.staleness, catalogue, facts, now))
        )
    if config.failing.enabled:
        checks.append((SOURCE_FAILING, lambda: failing_findings(config.failing, catalogue, facts)))
    if quakes.enabled:
        checks.append((quakes.id, lambda: quake_findings(quakes, config.origin, events, now)))
    for rule in config.rules:
        checks.append((rule.id, partial(custom_rule_findings, rule, catalogue, series)))

    findings: list[Finding] = []
    evaluated: set[str] = set()
    errors: dict[str, str] = {}
    for rule_id, check in checks:
        try:
            findings += check()
            evaluated.add(rule_id)
        except Exception as exc:  # one broken rule must not silence the others
            log.exception("alert rule %s failed", rule_id)
            errors[rule_id] = repr(exc)
    findings, superseded = one_alert_per_source(findings)
    with begin_write(engine) as conn:
        silences = active_silences(conn, now)
        transitions = reconcile(
            conn,
            findings,
            evaluated=evaluated,
            configured=config.rule_ids(),
            now=now,
            channels=channels_for(config),
            silenced=lambda rule, subject: silence_for(silences, rule, subject) is not None,
            resolve_after=config.resolve_after_seconds,
            superseded=superseded,
        )
    if transitions.changed:
        log.info(
            "alerts: %d fired, %d escalated, %d resolved",
            len(transitions.fired),
            len(transitions.escalated),
            len(transitions.resolved),
        )
    return Evaluation(transitions, findings, errors)
