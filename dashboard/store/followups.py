"""Follow-ups (tindak lanjut): the lifecycle of an item, kept step by step.

The governor's office opens an item from an exception; the SKPD answers (``in_progress``
= dikerjakan, ``done`` = selesai, ``declined`` = tidak dapat ditindaklanjuti, with a
reason) with an optional attachment; the governor's office closes or reopens it. The
scheduler marks an item whose indicator is on target again (``mark_back_on_target``), but
only a person closes it. Overdue is derived: due before today and still open or in hand.

Every function writes in the caller's transaction with the actor's name; who may do what
is decided above (``dashboard.access``), which also writes the audit row alongside.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dashboard.store.blobs import write_once
from dashboard.store.followup_tables import Followup, FollowupStep

KINDS = ("behind", "at_risk", "stale", "missing", "alert")
SUBJECT_KINDS = ("indicator", "source")
PRIORITIES = ("high", "normal", "low")
ANSWERS = ("in_progress", "done", "declined")
STATUSES = ("open", *ANSWERS, "closed")
# Still waiting on the SKPD: these can be overdue.
PENDING = ("open", "in_progress")
# Kinds that end when the indicator is on target again.
TARGET_KINDS = ("behind", "at_risk")

MAX_REQUEST = 2000
MAX_NOTE = 2000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_NAME = 200


class FollowupError(ValueError):
    """A refused step; ``code`` names the reason (the pages word it in both languages)."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Step:
    action: str
    status: str
    note: str | None
    actor: str
    at: datetime
    attachment_name: str | None = None
    attachment_sha256: str | None = None
    attachment_size: int | None = None


@dataclass(frozen=True)
class FollowupRecord:
    id: int
    kind: str
    subject_kind: str
    subject: str
    region_code: str | None
    alert_id: int | None
    skpd_id: str
    request: str
    due_on: date
    priority: str
    status: str
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    back_on_target_at: datetime | None
    steps: tuple[Step, ...] = ()

    def overdue(self, today: date) -> bool:
        """Past its due date and still waiting on the SKPD."""
        return self.status in PENDING and self.due_on < today


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


def attachment_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / f"{sha256}.bin"


def save_attachment(folder: Path, attachment: Attachment) -> tuple[str, int]:
    """Write the bytes once, content-addressed and atomically; (sha256, size)."""
    content = attachment.content
    if not content:
        raise FollowupError("attachment_empty")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise FollowupError("attachment_too_big", size=len(content), limit=MAX_ATTACHMENT_BYTES)
    sha = hashlib.sha256(content).hexdigest()
    write_once(attachment_path(folder, sha), content)
    return sha, len(content)


def read_attachment(folder: Path, sha256: str) -> bytes | None:
    path = attachment_path(folder, sha256)
    return path.read_bytes() if path.is_file() else None


def _clean(text: str | None, field: str, limit: int, required: bool) -> str | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise FollowupError(f"{field}_required")
        return None
    if len(value) > limit:
        raise FollowupError(f"{field}_too_long", length=len(value), limit=limit)
    return value


def _step(
    conn: Connection,
    followup_id: int,
    action: str,
    status: str,
    actor: str,
    now: datetime,
    note: str | None = None,
    attachment: tuple[str, str, int] | None = None,
) -> None:
    name, sha, size = attachment or (None, None, None)
    conn.execute(
        insert(FollowupStep).values(
            followup_id=followup_id,
            action=action,
            status=status,
            note=note,
            actor=actor[:100],
            at=now,
            attachment_name=name,
            attachment_sha256=sha,
            attachment_size=size,
        )
    )


def open_followup(
    conn: Connection,
    *,
    kind: str,
    subject_kind: str,
    subject: str,
    skpd_id: str,
    request: str,
    due_on: date,
    priority: str,
    actor: str,
    now: datetime,
    region_code: str | None = None,
    alert_id: int | None = None,
) -> int:
    """A new item, status ``open``; its id."""
    if kind not in KINDS:
        raise FollowupError("bad_kind", value=kind)
    if subject_kind not in SUBJECT_KINDS:
        raise FollowupError("bad_subject_kind", value=subject_kind)
    if priority not in PRIORITIES:
        raise FollowupError("bad_priority", value=priority)
    if not subject or len(subject) > 100:
        raise FollowupError("bad_subject", value=subject[:100])
    if not skpd_id:
        raise FollowupError("skpd_required")
    text = _clean(request, "request", MAX_REQUEST, required=True)
    # UTC's date: WITA's is the same or a day later, so a due date of today is accepted.
    if due_on < now.date():
        raise FollowupError("due_in_past", due=due_on.isoformat())
    new_id = conn.execute(
        insert(Followup)
        .values(
            kind=kind,
            subject_kind=subject_kind,
            subject=subject,
            region_code=region_code,
            alert_id=alert_id,
            skpd_id=skpd_id,
            request=text,
            due_on=due_on,
            priority=priority,
            status="open",
            opened_by=actor[:100],
            opened_at=now,
            updated_at=now,
        )
        .returning(Followup.id)
    ).scalar_one()
    _step(conn, new_id, "open", "open", actor, now, text)
    return int(new_id)


def _current(conn: Connection, followup_id: int) -> FollowupRecord:
    found = get_followup(conn, followup_id, with_steps=False)
    if found is None:
        raise FollowupError("not_found", id=followup_id)
    return found


def _set(conn: Connection, followup_id: int, now: datetime, **values: Any) -> None:
    conn.execute(
        update(Followup).where(Followup.id == followup_id).values(updated_at=now, **values)
    )


