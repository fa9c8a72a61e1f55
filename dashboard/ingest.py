"""One collection run: fetch → archive → parse → validate → store, recorded end to end.

Nothing is lost: the raw payload is archived before parsing, every rejected row goes
to quarantine with its reasons, and the run record says what happened. A run never
raises for a source's fault; it records it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from collectors import deadline
from collectors.base import (
    Candidate,
    CollectorError,
    EventRecord,
    ParseResult,
    Payload,
    SourceContext,
)
from collectors.registry import get_kind
from dashboard.access import audit
from dashboard.access.audit import Actor
from dashboard.archive import archive_payload, read_payload
from dashboard.event_counts import counted_indicators, months_touched, recount
from dashboard.redaction import redact
from dashboard.runtime import Runtime
from dashboard.store.engine import begin_write
from dashboard.store.observations import upsert_observations
from dashboard.store.schema import CollectionRun, Event, QuarantinedRow, RawPayload, Source, utcnow
from dashboard.validation import validate
from dashboard.versions import bump

log = logging.getLogger(__name__)

T = TypeVar("T")

# How many rejected rows a summary lists in full (the quarantine keeps all of them).
SUMMARY_ERROR_LIMIT = 200


@dataclass
class RunSummary:
    run_id: int
    source: str
    status: str
    accepted: int = 0
    rejected: int = 0
    changed: int = 0
    # Events (earthquakes) the payload held, and how many of them were new or changed.
    events_read: int = 0
    events: int = 0
    error_class: str | None = None
    message: str | None = None
    message_id: str | None = None
    payload_sha256: str | None = None
    duration_seconds: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "status": self.status,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "changed": self.changed,
            "events_read": self.events_read,
            "events": self.events,
            "error_class": self.error_class,
            "message": self.message,
            "payload_sha256": self.payload_sha256,
            "duration_seconds": round(self.duration_seconds, 3),
            "errors": self.errors,
        }


def _start_run(
    rt: Runtime,
    source_id: str,
    trigger: str,
    replay_of: int | None,
    file_name: str | None,
    owner_id: str | None,
    timeout: float,
) -> int:
    now = utcnow()
    with begin_write(rt.engine) as conn:
        return conn.execute(
            insert(CollectionRun)
            .values(
                source_id=source_id,
                trigger=trigger,
                started_at=now,
                status="running",
                replay_of=replay_of,
                file_name=file_name,
                owner_id=owner_id,
                deadline_at=now + timedelta(seconds=timeout),
            )
            .returning(CollectionRun.id)
        ).scalar_one()


class RunOwner(Protocol):
    """The scheduler instance a run belongs to (dashboard/ownership.py): it knows which of
    its runs are in flight, so one that ended unrecorded can be closed by its housekeeping."""

    id: str

    def begin(self, start: Callable[[], int]) -> int: ...

    def end(self, run_id: int) -> None: ...


def _source_state(rt: Runtime, source_id: str) -> tuple[str | None, bool]:
    """The source's bookmark and whether it has ever had a successful run."""
    with rt.engine.connect() as conn:
        bookmark = conn.execute(select(Source.bookmark).where(Source.id == source_id)).scalar()
        succeeded = conn.execute(
            select(CollectionRun.id)
            .where(
                CollectionRun.source_id == source_id, CollectionRun.status.in_(("ok", "partial"))
            )
            .limit(1)
        ).first()
    return bookmark, succeeded is None


def _finish_failed(rt: Runtime, summary: RunSummary, error: CollectorError) -> RunSummary:
    summary.status = "failed"
    summary.error_class = error.error_class
    # Collectors quote URLs in their errors (BPS puts its key in the path): stored redacted.
    summary.message = redact(error.message_en)
    summary.message_id = redact(error.message_id)
    with begin_write(rt.engine) as conn:
        conn.execute(
            update(CollectionRun)
            # A run already closed as abandoned (its owner lost its lease) keeps that verdict.
            .where(CollectionRun.id == summary.run_id, CollectionRun.status == "running")
            .values(
                status="failed",
                finished_at=utcnow(),
                error_class=error.error_class,
                message=summary.message,
                message_id=summary.message_id,
                payload_sha256=summary.payload_sha256,
            )
        )
    return summary


