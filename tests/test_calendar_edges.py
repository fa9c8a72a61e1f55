"""What depends on "now" holds on the calendar's awkward days, in the province's clock (WITA).

Each test runs at every edge instant of ``clock_kit.EDGE_INSTANTS`` (the 1st of a month at
00:30 WITA, either side of an SKPD delivery day, New Year's Eve 23:30 → New Year 00:30, 29
February 2028, Monday 06:59 and 07:01 around the brief job). Callers pass no ``now``: every
module reads the travelling clock, as it does in production, and the expectations are written
out per edge rather than computed by the code under test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import clock_kit
import pytest
from alert_kit import alerts, config, open_keys, run
from apscheduler.schedulers.background import BackgroundScheduler
from clock_kit import WITA, Edge, at_edges
from scorecard_kit import fresh_runs, put

from collectors.base import SourceContext
from collectors.registry import get_kind as registry_kind
from dashboard import i18n
from dashboard.alerts.evaluate import evaluate
from dashboard.alerts.silences import active_silences, add_silence
from dashboard.brief.archive import week_of
from dashboard.brief.weekly import JOB_ID, schedule_weekly_brief
from dashboard.catalogue import load_catalogue
from dashboard.compliance.rules import default_month
from dashboard.regions import RegionRegistry
from dashboard.scorecard.build import load_scorecard
from dashboard.scorecard.periods import AsOf
from dashboard.settings import PROJECT_ROOT
from dashboard.simulator import make_server
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.views.compliance import load_compliance


@dataclass(frozen=True)
class Expect:
    wita_month: str  # the scorecard's as-of month
    ended: date  # the latest month that has ended (WITA)
    due: date  # the latest month whose delivery (Dinkes: day 10) is due
    compliance_month: (
        date  # /ops/compliance's default: the latest month every SKPD owes (by the 15th)
    )
    week: str  # the brief's ISO week
    next_brief: datetime  # when the Monday 07:00 WITA job runs next (WITA)
    day_label: str  # the WITA calendar day, in Indonesian


def _w(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


EXPECT = {
    "first-of-month-0030": Expect(
        "2026-12",
        date(2026, 11, 1),
        date(2026, 10, 1),
        date(2026, 10, 1),
        "2026-W49",
        _w(2026, 12, 7, 7),
        "Selasa, 1 Desember 2026",
    ),
    "day-before-delivery": Expect(
        "2026-12",
        date(2026, 11, 1),
        date(2026, 10, 1),
        date(2026, 10, 1),
        "2026-W50",
        _w(2026, 12, 14, 7),
        "Rabu, 9 Desember 2026",
    ),
    "day-after-delivery": Expect(
        "2026-12",
        date(2026, 11, 1),
        date(2026, 11, 1),
        date(2026, 10, 1),  # one SKPD delivers by the 15th
        "2026-W50",
        _w(2026, 12, 14, 7),
        "Jumat, 11 Desember 2026",
    ),
    "new-years-eve-2330": Expect(
        "2026-12",
        date(2026, 11, 1),
        date(2026, 11, 1),
        date(2026, 11, 1),
        "2026-W53",
        _w(2027, 1, 4, 7),
        "Kamis, 31 Desember 2026",
    ),
    "new-year-0030": Expect(
        "2027-01",
        date(2026, 12, 1),
        date(2026, 11, 1),
        date(2026, 11, 1),
        "2026-W53",
        _w(2027, 1, 4, 7),
        "Jumat, 1 Januari 2027",
    ),
    "leap-day": Expect(
        "2028-02",
        date(2028, 1, 1),
        date(2028, 1, 1),
        date(2028, 1, 1),
        "2028-W09",
        _w(2028, 3, 6, 7),
        "Selasa, 29 Februari 2028",
    ),
    "monday-0659": Expect(
        "2026-11",
        date(2026, 10, 1),
        date(2026, 10, 1),
        date(2026, 10, 1),
        "2026-W48",
        _w(2026, 11, 23, 7),
        "Senin, 23 November 2026",
    ),
    "monday-0701": Expect(
        "2026-11",
        date(2026, 10, 1),
        date(2026, 10, 1),
        date(2026, 10, 1),
        "2026-W48",
        _w(2026, 11, 30, 7),
        "Senin, 23 November 2026",
    ),
}


def test_every_edge_has_its_expectations():
    from clock_kit import EDGE_INSTANTS

    assert {e.id for e in EDGE_INSTANTS} == set(EXPECT)


def _now() -> datetime:
    return clock_kit.now()


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def store(sqlite_url, catalogue):
    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    yield engine
    engine.dispose()


@at_edges
def test_the_clock_is_the_edge(edge: Edge):
    assert abs(_now() - edge.instant) < timedelta(minutes=1)
    assert i18n.wita_date(_now(), "id") == EXPECT[edge.id].day_label


@at_edges
def test_the_scorecard_misses_a_delivery_only_once_it_is_due(edge: Edge, store, catalogue):
    """Dinkes holds JKN up to the month before the last ended one: missing only when the last
    ended month's delivery day has passed."""
    want = EXPECT[edge.id]
    now = _now()
    put(
        store,
        catalogue,
        "LIV.JKN",
        {_months_back(want.ended, k): 97.0 + k / 10 for k in range(1, 4)},
        ingested_at=now - timedelta(hours=1),
    )
    with store.begin() as conn:
        fresh_runs(conn, catalogue, now)
    as_of = AsOf.today(now)
    assert as_of.key == want.wita_month
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, catalogue.plans, as_of, "71", now)
    dinkes = {m.skpd_id: m for m in card.missing}.get("dinkes")
    jkn = [i for i in (dinkes.items if dinkes else ()) if i.indicator.code == "LIV.JKN"]
    if want.due == want.ended:
        assert [i.period_start for i in jkn] == [want.ended]
    else:
        assert jkn == []
    # The indicator is never "stale" for lacking a month that is not due yet.
    stale = {s.indicator.code: s for s in card.stale}
    assert "LIV.JKN" not in stale or stale["LIV.JKN"].expected == want.due


