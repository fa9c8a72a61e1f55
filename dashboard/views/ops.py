"""Prepared data for the operations pages: source health (``/ops/sources``) and SKPD
data compliance (``/ops/compliance``), plus the compliance workbook.

Pure builders (facts in, view objects out) with a thin ``load_*`` each doing the reads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from babel.dates import format_timedelta
from sqlalchemy import Connection, Engine

from dashboard import i18n, run_errors
from dashboard.catalogue import freshness
from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import add_months, due_moment, local_today
from dashboard.store import health as store
from dashboard.store.runs import RunRecord

RECENT_RUNS = 30
TREND_RUNS = 20
SPARK = "▁▂▃▄▅▆▇█"
# Rows this far from the usual count (either way) are flagged.
ROWS_UNUSUAL_RATIO = 0.5
# The scheduler reports next run times with its heartbeat (every 15 s): a run just due, or
# running, shows "now"; only a run this far past its time is "overdue".
OVERDUE_AFTER_SECONDS = 120
HISTORY_MONTHS = 6

LABELS = {
    "id": {
        "sources.title": "Kesehatan sumber data",
        "compliance.title": "Kepatuhan data SKPD",
        "health.ok": "OK",
        "health.unstable": "Tidak stabil",
        "health.late": "Terlambat",
        "health.failing": "Gagal",
        "health.disabled": "Nonaktif",
        "health.unknown": "Belum pernah jalan",
        "col.source": "Sumber",
        "col.health": "Status",
        "col.last_attempt": "Percobaan terakhir",
        "col.last_success": "Sukses terakhir",
        "col.next_run": "Jadwal berikut",
        "col.duration": "Durasi",
        "col.rows": "Baris (biasanya)",
        "col.error": "Galat terakhir",
        "col.failures": "Gagal beruntun",
        "col.uptime": "Uptime 30 hari",
        "col.indicators": "Indikator",
        "col.rejected": "Baris ditolak",
        "never": "belum pernah",
        "unknown": "tidak diketahui",
        "overdue": "terlewat",
        "due_now": "sekarang",
        "in": "dalam {span}",
        "scheduler.none": "Penjadwal belum pernah melapor",
        "scheduler.seen": "Penjadwal terakhir melapor {age}",
        "filter.all": "Semua",
        "filter.problems": "Hanya yang bermasalah",
        "rejected.title": "Baris ditolak pada proses #{run} ({source})",
        "rejected.row": "Baris",
        "rejected.reasons": "Alasan",
        "rejected.raw": "Data mentah",
        "rejected.none": "Tidak ada baris ditolak pada proses ini.",
        "rejected.back": "Kembali ke daftar sumber",
        "rejected.unknown": "Proses #{run} tidak ditemukan.",
        "up_of": "{up}/{total} OK",
        "rows.unusual": "tidak biasa",
        "no_sources": "Belum ada sumber data.",
        "col.rank": "Peringkat",
        "col.skpd": "SKPD",
        "col.expected": "Diharapkan",
        "col.on_time": "Tepat waktu",
        "col.late": "Terlambat",
        "col.missing": "Belum dikirim",
        "col.pending": "Belum jatuh tempo",
        "col.score": "Kepatuhan",
        "col.indicator": "Indikator",
        "col.period": "Periode",
        "col.due": "Batas waktu",
        "col.delivered": "Diterima",
        "col.status": "Status",
        "col.month": "Bulan",
        "status.on_time": "Tepat waktu",
        "status.late": "Terlambat",
        "status.missing": "Belum dikirim",
        "status.before": "Sebelum dipantau",
        "col.before": "Sebelum dipantau",
        "monitored_since": "Dipantau sejak {when}; tenggat sebelum itu tidak dinilai.",
        "status.pending": "Belum jatuh tempo",
        "period": "Periode data",
        "export": "Unduh Excel",
        "details": "Rincian per indikator",
        "history": "Riwayat kepatuhan {n} bulan",
        "ranking": "Peringkat SKPD",
        "rule": "Batas pengiriman: tanggal {day} bulan berikutnya",
        "rule.general": "Setiap SKPD wajib mengirim data periode ini paling lambat tanggal penyerahannya pada bulan berikutnya, "
        "pukul 24.00 WITA. Data triwulanan dinilai pada bulan akhir triwulan, data tahunan pada bulan Desember.",
        "sheet.ranking": "Peringkat",
        "sheet.details": "Rincian",
        "sheet.history": "Riwayat",
    },
    "en": {
        "sources.title": "Source health",
        "compliance.title": "SKPD data compliance",
        "health.ok": "OK",
        "health.unstable": "Unstable",
        "health.late": "Late",
        "health.failing": "Failing",
        "health.disabled": "Disabled",
        "health.unknown": "Never run",
        "col.source": "Source",
        "col.health": "Health",
        "col.last_attempt": "Last attempt",
        "col.last_success": "Last success",
        "col.next_run": "Next run",
        "col.duration": "Duration",
        "col.rows": "Rows (usual)",
        "col.error": "Last error",
        "col.failures": "Failures in a row",
        "col.uptime": "30-day uptime",
        "col.indicators": "Indicators",
        "col.rejected": "Rejected rows",
        "never": "never",
        "unknown": "unknown",
        "overdue": "overdue",
        "due_now": "now",
        "in": "in {span}",
        "scheduler.none": "The scheduler has never reported",
        "scheduler.seen": "Scheduler last reported {age}",
        "filter.all": "All",
        "filter.problems": "Problems only",
        "rejected.title": "Rows rejected in run #{run} ({source})",
        "rejected.row": "Row",
        "rejected.reasons": "Reasons",
        "rejected.raw": "Raw data",
        "rejected.none": "No rows were rejected in this run.",
        "rejected.back": "Back to the sources",
        "rejected.unknown": "Run #{run} was not found.",
        "up_of": "{up}/{total} OK",
        "rows.unusual": "unusual",
        "no_sources": "No sources yet.",
        "col.rank": "Rank",
        "col.skpd": "SKPD",
        "col.expected": "Expected",
        "col.on_time": "On time",
        "col.late": "Late",
        "col.missing": "Missing",
        "col.pending": "Not yet due",
        "col.score": "Compliance",
        "col.indicator": "Indicator",
        "col.period": "Period",
        "col.due": "Due",
        "col.delivered": "Received",
        "col.status": "Status",
        "col.month": "Month",
        "status.on_time": "On time",
        "status.late": "Late",
        "status.missing": "Missing",
        "status.before": "Before monitoring",
        "col.before": "Before monitoring",
        "monitored_since": "Monitored since {when}; deadlines before then are not judged.",
        "status.pending": "Not yet due",
        "period": "Data period",
        "export": "Download Excel",
        "details": "Details per indicator",
        "history": "Compliance over {n} months",
        "ranking": "SKPD ranking",
        "rule": "Deadline: day {day} of the next month",
        "rule.general": "Every SKPD must deliver a period's data by its delivery day of the following month, end of day WITA. "
        "Quarterly data is judged in the quarter's last month, yearly data in December.",
        "sheet.ranking": "Ranking",
        "sheet.details": "Details",
        "sheet.history": "History",
    },
}


def label(key: str, lang: str, **values) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


# --- source health ---------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    source_id: str
    name: str
    skpd_id: str
    enabled: bool
    health: str
    last_attempt: RunRecord | None
    last_success_at: datetime | None
    next_run_at: datetime | None
    durations: tuple[float, ...]  # oldest → newest, finished runs
    rows_last: int | None
    rows_usual: float | None
    last_error: RunRecord | None
    consecutive_failures: int
    uptime: float | None  # share of finished runs that succeeded, last 30 days
    indicators: tuple[str, ...]
    last_run_id: int | None
    last_run_rejected: int
    failing_since: datetime | None = None  # first run of the current failure streak


def build_source_health(
    catalogue: Catalogue,
    runs: Mapping[str, list[RunRecord]],
    successes: Mapping[str, datetime],
    firsts: Mapping[str, datetime],
    uptime: Mapping[str, tuple[int, int]],
    next_runs: Mapping[str, datetime],
    now: datetime,
) -> list[SourceHealth]:
    out = []
    for source in catalogue.sources:
        recent = runs.get(source.id, [])
        finished = [r for r in recent if r.finished]
        good = [r for r in finished if r.succeeded]
        last = recent[0] if recent else None
        out.append(
            SourceHealth(
                source_id=source.id,
                name=source.name,
                skpd_id=source.skpd,
                enabled=source.enabled,
                health=freshness.classify(
                    catalogue.staleness,
                    enabled=source.enabled,
                    last_run_succeeded=finished[0].succeeded if finished else None,
                    last_success_at=successes.get(source.id),
                    first_attempt_at=firsts.get(source.id),
                    gap_seconds=source.schedule.expected_gap_seconds,
                    uptime=freshness.uptime_share(uptime.get(source.id)),
                    now=now,
                ),
                last_attempt=last,
                last_success_at=successes.get(source.id),
                next_run_at=next_runs.get(f"source:{source.id}") if source.enabled else None,
                durations=tuple(
                    d
                    for r in reversed(finished[:TREND_RUNS])
                    if (d := r.duration_seconds) is not None
                ),
                # An event feed's rows are its events (an earthquake run stores no observations).
                rows_last=_entries(good[0]) if good else None,
                rows_usual=median(_entries(r) for r in good) if good else None,
                last_error=next((r for r in finished if not r.succeeded), None),
                consecutive_failures=store.consecutive_failures(finished),
                uptime=freshness.uptime_share(uptime.get(source.id)),
                indicators=tuple(source.indicators),
                last_run_id=finished[0].id if finished else None,
                last_run_rejected=finished[0].rows_rejected if finished else 0,
                failing_since=_streak_start(finished),
            )
        )
    return out


def _streak_start(finished: list[RunRecord]) -> datetime | None:
    streak = store.consecutive_failures(finished)
    return finished[streak - 1].started_at if streak else None


def load_source_health(conn: Connection, catalogue: Catalogue, now: datetime) -> list[SourceHealth]:
    ids = [s.id for s in catalogue.sources]
    _, next_runs = store.scheduler_next_runs(conn)
    return build_source_health(
        catalogue,
        store.recent_runs(conn, ids, RECENT_RUNS),
        store.last_successes(conn),
        store.first_attempts(conn),
        store.uptime_counts(conn, store.window_start(now, freshness.UPTIME_DAYS)),
        next_runs,
        now,
    )


def _entries(run: RunRecord) -> int:
    return run.rows_accepted + run.events_accepted


def sparkline(values: tuple[float, ...]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    top = len(SPARK) - 1
    return "".join(SPARK[0 if span == 0 else round((v - low) / span * top)] for v in values)


@dataclass(frozen=True)
class SourceRow:
    source_id: str
    name: str
    health: str
    health_label: str
    last_attempt: str
    last_attempt_status: str | None
    last_success: str
    next_run: str
    duration: str
    duration_trend: str
    rows: str
    rows_unusual: bool
    error_class: str | None
    error_message: str  # one sentence in the reader's language (run_errors.short_reason)
    failures: int
    uptime: str
    indicators: str
    rejected: int
    rejected_href: str | None
    error_detail: str = ""  # class and redacted message, behind a click


@dataclass(frozen=True)
class SkpdGroup:
    skpd_id: str
    name: str
    summary: str
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True)
class SourcesPage:
    groups: tuple[SkpdGroup, ...]
    counts: dict[str, int]
    count_labels: dict[str, str]
    scheduler: str
    scheduler_ok: bool


def _ago(moment: datetime | None, now: datetime, lang: str) -> str:
    return i18n.age(moment, now, lang) if moment else label("never", lang)


def _seconds(value: float, lang: str) -> str:
    return f"{i18n.number(value, lang, 1 if value < 10 else 0)} s"


def source_row(h: SourceHealth, now: datetime, lang: str, lang_query: str = "") -> SourceRow:
    if h.next_run_at is None:
        next_run = "—"
    elif h.next_run_at <= now - timedelta(seconds=OVERDUE_AFTER_SECONDS):
        next_run = label("overdue", lang)
    elif h.next_run_at <= now:
        next_run = label("due_now", lang)
    else:
        span = format_timedelta(h.next_run_at - now, threshold=1, locale=i18n.language(lang))
        next_run = f"{label('in', lang, span=span)} ({i18n.wita_time(h.next_run_at, lang)})"
    unusual = bool(
        h.rows_usual
        and h.rows_last is not None
        and abs(h.rows_last - h.rows_usual) > ROWS_UNUSUAL_RATIO * h.rows_usual
    )
    rows = (
        "—"
        if h.rows_last is None
        else (f"{i18n.number(h.rows_last, lang, 0)} ({i18n.number(h.rows_usual or 0, lang, 0)})")
    )
    error = h.last_error
    return SourceRow(
        source_id=h.source_id,
        name=h.name,
        health=h.health,
        health_label=label(f"health.{h.health}", lang),
        last_attempt=_ago(h.last_attempt.started_at if h.last_attempt else None, now, lang),
        last_attempt_status=h.last_attempt.status if h.last_attempt else None,
        last_success=_ago(h.last_success_at, now, lang),
        next_run=next_run,
        duration=_seconds(h.durations[-1], lang) if h.durations else "—",
        duration_trend=sparkline(h.durations),
        rows=rows,
        rows_unusual=unusual,
        error_class=error.error_class if error else None,
        error_message=run_errors.short_reason(
            error.error_class,
            error.message,
            h.name,
            h.failing_since or error.started_at,
            lang,
            now,
        )
        if error
        else "",
        error_detail=run_errors.detail(
            error.error_class,
            (error.message_id if lang != "en" and error.message_id else error.message),
        )
        if error
        else "",
        failures=h.consecutive_failures,
        uptime="—" if h.uptime is None else f"{i18n.number(h.uptime * 100, lang, 1)} %",
        indicators=", ".join(h.indicators),
        rejected=h.last_run_rejected,
        rejected_href=(
            f"/ops/sources?run={h.last_run_id}{lang_query}"
            if h.last_run_rejected and h.last_run_id
            else None
        ),
    )


def sources_page(
    catalogue: Catalogue,
    healths: list[SourceHealth],
    heartbeat: datetime | None,
    now: datetime,
    lang: str,
    only_problems: bool = False,
    heartbeat_limit_seconds: float = 60,
) -> SourcesPage:
    lang_query = "&lang=en" if lang == "en" else ""
    counts: dict[str, int] = dict.fromkeys(freshness.HEALTHS, 0)
    for h in healths:
        counts[h.health] += 1
    skpd = {s.id: s for s in catalogue.skpd}
    groups = []
    for skpd_id in sorted(
        {h.skpd_id for h in healths}, key=lambda s: skpd[s].short_name if s in skpd else s
    ):
        members = [h for h in healths if h.skpd_id == skpd_id]
        shown = [h for h in members if not only_problems or h.health in freshness.PROBLEMS]
        if not shown:
            continue
        enabled = [h for h in members if h.enabled]
        summary = label(
            "up_of", lang, up=sum(h.health == "ok" for h in enabled), total=len(enabled)
        )
        groups.append(
            SkpdGroup(
                skpd_id,
                skpd[skpd_id].name if skpd_id in skpd else skpd_id,
                summary,
                tuple(source_row(h, now, lang, lang_query) for h in shown),
            )
        )
    if heartbeat is None:
        scheduler, ok = label("scheduler.none", lang), False
    else:
        scheduler = label("scheduler.seen", lang, age=i18n.age(heartbeat, now, lang))
        ok = (now - heartbeat).total_seconds() <= heartbeat_limit_seconds
    return SourcesPage(
        tuple(groups),
        counts,
        {h: label(f"health.{h}", lang) for h in freshness.HEALTHS},
        scheduler,
        ok,
    )


def load_sources_page(
    engine: Engine,
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    only_problems: bool = False,
    heartbeat_limit_seconds: float = 60,
) -> SourcesPage:
    with engine.connect() as conn:
        healths = load_source_health(conn, catalogue, now)
        heartbeat, _ = store.scheduler_next_runs(conn)
    return sources_page(
        catalogue, healths, heartbeat, now, lang, only_problems, heartbeat_limit_seconds
    )


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    reasons: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class RejectedView:
    title: str
    rows: tuple[RejectedRow, ...]
    empty: str | None


def load_rejected(
    engine: Engine, run_id: int, lang: str, sources: frozenset[str] | None = None
) -> RejectedView:
    """A run's quarantined rows; with ``sources``, a run of any other source is unknown
    (raw rows carry whatever the source sends: only its readers see them)."""
    import json

    with engine.connect() as conn:
        run = store.run_by_id(conn, run_id)
        if run is not None and sources is not None and run.source_id not in sources:
            run = None
        entries = store.quarantined_rows(conn, run_id) if run else []
    if run is None:
        return RejectedView(
            label("rejected.unknown", lang, run=run_id),
            (),
            label("rejected.unknown", lang, run=run_id),
        )
    key = "reason_en" if lang == "en" else "reason_id"
    rows = tuple(
        RejectedRow(
            e.row_number,
            tuple(
                f"{r.get('column') or '—'}: {r.get(key) or r.get('reason_en', '')}"
                for r in e.reasons
            ),
            json.dumps(e.raw, ensure_ascii=False),
        )
        for e in entries
    )
    return RejectedView(
        label("rejected.title", lang, run=run_id, source=run.source_id),
        rows,
        None if rows else label("rejected.none", lang),
    )


# --- compliance -------------------------------------------------------------------------


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
    from dataclasses import replace

    return replace(s, rank=position)


def default_month(catalogue: Catalogue, now: datetime) -> date:
    """The latest data month whose every deadline has passed."""
    latest_day = max((s.delivery_day for s in catalogue.skpd), default=10)
    month = add_months(local_today(now), -1)
    while due_moment(month, "month", latest_day) > now:
        month = add_months(month, -1)
    return month


@dataclass(frozen=True)
class ComplianceRow:
    rank: str
    skpd: str
    delivery_rule: str
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int
    score: str
    score_value: float | None
    before: int = 0
    skpd_id: str = ""  # the row's anchor (#skpd-<id>): the navigation search links to it


@dataclass(frozen=True)
class DetailRow:
    skpd: str
    indicator: str
    period: str
    due: str
    delivered: str
    status: str
    status_label: str


@dataclass(frozen=True)
class CompliancePage:
    month: date
    month_label: str
    months: tuple[tuple[str, str], ...]  # (yyyy-mm, label), newest first
    ranking: tuple[ComplianceRow, ...]
    details: tuple[DetailRow, ...]
    history_months: tuple[str, ...]
    history: tuple[tuple[str, tuple[str, ...]], ...]  # (skpd, scores per month)
    labels: dict[str, str] = field(default_factory=dict)
    monitored_since: str | None = None  # "Monitored since …" when the centre's first run is known


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else f"{i18n.number(value * 100, lang, 1)} %"


def compliance_page(
    catalogue: Catalogue,
    month: date,
    by_month: Mapping[date, tuple[list[SkpdCompliance], list[ComplianceItem]]],
    now: datetime,
    lang: str,
    started: datetime | None = None,
) -> CompliancePage:
    summaries, items = by_month[month]
    names = {s.id: s.short_name for s in catalogue.skpd}
    indicators = catalogue.indicators_by_code
    ranking = tuple(
        ComplianceRow(
            rank=str(s.rank) if s.rank else "—",
            skpd=s.short_name,
            skpd_id=s.skpd_id,
            delivery_rule=label("rule", lang, day=s.delivery_day),
            expected=s.expected,
            on_time=s.on_time,
            late=s.late,
            missing=s.missing,
            pending=s.pending,
            score=_pct(s.score, lang),
            score_value=s.score,
            before=s.before,
        )
        for s in summaries
    )
    order = {s.skpd_id: i for i, s in enumerate(summaries)}
    details = tuple(
        DetailRow(
            skpd=names.get(i.skpd_id, i.skpd_id),
            indicator=f"{i.indicator_code} — {indicators[i.indicator_code].name.get(lang)}",
            period=i18n.period(i.period_start, i.grain, lang),
            due=i18n.wita_datetime(i.due - timedelta(seconds=1), lang),
            delivered=i18n.wita_datetime(i.delivered_at, lang) if i.delivered_at else "—",
            status=i.status,
            status_label=label(f"status.{i.status}", lang),
        )
        for i in sorted(items, key=lambda i: (order.get(i.skpd_id, 99), i.indicator_code))
    )
    history_months = sorted(by_month)
    history = tuple(
        (
            s.short_name,
            tuple(
                _pct(next(x.score for x in by_month[m][0] if x.skpd_id == s.skpd_id), lang)
                for m in history_months
            ),
        )
        for s in summaries
    )
    months = tuple(
        (m.strftime("%Y-%m"), i18n.period(m, "month", lang)) for m in sorted(by_month, reverse=True)
    )
    return CompliancePage(
        month,
        i18n.period(month, "month", lang),
        months,
        ranking,
        details,
        tuple(i18n.period(m, "month", lang) for m in history_months),
        history,
        dict(LABELS[i18n.language(lang)]),
        label("monitored_since", lang, when=i18n.wita_datetime(started, lang)) if started else None,
    )


def load_compliance(
    engine: Engine,
    catalogue: Catalogue,
    month: date,
    now: datetime,
    lang: str,
    history_months: int = HISTORY_MONTHS,
) -> CompliancePage:
    months = [add_months(month, -k) for k in range(history_months)]
    wanted = [e for m in months for e in expected_periods(catalogue, m)]
    with engine.connect() as conn:
        deliveries = store.first_deliveries(
            conn, {code for _, code, _, _ in wanted}, {p for _, _, p, _ in wanted}
        )
        first_runs = store.first_attempts(conn)
    since = monitored_since(catalogue, first_runs)
    by_month = {m: judge(catalogue, m, deliveries, now, since) for m in months}
    return compliance_page(
        catalogue, month, by_month, now, lang, min(since.values()) if since else None
    )


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


def parse_month(text: str | None) -> date | None:
    try:
        return datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None


def compliance_workbook(page: CompliancePage) -> bytes:
    """The page's three tables as an .xlsx (openpyxl), in the page's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    L = page.labels
    book = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            L["sheet.ranking"],
            [
                L["col.rank"],
                L["col.skpd"],
                L["col.expected"],
                L["col.on_time"],
                L["col.late"],
                L["col.missing"],
                L["col.pending"],
                L["col.before"],
                L["col.score"],
            ],
            [
                [
                    r.rank,
                    r.skpd,
                    r.expected,
                    r.on_time,
                    r.late,
                    r.missing,
                    r.pending,
                    r.before,
                    None if r.score_value is None else round(r.score_value * 100, 1),
                ]
                for r in page.ranking
            ],
        ),
        (
            L["sheet.details"],
            [
                L["col.skpd"],
                L["col.indicator"],
                L["col.period"],
                L["col.due"],
                L["col.delivered"],
                L["col.status"],
            ],
            [
                [d.skpd, d.indicator, d.period, d.due, d.delivered, d.status_label]
                for d in page.details
            ],
        ),
        (
            L["sheet.history"],
            [L["col.skpd"], *page.history_months],
            [[skpd, *scores] for skpd, scores in page.history],
        ),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        sheet = book.worksheets[0] if index == 0 else book.create_sheet()  # [0]: the active one
        sheet.title = title
        sheet.append([f"{L['compliance.title']} — {page.month_label}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for number, column in enumerate(sheet.columns, start=1):  # from A: A1 has the title
            width = (
                max(len(str(c.value or "")) for c in list(column)[1:]) if sheet.max_row > 1 else 10
            )
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width + 2, 8), 70)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
