"""Alert lifecycle: firing → acknowledged (who, note) → resolved, one open alert per
(rule, subject), every alert kept as history.

``reconcile`` turns the findings of one evaluation into transitions and writes, in
the same transaction, the notifications each transition owes (an outbox), so a
crash can neither lose a notification nor send one for a change that never committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update

from dashboard.access import audit
from dashboard.access.audit import Actor, as_actor
from dashboard.alerts.config import severity_rank
from dashboard.alerts.findings import Finding
from dashboard.alerts.silences import active_silences, silence_for
from dashboard.alerts.tables import AlertNotification, ShiftNote
from dashboard.store import limits
from dashboard.store.engine import begin_write
from dashboard.store.schema import Alert, utcnow

OPEN_STATES = ("firing", "acknowledged")
STATES = ("firing", "acknowledged", "resolved")
# (severity, event) -> [(channel, target)] that want to hear about it
Channels = Callable[[str, str], list[tuple[str, str]]]


@dataclass(frozen=True)
class AlertRecord:
    id: int
    rule_id: str
    subject: str
    severity: str
    state: str
    title_id: str
    title_en: str
    fired_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None
    resolved_at: datetime | None
    details: dict[str, Any]
    clear_since: datetime | None = None  # cleared, waiting out resolve_after before it resolves

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_id


def _record(row: Row[Any]) -> AlertRecord:
    return AlertRecord(
        row.id,
        row.rule_id,
        row.subject,
        row.severity,
        row.state,
        row.title_id,
        row.title_en,
        row.fired_at,
        row.acknowledged_at,
        row.acknowledged_by,
        row.ack_note,
        row.resolved_at,
        dict(row.details or {}),
        row.clear_since,
    )


@dataclass
class Transitions:
    fired: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fired or self.escalated or self.updated or self.resolved)


def _strongest(findings: Iterable[Finding]) -> dict[tuple[str, str], Finding]:
    """One finding per (rule, subject): the most severe, should a rule report a subject twice."""
    out: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.key not in out or severity_rank(f.severity) > severity_rank(out[f.key].severity):
            out[f.key] = f
    return out


def reconcile(
    conn: Connection,
    findings: Iterable[Finding],
    *,
    evaluated: set[str],
    configured: set[str],
    now: datetime,
    channels: Channels | None = None,
    silenced: Callable[[str, str], bool] | None = None,
    resolve_after: float = 0,
    superseded: set[tuple[str, str]] | None = None,
) -> Transitions:
    """Open, update and resolve alerts so the open ones match ``findings``.

    ``evaluated``: rules that ran to the end this time (only their missing findings
    resolve; a rule that crashed keeps its alerts). ``configured``: every rule still in
    the configuration (open alerts of any other rule are resolved). ``silenced(rule,
    subject)``: true for alerts an operator has silenced; they change state as any other
    but queue no notification. An open alert that was never announced (it fired while
    silenced) is announced once its silence has ended; one that resolves unannounced
    stays quiet. ``resolve_after`` (seconds): an alert no longer found resolves only once it
    has stayed clear that long (a removed rule's alerts resolve at once, and so do
    ``superseded`` ones: (rule, subject) that another open alert now reports).
    """
    table = Alert.__table__
    found = _strongest(findings)
    open_rows = {
        (r.rule_id, r.subject): r
        for r in conn.execute(select(table).where(table.c.state.in_(OPEN_STATES)))
    }
    announced = (
        _announced(conn, [r.id for r in open_rows.values()]) if channels and silenced else None
    )
    out = Transitions()
    for key, finding in found.items():
        row = open_rows.get(key)
        if row is None:
            alert_id = conn.execute(
                insert(Alert)
                .values(
                    rule_id=finding.rule_id,
                    subject=finding.subject,
                    severity=finding.severity,
                    state="firing",
                    title_id=finding.title_id,
                    title_en=finding.title_en,
                    fired_at=now,
                    details=finding.details,
                )
                .returning(table.c.id)
            ).scalar_one()
            out.fired.append(alert_id)
            _queue(conn, alert_id, finding.severity, "fired", now, _to(channels, silenced, key))
            continue
        if (
            announced is not None
            and silenced is not None
            and row.id not in announced
            and not silenced(*key)
        ):
            _queue(conn, row.id, finding.severity, "fired", now, channels)  # its silence is over
            announced.add(row.id)
        if row.clear_since is not None:  # back before it resolved: the same alert goes on
            conn.execute(update(Alert).where(table.c.id == row.id).values(clear_since=None))
        changes = {
            k: v
            for k, v in (
                ("severity", finding.severity),
                ("title_id", finding.title_id),
                ("title_en", finding.title_en),
                ("details", finding.details),
            )
            if getattr(row, k) != v
        }
        if not changes:
            continue
        conn.execute(update(Alert).where(table.c.id == row.id).values(**changes))
        if severity_rank(finding.severity) > severity_rank(row.severity):
            out.escalated.append(row.id)
            _queue(conn, row.id, finding.severity, "escalated", now, _to(channels, silenced, key))
        else:
            out.updated.append(row.id)
    for key, row in open_rows.items():
        gone = key not in found and row.rule_id in evaluated
        waits = resolve_after > 0 and key not in (superseded or set())
        if gone and row.rule_id in configured and waits:
            if row.clear_since is None:
                conn.execute(update(Alert).where(table.c.id == row.id).values(clear_since=now))
                continue
            if (now - row.clear_since).total_seconds() < resolve_after:
                continue
        if gone or row.rule_id not in configured:
            conn.execute(
                update(Alert).where(table.c.id == row.id).values(state="resolved", resolved_at=now)
            )
            out.resolved.append(row.id)
            if announced is None or row.id in announced:
                _queue(conn, row.id, row.severity, "resolved", now, _to(channels, silenced, key))
    return out


def _announced(conn: Connection, alert_ids: list[int]) -> set[int]:
    """Which of these alerts have had their firing (or escalation) sent to a channel."""
    if not alert_ids:
        return set()
    n = AlertNotification.__table__
    return set(
        conn.execute(
            select(n.c.alert_id)
            .where(n.c.alert_id.in_(alert_ids), n.c.event.in_(("fired", "escalated")))
            .distinct()
        ).scalars()
    )


def _to(
    channels: Channels | None, silenced: Callable[[str, str], bool] | None, key: tuple[str, str]
) -> Channels | None:
    """The channels an alert's transition goes to: none while it is silenced."""
    return None if silenced is not None and silenced(*key) else channels


