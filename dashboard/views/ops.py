"""Prepared data for /ops/sources (source health) and the labels both operations pages
share (/ops/compliance's data is ``dashboard.views.compliance``).

Pure builders (facts in, view objects out) with a thin ``load_*`` each doing the reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from babel.dates import format_timedelta
from sqlalchemy import Connection, Engine

from dashboard import i18n, run_errors
from dashboard.catalogue import freshness
from dashboard.catalogue.models import Catalogue
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