@at_edges
def test_compliance_defaults_to_the_latest_month_everyone_owes(edge: Edge, store, catalogue):
    want = EXPECT[edge.id]
    now = _now()
    month = default_month(catalogue, now)
    assert month == want.compliance_month
    page = load_compliance(store, catalogue, month, now, "id", history_months=2)
    # Nothing was delivered: everything of that month is missing, nothing "pending" any more.
    assert {d.status for d in page.details} == {"missing"}


@at_edges
def test_the_brief_week_and_the_next_monday_job(edge: Edge, tmp_path):
    want = EXPECT[edge.id]
    assert week_of(_now()) == want.week

    class Rt:  # what schedule_weekly_brief reads of the runtime
        settings = type("S", (), {"timezone": "Asia/Makassar"})()

    scheduler = BackgroundScheduler(timezone="Asia/Makassar")
    schedule_weekly_brief(scheduler, Rt())
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job.next_run_time == want.next_brief
    finally:
        scheduler.shutdown(wait=False)


@at_edges
def test_ages_and_wita_days_across_midnight(edge: Edge):
    now = _now()
    an_hour_ago = now - timedelta(hours=1)
    assert i18n.age(an_hour_ago, now, "id") == "1 jam lalu"
    assert i18n.age(an_hour_ago, now, "en") == "1 hour ago"
    assert i18n.age(now + timedelta(seconds=30), now, "id") == "baru saja"  # a clock ahead
    # An hour before 00:30 WITA is the day before, whatever the UTC date says.
    before = an_hour_ago.astimezone(WITA).date()
    assert i18n.wita_date(an_hour_ago, "en").endswith(f"{before.day} {before:%B} {before.year}")


@at_edges
def test_a_silence_ends_on_time_across_the_boundary(edge: Edge, engine, small):
    sync_catalogue(engine, small)
    now = _now()
    add_silence(engine, "source-stale", None, 72, "pemeliharaan server", "Operator Piket", now)
    with engine.connect() as conn:
        (silence,) = active_silences(conn)
        assert silence.ends_at == now + timedelta(hours=72)
        assert active_silences(conn, silence.ends_at - timedelta(seconds=1))
        assert active_silences(conn, silence.ends_at) == []


@at_edges
def test_a_source_goes_stale_by_its_schedule_not_by_the_calendar(edge: Edge, engine, small):
    sync_catalogue(engine, small)
    now = _now()
    cfg = config(staleness={"enabled": True, "after_gaps": 3, "critical_after_gaps": 60})
    run(engine, "dinkes-feed", "ok", now - timedelta(minutes=10))  # every 60 s: 10 gaps behind
    run(engine, "naker-feed", "ok", now - timedelta(seconds=30))
    evaluate(engine, small, cfg)
    assert open_keys(engine) == {("source-stale", "source:dinkes-feed", "warning")}
    assert len(alerts(engine)) == 1


@at_edges
def test_a_pull_after_the_bookmark_still_gets_every_newest_period(edge: Edge, catalogue):
    """The simulator serves what has ended by the edge (in WITA); a pull from the bookmark of a
    full pull gets, for every indicator, the same newest period as the full pull."""
    now = _now()
    server = make_server(catalogue, "127.0.0.1", 0, clock=lambda: now)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        live = load_catalogue(PROJECT_ROOT / "config", env={"ODSK_SIMULATOR_URL": server.base_url})
        regions = RegionRegistry(live.regions)
        mixed = sorted(
            (s for s in live.sources if s.kind == "http_json"),
            key=lambda s: (-len({live.indicator(i).grain for i in s.indicators}), s.id),
        )[:2]
        for source in mixed:
            kind = registry_kind(source.kind)

            def pull(source=source, kind=kind, **how):
                ctx = SourceContext(source, live.source_options[source.id], live, regions, **how)
                return kind.parse(kind.fetch(ctx), ctx)

            full = pull(backfill=True)
            since = pull(bookmark=full.bookmark)
            assert full.bookmark is not None, source.id
            assert _newest(since.rows) == _newest(full.rows), source.id
            # Nothing from a period that has not ended by the edge's WITA day.
            today = now.astimezone(WITA).date()
            assert all(r.period_start <= today for r in full.rows), source.id
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _newest(rows) -> dict[str, date]:
    out: dict[str, date] = {}
    for r in rows:
        out[r.indicator] = max(out.get(r.indicator, r.period_start), r.period_start)
    return out