def _queue(
    conn: Connection,
    alert_id: int,
    severity: str,
    event: str,
    now: datetime,
    channels: Channels | None,
) -> None:
    targets = channels(severity, event) if channels else []
    if targets:
        conn.execute(
            insert(AlertNotification),
            [
                {
                    "alert_id": alert_id,
                    "event": event,
                    "channel": channel,
                    "target": target,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for channel, target in targets
            ],
        )


def acknowledge(
    engine: Engine, alert_id: int, who: Actor | str, note: str = "", now: datetime | None = None
) -> bool:
    """A firing alert becomes acknowledged by ``who`` (the signed-in account); the
    acknowledgement also goes into the shift log and the audit trail, in one transaction.

    False when the alert is not firing (already acknowledged, resolved, or unknown)."""
    actor = as_actor(who)
    who, note = actor.name.strip(), limits.checked_text(note, limits.ACK_NOTE, "ack_note")
    if not who:
        raise ValueError("who acknowledges must be named")
    now = now or utcnow()
    table = Alert.__table__
    with begin_write(engine) as conn:
        done = conn.execute(
            update(Alert)
            .where(table.c.id == alert_id, table.c.state == "firing")
            .values(
                state="acknowledged",
                acknowledged_at=now,
                acknowledged_by=who[:100],
                ack_note=note or None,
            )
        ).rowcount
        if done:
            title = conn.execute(
                select(table.c.title_id).where(table.c.id == alert_id)
            ).scalar_one()
            conn.execute(
                insert(ShiftNote).values(
                    kind="ack",
                    author=who[:100],
                    text=f"#{alert_id} {title}" + (f" — {note}" if note else ""),
                    alert_id=alert_id,
                    created_at=now,
                )
            )
            audit.record(
                conn,
                "alert.acknowledge",
                f"alert #{alert_id}",
                before={"state": "firing"},
                after={"state": "acknowledged", "note": note or None},
                actor=actor,
                now=now,
            )
    return bool(done)


def open_alerts(conn: Connection) -> list[AlertRecord]:
    """Firing and acknowledged alerts, most severe first, then newest."""
    table = Alert.__table__
    rows = [_record(r) for r in conn.execute(select(table).where(table.c.state.in_(OPEN_STATES)))]
    return sorted(rows, key=lambda a: (-severity_rank(a.severity), -a.fired_at.timestamp(), -a.id))


def recent_alerts(conn: Connection, since: datetime, limit: int = 100) -> list[AlertRecord]:
    """Resolved alerts (history), newest resolution first."""
    table = Alert.__table__
    rows = conn.execute(
        select(table)
        .where(table.c.state == "resolved", table.c.resolved_at >= since)
        .order_by(table.c.resolved_at.desc(), table.c.id.desc())
        .limit(limit)
    )
    return [_record(r) for r in rows]


def alert_by_id(conn: Connection, alert_id: int) -> AlertRecord | None:
    row = conn.execute(select(Alert.__table__).where(Alert.__table__.c.id == alert_id)).first()
    return _record(row) if row is not None else None


def active_critical(engine: Engine, now: datetime | None = None) -> list[AlertRecord]:
    """Open critical alerts that no silence covers, newest first: what may take over the wall.

    Acknowledged ones are included (an operator having seen an earthquake does not
    make it over); the wall may choose to show only ``state == "firing"``."""
    table = Alert.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(table.c.state.in_(OPEN_STATES), table.c.severity == "critical")
            .order_by(table.c.fired_at.desc(), table.c.id.desc())
        )
        alerts = [_record(r) for r in rows]
        silences = active_silences(conn, now) if alerts else []
    return [a for a in alerts if silence_for(silences, a.rule_id, a.subject) is None]


def alert_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Alerts by (state, severity), all time."""
    table = Alert.__table__
    rows = conn.execute(
        select(table.c.state, table.c.severity, func.count()).group_by(
            table.c.state, table.c.severity
        )
    )
    return {(s, sev): int(n) for s, sev, n in rows}
