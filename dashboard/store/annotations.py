"""Annotations on the time axis: festivals, policy changes, disasters.

An annotation belongs to one indicator, or to all (``indicator_code`` NULL: an earthquake
matters to every chart), and optionally to one region. Reads use the index on
``indicator_code`` (NULL included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, insert, or_, select

from dashboard.store import audit, limits
from dashboard.store.audit import Actor, as_actor
from dashboard.store.engine import begin_write
from dashboard.store.schema import Annotation, utcnow

MAX_TEXT = limits.ANNOTATION
MAX_AUTHOR = 100
EARLIEST = date(2000, 1, 1)


class AnnotationError(ValueError):
    """A rejected annotation; ``key`` names the problem for a label (``analyst.annot.err.<key>``)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Note:
    id: int
    indicator_code: str | None
    region_code: str | None
    on_date: date
    text: str
    author: str
    created_at: datetime


def add_annotation(
    engine: Engine,
    *,
    indicator_code: str | None,
    region_code: str | None,
    on_date: date,
    text: str,
    author: Actor | str,
    today: date,
) -> int:
    """Store one annotation after checking it; raises ``AnnotationError``.

    ``author`` is the signed-in account (a plain name from the command line or a test)."""
    actor = as_actor(author)
    text, author = (text or "").strip(), actor.name.strip()
    if not text:
        raise AnnotationError("text")
    if len(text) > MAX_TEXT:
        raise AnnotationError("too_long")
    if not author:
        raise AnnotationError("author")
    if len(author) > MAX_AUTHOR:
        raise AnnotationError("author")
    if not EARLIEST <= on_date <= date(today.year + 1, 12, 31):
        raise AnnotationError("date")
    table = Annotation.__table__
    with begin_write(engine) as conn:
        note_id = conn.execute(
            insert(Annotation)
            .values(
                indicator_code=indicator_code,
                region_code=region_code,
                on_date=on_date,
                text=text,
                author=author,
                created_at=utcnow(),
            )
            .returning(table.c.id)
        ).scalar_one()
        audit.record(
            conn,
            "annotation.add",
            f"annotation #{note_id}",
            after={"indicator": indicator_code, "date": on_date.isoformat(), "text": text},
            actor=actor,
        )
        return note_id


def annotations_for(
    conn: Connection,
    indicator_code: str,
    start: date,
    end: date,
    regions: tuple[str, ...] | None = None,
) -> list[Note]:
    """Annotations of this indicator or of all indicators, dated in [start, end), oldest first.

    With ``regions``, those for other regions are left out (province-wide ones stay).
    """
    table = Annotation.__table__
    statement = (
        select(table)
        .where(
            or_(table.c.indicator_code == indicator_code, table.c.indicator_code.is_(None)),
            table.c.on_date >= start,
            table.c.on_date < end,
        )
        .order_by(table.c.on_date, table.c.id)
    )
    if regions is not None:
        statement = statement.where(
            or_(table.c.region_code.is_(None), table.c.region_code.in_(list(regions)))
        )
    return [
        Note(r.id, r.indicator_code, r.region_code, r.on_date, r.text, r.author, r.created_at)
        for r in conn.execute(statement).all()
    ]