def collect(
    rt: Runtime,
    source_id: str,
    *,
    trigger: str = "manual",
    payload: Payload | None = None,
    replay_of: int | None = None,
    today: date | None = None,
    backfill: bool = False,
    file_name: str | None = None,
    actor: Actor | None = None,
    owner: RunOwner | None = None,
) -> RunSummary:
    """Run one source once (or ingest a given payload as that source) and record it.

    A source's first run fetches its history (a backfill); ``backfill`` asks for it again,
    ignoring the bookmark (history the feed only sends later, a repaired outage).

    The source's ``timeout_seconds`` is the run's total deadline: fetch, archive and parse
    run in a worker thread the run stops waiting for at the deadline (whatever the kind
    does), and the store transaction gets what is left (PostgreSQL ``statement_timeout``)."""
    source = rt.catalogue.source(source_id)
    kind = get_kind(source.kind)
    started = time.monotonic()
    timeout = float(source.timeout_seconds)

    def start() -> int:
        return _start_run(
            rt, source_id, trigger, replay_of, file_name, owner.id if owner else None, timeout
        )

    run_id = owner.begin(start) if owner is not None else start()
    summary = RunSummary(run_id, source_id, "running")
    try:
        bookmark, first_run = _source_state(rt, source_id)
        backfill = (first_run or backfill) and payload is None
        ctx = SourceContext(
            source,
            rt.catalogue.source_options[source_id],
            rt.catalogue,
            rt.regions,
            bookmark=None if backfill else bookmark,
            backfill=backfill,
        )

        def fetch_and_parse() -> ParseResult:
            fetched = kind.fetch(ctx) if payload is None else payload
            with begin_write(rt.engine) as conn:
                summary.payload_sha256 = archive_payload(
                    conn, rt.settings.payload_dir, fetched.content, fetched.content_type
                )
            deadline.check()
            parsed = kind.parse(fetched, ctx)
            deadline.check()
            return parsed

        try:
            parsed = _in_time(fetch_and_parse, timeout, started, f"run-{run_id}-{source_id}")
        except CollectorError as error:
            return _finish_failed(rt, summary, error)
        except SQLAlchemyError as exc:  # archiving: the store is unreachable or refused
            return _finish_failed(rt, summary, _store_error(exc))
        except Exception as exc:  # a bug in a kind must not take the scheduler down
            log.exception("source %s: unexpected error", source_id)
            return _finish_failed(rt, summary, _internal(exc))
        try:
            _store(rt, summary, source_id, parsed, today or date.today(), actor, started, timeout)
        except RunClosed:
            summary.status, summary.error_class = "failed", "abandoned"
            summary.accepted = summary.rejected = summary.changed = summary.events = 0
        except CollectorError as error:  # the deadline ran out before the store step
            summary.accepted = summary.rejected = summary.changed = summary.events = 0
            return _finish_failed(rt, summary, error)
            log.warning("run %s of %s was closed as abandoned meanwhile", run_id, source_id)
        except (SQLAlchemyError, OSError) as exc:  # the store refused: deadline, lost link, disk
            log.warning("run %s of %s: storing failed: %r", run_id, source_id, exc)
            summary.accepted = summary.rejected = summary.changed = summary.events = 0
            past = time.monotonic() - started >= timeout
            return _finish_failed(
                rt, summary, deadline.exceeded(timeout) if past else _store_error(exc)
            )
        return summary
    finally:
        if owner is not None:
            owner.end(run_id)
        summary.duration_seconds = time.monotonic() - started
        if summary.status != "running":
            log.info(
                "run %s of %s: %s (%d accepted, %d rejected)",
                summary.run_id,
                source_id,
                summary.status,
                summary.accepted,
                summary.rejected,
            )


class RunClosed(Exception):
    """The run was closed by another scheduler (its owner's lease ran out) while it stored."""


