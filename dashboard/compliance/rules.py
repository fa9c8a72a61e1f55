"""SKPD data compliance: which periods each SKPD owes by when, and whether they came on time.

Every SKPD must deliver a period's data by its delivery day of the following month, end of
day WITA (``dashboard.catalogue.periods.due_moment``); quarterly data is judged in the
quarter's last month, yearly data in December. Pure functions; /ops/compliance
(``dashboard.views.compliance``) reads the store and shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import add_months, due_moment, local_today


@dataclass(frozen=True)
class ComplianceItem:
    skpd_id: str
    indicator_code: str
    period_start: date
    grain: str
    due: datetime  # the first moment that is too late (UTC)
    delivered_at: datetime | None
    # on_time, late, missing, pending (not due yet), before (due before the command centre
    # collected it: whether it came on time cannot be known, so it is not judged)
    status: str


@dataclass(frozen=True)
class SkpdCompliance:
    skpd_id: str
    name: str
    short_name: str
    delivery_day: int
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int
    rank: int | None = None
    before: int = 0

    @property
    def due_count(self) -> int:
        return self.expected - self.pending - self.before

    @property
    def score(self) -> float | None:
        """Share of what is due that arrived on time."""
        return self.on_time / self.due_count if self.due_count else None


def expected_periods(catalogue: Catalogue, month: date) -> list[tuple[str, str, date, str]]:
    """(skpd, indicator, period start, grain) whose period ends with ``month``.

    Daily and event indicators are operational feeds, not deliveries: not counted."""
    out = []
    for ind in catalogue.indicators:
        if ind.frequency == "monthly":
            period = month
        elif ind.frequency == "quarterly" and month.month % 3 == 0:
            period = add_months(month, -2)
        elif ind.frequency == "yearly" and month.month == 12:
            period = date(month.year, 1, 1)
        else:
            continue
        out.append((ind.skpd, ind.code, period, ind.grain))
    return out


def judge(
    catalogue: Catalogue,
    month: date,
    deliveries: Mapping[tuple[str, date, str], datetime],
    now: datetime,
    monitored_since: Mapping[str, datetime] | None = None,
) -> tuple[list[SkpdCompliance], list[ComplianceItem]]:
    """Every SKPD's expected indicators for ``month``, each on time, late, missing or pending; ranked.

    ``monitored_since`` (indicator → when the command centre first collected it): a deadline
    that passed before then is "before", not late or missing — the history a first run
    backfills arrives after its deadlines, and says nothing about the SKPD."""
    days = {s.id: s.delivery_day for s in catalogue.skpd}
    started = min(monitored_since.values()) if monitored_since else None  # for one never collected
    items = []
    for skpd_id, code, period, grain in expected_periods(catalogue, month):
        due = due_moment(month, "month", days.get(skpd_id, 10))
        delivered = deliveries.get((code, period, grain))
        since = (monitored_since or {}).get(code, started)
        if delivered is not None and delivered < due:
            status = "on_time"
        elif since is not None and due <= since:
            status = "before"
        elif delivered is not None:
            status = "late"
        else:
            status = "missing" if now >= due else "pending"
        items.append(ComplianceItem(skpd_id, code, period, grain, due, delivered, status))
    summaries = []
    for s in catalogue.skpd:
        mine = [i for i in items if i.skpd_id == s.id]
        count = {
            k: sum(i.status == k for i in mine)
            for k in ("on_time", "late", "missing", "pending", "before")
        }
        summaries.append(
            SkpdCompliance(s.id, s.name, s.short_name, s.delivery_day, len(mine), **count)
        )
    return rank(summaries), items


def rank(summaries: list[SkpdCompliance]) -> list[SkpdCompliance]:
    """Best first: on-time share, then fewer missing, fewer late; SKPDs with nothing due last, unranked."""
    scored = sorted(
        ((score, s) for s in summaries if (score := s.score) is not None),
        key=lambda p: (-p[0], p[1].missing, p[1].late, p[1].short_name),
    )
    rest = sorted((s for s in summaries if s.score is None), key=lambda s: s.short_name)
    out, previous, position = [], None, 0
    for i, (score, s) in enumerate(scored, start=1):
        key = (score, s.missing, s.late)
        position = position if key == previous else i  # ties share a rank
        previous = key
        out.append(_with_rank(s, position))
    return out + [_with_rank(s, None) for s in rest]


def _with_rank(s: SkpdCompliance, position: int | None) -> SkpdCompliance:
    return replace(s, rank=position)


def default_month(catalogue: Catalogue, now: datetime) -> date:
    """The latest data month whose every deadline has passed."""
    latest_day = max((s.delivery_day for s in catalogue.skpd), default=10)
    month = add_months(local_today(now), -1)
    while due_moment(month, "month", latest_day) > now:
        month = add_months(month, -1)
    return month


def monitored_since(
    catalogue: Catalogue, first_runs: Mapping[str, datetime]
) -> dict[str, datetime]:
    """Indicator → the first run of any source feeding it (uploads included)."""
    out = {}
    for ind in catalogue.indicators:
        starts = [
            first_runs[s.id] for s in catalogue.sources_feeding(ind.code) if s.id in first_runs
        ]
        if starts:
            out[ind.code] = min(starts)
    return out