def answer(
    conn: Connection,
    followup_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    attachment: tuple[str, str, int] | None = None,
) -> FollowupRecord:
    """The SKPD's answer: ``in_progress``, ``done`` or ``declined`` (a reason required).
    ``attachment``: (name, sha256, size) of a file already saved with ``save_attachment``."""
    if status not in ANSWERS:
        raise FollowupError("bad_status", value=status)
    item = _current(conn, followup_id)
    if item.status == "closed":
        raise FollowupError("closed_already", id=followup_id)
    text = _clean(
        note, "reason" if status == "declined" else "note", MAX_NOTE, status == "declined"
    )
    if attachment is not None and len(attachment[0]) > MAX_ATTACHMENT_NAME:
        attachment = (attachment[0][-MAX_ATTACHMENT_NAME:], attachment[1], attachment[2])
    _set(conn, followup_id, now, status=status)
    _step(conn, followup_id, "answer", status, actor, now, text, attachment)
    return _current(conn, followup_id)


def close(
    conn: Connection, followup_id: int, *, actor: str, now: datetime, note: str | None = None
) -> FollowupRecord:
    item = _current(conn, followup_id)
    if item.status == "closed":
        raise FollowupError("closed_already", id=followup_id)
    text = _clean(note, "note", MAX_NOTE, required=False)
    _set(conn, followup_id, now, status="closed", closed_at=now)
    _step(conn, followup_id, "close", "closed", actor, now, text)
    return _current(conn, followup_id)


def reopen(
    conn: Connection, followup_id: int, *, actor: str, now: datetime, note: str | None = None
) -> FollowupRecord:
    """Back to ``open`` (a closed item, or an answer the office does not accept)."""
    item = _current(conn, followup_id)
    if item.status == "open":
        raise FollowupError("open_already", id=followup_id)
    text = _clean(note, "note", MAX_NOTE, required=False)
    _set(conn, followup_id, now, status="open", closed_at=None, back_on_target_at=None)
    _step(conn, followup_id, "reopen", "open", actor, now, text)
    return _current(conn, followup_id)


def mark_back_on_target(
    conn: Connection, on_target: Collection[str], now: datetime, actor: str = "system"
) -> list[int]:
    """Mark not-closed behind/at-risk items whose indicator (code) is in ``on_target``;
    the ids newly marked. The status stays: a person closes it."""
    if not on_target:
        return []
    rows = conn.execute(
        select(Followup.id, Followup.status).where(
            Followup.kind.in_(TARGET_KINDS),
            Followup.subject_kind == "indicator",
            Followup.subject.in_(list(on_target)),
            Followup.status != "closed",
            Followup.back_on_target_at.is_(None),
        )
    ).all()
    for row in rows:
        conn.execute(update(Followup).where(Followup.id == row.id).values(back_on_target_at=now))
        _step(conn, row.id, "back_on_target", row.status, actor, now)
    return [int(r.id) for r in rows]


def _record(row: Any, steps: Iterable[Step] = ()) -> FollowupRecord:
    return FollowupRecord(
        int(row.id),
        row.kind,
        row.subject_kind,
        row.subject,
        row.region_code,
        row.alert_id,
        row.skpd_id,
        row.request,
        row.due_on,
        row.priority,
        row.status,
        row.opened_by,
        row.opened_at,
        row.updated_at,
        row.closed_at,
        row.back_on_target_at,
        tuple(steps),
    )


def _steps(conn: Connection, ids: Collection[int]) -> dict[int, list[Step]]:
    out: dict[int, list[Step]] = {}
    if not ids:
        return out
    t = FollowupStep.__table__
    for s in conn.execute(select(t).where(t.c.followup_id.in_(list(ids))).order_by(t.c.at, t.c.id)):
        out.setdefault(int(s.followup_id), []).append(
            Step(
                s.action,
                s.status,
                s.note,
                s.actor,
                s.at,
                s.attachment_name,
                s.attachment_sha256,
                s.attachment_size,
            )
        )
    return out


def get_followup(
    conn: Connection, followup_id: int, with_steps: bool = True
) -> FollowupRecord | None:
    t = Followup.__table__
    row = conn.execute(select(t).where(t.c.id == followup_id)).first()
    if row is None:
        return None
    steps = _steps(conn, [followup_id]).get(followup_id, []) if with_steps else []
    return _record(row, steps)


def list_followups(
    conn: Connection,
    *,
    skpds: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    subjects: Collection[str] | None = None,
    with_steps: bool = True,
) -> list[FollowupRecord]:
    """Items (``skpds``: only those SKPDs'; None = all), oldest due first."""
    t = Followup.__table__
    query = select(t).order_by(t.c.due_on, t.c.id)
    if skpds is not None:
        query = query.where(t.c.skpd_id.in_(list(skpds)))
    if statuses is not None:
        query = query.where(t.c.status.in_(list(statuses)))
    if subjects is not None:
        query = query.where(t.c.subject.in_(list(subjects)))
    rows = conn.execute(query).all()
    steps = _steps(conn, [int(r.id) for r in rows]) if with_steps else {}
    return [_record(r, steps.get(int(r.id), [])) for r in rows]


def closed_between(conn: Connection, start: datetime, end: datetime) -> list[FollowupRecord]:
    """Items closed in [start, end) and still closed."""
    t = Followup.__table__
    rows = conn.execute(
        select(t)
        .where(t.c.status == "closed", t.c.closed_at >= start, t.c.closed_at < end)
        .order_by(t.c.closed_at, t.c.id)
    ).all()
    return [_record(r) for r in rows]