def _in_time(work: Callable[[], T], seconds: float, started: float, name: str) -> T:
    """``work()`` in a worker thread with the run's deadline set; stop waiting at the deadline.

    The thread itself stops soon after on its own (HTTP checks the deadline between chunks);
    whatever it would still do is thrown away with the run's verdict."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            with deadline.within(seconds, at=started):
                box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 (handed to the waiting thread, raised there)
            box["error"] = exc

    worker = threading.Thread(target=target, name=name, daemon=True)
    worker.start()
    worker.join(max(0.0, started + seconds - time.monotonic()))
    if worker.is_alive():
        raise deadline.exceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box["value"]


def _internal(exc: BaseException) -> CollectorError:
    return CollectorError(
        f"internal error: {exc!r}", f"galat internal: {exc!r}", error_class="internal"
    )


def _store_error(exc: BaseException) -> CollectorError:
    what = type(exc).__name__
    return CollectorError(
        f"the store refused the run's data ({what}); nothing of it was kept",
        f"penyimpanan menolak data proses ini ({what}); tidak ada yang disimpan",
        error_class="store",
    )


def _store(
    rt: Runtime,
    summary: RunSummary,
    source_id: str,
    parsed: ParseResult,
    today: date,
    actor: Actor | None = None,
    started: float | None = None,
    timeout: float | None = None,
) -> None:
    """Store the run's verdict in one transaction; with ``actor`` (an upload), its audit row too."""
    source = rt.catalogue.source(source_id)
    verdict = validate(parsed, rt.catalogue, source, today)
    summary.accepted = len(verdict.accepted)
    summary.rejected = len(verdict.rejected)
    summary.events_read = len(parsed.events)
    if summary.rejected and not summary.accepted and not parsed.events:
        summary.status, summary.error_class = "failed", "validation"
    else:
        summary.status = "partial" if summary.rejected else "ok"
    now = utcnow()
    with begin_write(rt.engine) as conn:
        if started is not None and timeout is not None:
            _limit_statements(conn, started + timeout - time.monotonic(), timeout)
        # The run row first: on SQLite this takes the write lock before anything is read.
        closed = not conn.execute(
            update(CollectionRun)
            .where(CollectionRun.id == summary.run_id, CollectionRun.status == "running")
            .values(
                status=summary.status,
                finished_at=now,
                rows_accepted=summary.accepted,
                rows_rejected=summary.rejected,
                events_accepted=summary.events_read,
                error_class=summary.error_class,
                payload_sha256=summary.payload_sha256,
            )
        ).rowcount
        if closed:  # abandoned meanwhile: store nothing (the next run collects it again)
            raise RunClosed(summary.run_id)
        stats = upsert_observations(
            conn, verdict.accepted, source_id=source_id, run_id=summary.run_id, ingested_at=now
        )
        summary.changed = stats.changed
        summary.events = _store_events(conn, parsed.events, source_id, summary.run_id)
        counted = recount(
            conn,
            rt.catalogue,
            counted_indicators(rt.catalogue, source),
            months_touched(parsed.events),
        )
        if counted:
            more = upsert_observations(
                conn, counted, source_id=source_id, run_id=summary.run_id, ingested_at=now
            )
            summary.accepted += len(counted)
            summary.changed += more.changed
        _quarantine(conn, verdict.rejected, source_id, summary.run_id)
        summary.message, summary.message_id = run_message(summary)
        conn.execute(
            update(CollectionRun)
            .where(CollectionRun.id == summary.run_id)
            .values(
                rows_accepted=summary.accepted,
                rows_changed=summary.changed,
                events_changed=summary.events,
                message=summary.message,
                message_id=summary.message_id,
            )
        )
        if parsed.bookmark is not None and summary.accepted:
            # The bookmark moves only with the data it stands for, in the same transaction.
            conn.execute(
                update(Source).where(Source.id == source_id).values(bookmark=parsed.bookmark)
            )
        if summary.changed or summary.events:
            codes = {
                *verdict.accepted["indicator_code"].unique(),
                *(r.indicator_code for r in counted),
            }
            domains = {rt.catalogue.indicator(code).domain for code in codes}
            bump(conn, [f"domain:{d}" for d in domains] + (["events"] if summary.events else []))
        if actor is not None:
            audit.record(
                conn,
                "upload",
                source_id,
                after={
                    "run": summary.run_id,
                    "status": summary.status,
                    "accepted": summary.accepted,
                    "rejected": summary.rejected,
                    "changed": stats.changed,
                    "payload": summary.payload_sha256,
                },
                actor=actor,
            )
    summary.errors = [_error_line(c) for c in verdict.rejected[:SUMMARY_ERROR_LIMIT]]
    if summary.changed or summary.events:
        rt.signal.publish()


def _limit_statements(conn: Connection, left: float, total: float) -> None:
    """On PostgreSQL, each statement of the store transaction gets at most what is left."""
    if left <= 0:
        raise deadline.exceeded(total)
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}"))


