"""The follow-up loop's rules: which items are back on target (the scheduler marks them),
and the summary the brief carries (open items by SKPD, overdue first; closed this week;
whether an exception has a follow-up)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from dashboard.catalogue.models import Catalogue, Plans
from dashboard.catalogue.periods import local_today
from dashboard.i18n import WITA
from dashboard.scorecard.build import Scorecard, load_scorecard
from dashboard.scorecard.periods import AsOf
from dashboard.store.engine import begin_write
from dashboard.store.followups import (
    PENDING,
    TARGET_KINDS,
    FollowupRecord,
    closed_between,
    list_followups,
    mark_back_on_target,
)

NOT_CLOSED = ("open", "in_progress", "done", "declined")


def on_target_codes(card: Scorecard) -> set[str]:
    return {r.code for r in card.rows if r.status == "on_track"}


def check_back_on_target(
    engine: Engine, catalogue: Catalogue, plans: Plans, now: datetime
) -> list[int]:
    """The scheduler's job: mark items (behind, at risk) whose indicator is on target again,
    in the region they were opened for (the province when none); the ids newly marked."""
    with engine.connect() as conn:
        waiting = [
            f
            for f in list_followups(conn, statuses=NOT_CLOSED, with_steps=False)
            if f.kind in TARGET_KINDS and f.subject_kind == "indicator" and not f.back_on_target_at
        ]
    regions = {f.region_code or catalogue.province.code for f in waiting}
    marked: list[int] = []
    as_of = AsOf.parse(None, now)
    for region in sorted(regions):
        with engine.connect() as conn:
            card = load_scorecard(conn, catalogue, plans, as_of, region, now)
        codes = on_target_codes(card) & {
            f.subject for f in waiting if (f.region_code or catalogue.province.code) == region
        }
        with begin_write(engine) as conn:
            marked += mark_back_on_target(conn, codes, now)
    return marked


def week_start(now: datetime) -> datetime:
    """Monday 00:00 WITA of ``now``'s week, as an aware moment."""
    today = local_today(now)
    monday = today - timedelta(days=today.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=WITA)


@dataclass(frozen=True)
class SkpdFollowups:
    skpd_id: str
    short_name: str
    items: tuple[FollowupRecord, ...]  # overdue first, then by due date


@dataclass(frozen=True)
class FollowupSummary:
    today: date
    open_by_skpd: tuple[SkpdFollowups, ...]
    closed_this_week: tuple[FollowupRecord, ...]
    by_subject: dict[str, FollowupRecord]  # the latest not-closed item per indicator/source

    def for_subject(self, code: str) -> FollowupRecord | None:
        return self.by_subject.get(code)


def summarise(
    records: Sequence[FollowupRecord],
    closed: Iterable[FollowupRecord],
    catalogue: Catalogue,
    now: datetime,
) -> FollowupSummary:
    today = local_today(now)
    names = {s.id: s.short_name for s in catalogue.skpd}
    # Items about an indicator the reader may not read are left out (a cut catalogue).
    records = [
        r
        for r in records
        if r.subject_kind != "indicator" or r.subject in catalogue.indicators_by_code
    ]
    closed = [
        r
        for r in closed
        if r.subject_kind != "indicator" or r.subject in catalogue.indicators_by_code
    ]
    pending = [r for r in records if r.status in NOT_CLOSED]
    groups: dict[str, list[FollowupRecord]] = {}
    for r in pending:
        groups.setdefault(r.skpd_id, []).append(r)
    ordered = []
    for skpd_id, items in groups.items():
        items.sort(key=lambda r: (not r.overdue(today), r.due_on, r.id))
        ordered.append(SkpdFollowups(skpd_id, names.get(skpd_id, skpd_id), tuple(items)))
    # SKPDs with overdue items first, then the most items.
    ordered.sort(
        key=lambda g: (-sum(r.overdue(today) for r in g.items), -len(g.items), g.short_name)
    )
    by_subject: dict[str, FollowupRecord] = {}
    for r in sorted(pending, key=lambda r: r.id):
        by_subject[r.subject] = r
    return FollowupSummary(today, tuple(ordered), tuple(closed), by_subject)


def load_summary(
    engine: Engine, catalogue: Catalogue, now: datetime, skpds: Iterable[str] | None = None
) -> FollowupSummary:
    with engine.connect() as conn:
        records = list_followups(
            conn, statuses=NOT_CLOSED, with_steps=False, skpds=list(skpds) if skpds else None
        )
        closed = closed_between(conn, week_start(now), now + timedelta(seconds=1))
    return summarise(records, closed, catalogue, now)


__all__ = [
    "PENDING",
    "FollowupSummary",
    "SkpdFollowups",
    "check_back_on_target",
    "load_summary",
    "on_target_codes",
    "summarise",
    "week_start",
]