def run_message(summary: RunSummary) -> tuple[str | None, str | None]:
    """What a run did, in English and Bahasa Indonesia: rejected rows out of everything the
    payload held (rows and events), and the events it read. None for a plain clean run."""
    events = summary.events_read
    entries = summary.accepted + summary.rejected + events
    if summary.status == "failed":
        return (
            f"all {summary.rejected} rows were rejected",
            f"semua {summary.rejected} baris ditolak",
        )
    en: list[str] = []
    id_: list[str] = []
    if summary.rejected:
        en.append(f"{summary.rejected} of {entries} entries rejected")
        id_.append(f"{summary.rejected} dari {entries} entri ditolak")
    if events:
        if summary.accepted:
            en.append(f"{summary.accepted} rows accepted")
            id_.append(f"{summary.accepted} baris diterima")
        en.append(f"{events} events read ({summary.events} new or changed)")
        id_.append(f"{events} kejadian dibaca ({summary.events} baru atau berubah)")
    if not en:
        return None, None
    return "; ".join(en), "; ".join(id_)


def _error_line(c: Candidate) -> dict[str, Any]:
    first = c.reasons[0]
    return {
        "row": c.row,
        "column": first.column,
        "value": first.as_dict()["value"],
        "reason": first.en,
        "reason_id": first.id,
        "reasons": [r.as_dict() for r in c.reasons],
    }


def _quarantine(conn: Connection, rejected: list[Candidate], source_id: str, run_id: int) -> None:
    if not rejected:
        return
    conn.execute(
        insert(QuarantinedRow),
        [
            {
                "run_id": run_id,
                "source_id": source_id,
                "row_number": c.row,
                "raw": _jsonable(c.raw),
                "reasons": [r.as_dict() for r in c.reasons],
            }
            for c in rejected
        ],
    )


def _jsonable(raw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in raw.items():
        if value is None or isinstance(value, (str, int, float, bool, list, dict)):
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out


def _store_events(conn: Connection, events: list[EventRecord], source_id: str, run_id: int) -> int:
    """Insert events not seen before; a re-sent event with new details is updated."""
    table = Event.__table__
    written = 0
    for ev in events:
        values = {
            "kind": ev.kind,
            "occurred_at": ev.occurred_at,
            "lat": ev.lat,
            "lon": ev.lon,
            "magnitude": ev.magnitude,
            "depth_km": ev.depth_km,
            "description": ev.description,
            "extra": _jsonable(ev.extra),
        }
        existing = (
            conn.execute(
                select(table).where(
                    table.c.source_id == source_id, table.c.external_id == ev.external_id
                )
            )
            .mappings()
            .first()
        )
        if existing is None:
            conn.execute(
                insert(Event).values(
                    source_id=source_id, external_id=ev.external_id, run_id=run_id, **values
                )
            )
            written += 1
        elif any(existing[k] != v for k, v in values.items()):
            conn.execute(
                update(Event).where(table.c.id == existing["id"]).values(run_id=run_id, **values)
            )
            written += 1
    return written


@dataclass
class Preview:
    """What a run would do with a payload, without storing anything (the upload page)."""

    accepted: Any  # pandas DataFrame of typed rows
    rejected: list[Candidate]
    error: CollectorError | None = None


def preview(rt: Runtime, source_id: str, payload: Payload, today: date | None = None) -> Preview:
    source = rt.catalogue.source(source_id)
    ctx = SourceContext(source, rt.catalogue.source_options[source_id], rt.catalogue, rt.regions)
    try:
        parsed = get_kind(source.kind).parse(payload, ctx)
    except CollectorError as error:
        return Preview(None, [], error)
    verdict = validate(parsed, rt.catalogue, source, today or date.today())
    return Preview(verdict.accepted, verdict.rejected)


def replay(rt: Runtime, run_id: int) -> RunSummary:
    """Parse an archived payload again with today's parser and config."""
    with rt.engine.connect() as conn:
        row = conn.execute(
            select(CollectionRun.source_id, CollectionRun.payload_sha256, RawPayload.content_type)
            .join(RawPayload, RawPayload.sha256 == CollectionRun.payload_sha256, isouter=True)
            .where(CollectionRun.id == run_id)
        ).first()
    if row is None:
        raise LookupError(f"run {run_id} does not exist")
    if row.payload_sha256 is None:
        raise LookupError(f"run {run_id} has no archived payload (it failed before fetching one)")
    content = read_payload(rt.settings.payload_dir, row.payload_sha256)
    return collect(
        rt,
        row.source_id,
        trigger="replay",
        replay_of=run_id,
        payload=Payload(
            content, row.content_type or "application/octet-stream", {"replay_of": run_id}
        ),
    )
