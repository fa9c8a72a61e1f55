"""Run ownership: leases, abandoned runs, live-run counts, the total deadline, one SQLite scheduler."""

import shutil
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import clock_kit
import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import insert, select

from dashboard.ingest import collect
from dashboard.ownership import LOCK_PREFIX, Owner
from dashboard.runtime import Runtime
from dashboard.scheduler import AlreadyRunning, claim_sqlite_store, run_source_job
from dashboard.settings import Settings
from dashboard.store import health
from dashboard.store import ownership as store
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.schema import CollectionRun, SchedulerInstance

SMALL = Path(__file__).parent / "catalogue_small"

SOURCES = """
sources:
  - id: drip
    name: A source that drips its body
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 60}}
    timeout_seconds: 2
    indicators: [LIV.BOR]
    options:
      url: "{base}/drip.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
  - id: quick
    name: Quick feed
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 60}}
    timeout_seconds: 30
    indicators: [LIV.STUNTING]
    options:
      url: "{base}/a.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
"""

BODY = b'{"data": [{"i": "LIV.STUNTING", "r": "71", "p": "2026-10", "v": 21.5}]}'


class _Feeds(BaseHTTPRequestHandler):
    stop = threading.Event()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.startswith("/drip.json"):
            # A body promised long and sent a byte every 50 ms: no single read ever times out.
            self.send_header("Content-Length", "100000")
            self.end_headers()
            while not type(self).stop.wait(0.05):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
            return
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


@pytest.fixture
def rt(tmp_path, database_url):
    _Feeds.stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "config"
    shutil.copytree(SMALL, config)
    base = f"http://127.0.0.1:{server.server_port}"
    (config / "sources.yaml").write_text(SOURCES.format(base=base))
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=config, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    _Feeds.stop.set()
    server.shutdown()
    runtime.close()


def _runs(rt):
    with rt.engine.connect() as conn:
        return conn.execute(
            select(
                CollectionRun.id,
                CollectionRun.source_id,
                CollectionRun.status,
                CollectionRun.error_class,
                CollectionRun.message,
            ).order_by(CollectionRun.id)
        ).all()


def _instance(conn, instance_id, expires_at, host="elsewhere", pid=1):
    conn.execute(
        insert(SchedulerInstance).values(
            id=instance_id,
            host=host,
            pid=pid,
            started_at=expires_at - timedelta(minutes=5),
            renewed_at=expires_at - timedelta(seconds=30),
            expires_at=expires_at,
        )
    )


def _run(conn, source_id="quick", **values):
    return conn.execute(
        insert(CollectionRun)
        .values(source_id=source_id, trigger="schedule", status="running", **values)
        .returning(CollectionRun.id)
    ).scalar_one()


def test_runs_of_dead_owners_are_closed_with_a_reason_and_live_ones_kept(rt):
    now = clock_kit.now()
    soon, gone = now + timedelta(seconds=20), now - timedelta(seconds=1)
    with begin_write(rt.engine) as conn:
        _instance(conn, "alive", soon)
        _instance(conn, "dead", gone)
        ids = {
            "owned-alive": _run(conn, owner_id="alive", deadline_at=soon, started_at=now),
            "owned-dead": _run(conn, owner_id="dead", deadline_at=soon, started_at=now),
            "owned-unknown": _run(conn, owner_id="vanished", deadline_at=soon, started_at=now),
            "alive-but-long-overdue": _run(
                conn,
                owner_id="alive",
                started_at=now - timedelta(minutes=5),
                deadline_at=now - timedelta(seconds=store.DEADLINE_GRACE_SECONDS + 1),
            ),
            "ownerless-in-time": _run(conn, deadline_at=soon, started_at=now),
            "ownerless-legacy-old": _run(conn, started_at=now - timedelta(hours=2)),
        }
    # Readers see only live runs as running, before anyone closes anything.
    with rt.engine.connect() as conn:
        running = {t.source_id: t.runs for t in health.run_totals(conn) if t.status == "running"}
        shown = {r.id for r in health.recent_runs(conn, ["quick"])["quick"]}
    assert running == {"quick": 2}
    assert shown == {ids["owned-alive"], ids["ownerless-in-time"]}

    with begin_write(rt.engine) as conn:
        closed = store.close_abandoned(conn, now)
    dead = {"owned-dead", "owned-unknown", "alive-but-long-overdue", "ownerless-legacy-old"}
    assert {c.run_id for c in closed} == {ids[k] for k in dead}
    by_id = {r.id: r for r in _runs(rt)}
    for name, run_id in ids.items():
        row = by_id[run_id]
        if name in dead:
            assert (row.status, row.error_class) == ("failed", "abandoned"), name
            assert "stopped renewing its lease" in row.message
        else:
            assert row.status == "running", name


def test_a_source_lease_has_one_holder_until_it_expires_or_is_released(engine):
    now = clock_kit.now()
    with begin_write(engine) as conn:
        assert store.acquire_lease(conn, "s", "a", "a:1", now, 10)
        assert not store.acquire_lease(conn, "s", "b", "b:1", now, 10)
        assert store.extend_lease(conn, "s", "a:1", now + timedelta(seconds=9), 10)
        assert not store.extend_lease(conn, "s", "b:1", now, 10)
        # a's lease now runs to now+19 s: still not b's at now+15, b's once it lapsed.
        assert not store.acquire_lease(conn, "s", "b", "b:1", now + timedelta(seconds=15), 10)
        assert store.acquire_lease(conn, "s", "b", "b:1", now + timedelta(seconds=20), 10)
        store.release_lease(conn, "s", "a:1")  # not a's any more: nothing happens
        assert not store.acquire_lease(conn, "s", "c", "c:1", now + timedelta(seconds=21), 10)
        store.release_lease(conn, "s", "b:1")
        assert store.acquire_lease(conn, "s", "c", "c:1", now + timedelta(seconds=21), 10)


def _race(engine, round_: int, who: str, barrier, winners: list[str]) -> None:
    at = clock_kit.now() + timedelta(seconds=round_ * 100)  # the previous round's lease lapsed
    barrier.wait()
    with begin_write(engine) as conn:
        if store.acquire_lease(conn, "race", who, f"{who}:{round_}", at, 50):
            winners.append(who)


def test_racing_schedulers_never_both_win_a_lease(engine):
    """Threads (separate connections) racing for the same source, round after round."""
    for round_ in range(15):
        winners: list[str] = []
        barrier = threading.Barrier(4)
        threads = [
            threading.Thread(target=_race, args=(engine, round_, f"w{i}", barrier, winners))
            for i in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(winners) == 1, (round_, winners)


def test_a_killed_owners_run_is_closed_by_another_and_its_locks_freed(rt, redis_url, clock):
    rt.settings.redis_url = redis_url
    dead = Owner(rt.engine, redis_url, lease_seconds=5, host="host-a", pid=4242)
    dead.register()
    held = dead.lock("quick")
    assert held is not None
    with begin_write(rt.engine) as conn:
        run_id = dead.begin(
            lambda: _run(
                conn, owner_id=dead.id, started_at=clock_kit.now(), deadline_at=clock_kit.now()
            )
        )
    live = Owner(rt.engine, redis_url, lease_seconds=5, host="host-b", pid=4343)
    live.register()
    assert live.lock("quick") is None  # held, and its owner still renews (as far as anyone knows)
    assert live.housekeeping() == []

    clock.shift(6)  # "dead" never renews: its lease runs out
    live.renew()
    closed = live.housekeeping()
    assert [c.run_id for c in closed] == [run_id]
    assert redis.Redis.from_url(redis_url).get(LOCK_PREFIX + "quick") is None
    again = live.lock("quick")
    assert again is not None
    live.unlock(again)
    row = next(r for r in _runs(rt) if r.id == run_id)
    assert (row.status, row.error_class) == ("failed", "abandoned")


def test_a_dead_process_on_this_host_is_given_up_at_once(rt):
    """A scheduler restarted after kill -9 need not wait for its predecessor's lease."""
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    predecessor = Owner(rt.engine, None, lease_seconds=300, pid=int(gone.stdout))
    predecessor.register()
    assert predecessor.lock("quick") is not None
    with begin_write(rt.engine) as conn:
        run_id = _run(conn, owner_id=predecessor.id, started_at=clock_kit.now())
    successor = Owner(rt.engine, None, lease_seconds=300)
    successor.register()
    assert [c.run_id for c in successor.housekeeping()] == [run_id]
    assert successor.lock("quick") is not None


def test_a_run_its_owner_lost_track_of_is_closed(rt):
    """The store was down when the run ended: the run's own owner closes it afterwards."""
    owner = Owner(rt.engine, None, lease_seconds=30)
    owner.register()
    with begin_write(rt.engine) as conn:
        run_id = _run(conn, owner_id=owner.id, started_at=clock_kit.now())
    closed = owner.housekeeping()
    assert [c.run_id for c in closed] == [run_id]
    row = next(r for r in _runs(rt) if r.id == run_id)
    assert "without recording its outcome" in row.message


def test_a_run_closed_meanwhile_stores_nothing(rt):
    owner = Owner(rt.engine, None, lease_seconds=30)
    owner.register()

    class ClosingOwner:
        id = owner.id

        def begin(self, start):
            run_id = start()
            with begin_write(rt.engine) as conn:  # another scheduler gives it up at once
                conn.execute(
                    CollectionRun.__table__.update()
                    .where(CollectionRun.id == run_id)
                    .values(status="failed", error_class="abandoned")
                )
            return run_id

        def end(self, run_id):
            pass

    summary = collect(rt, "quick", owner=ClosingOwner())
    assert (summary.status, summary.error_class) == ("failed", "abandoned")
    assert [(r.status, r.error_class) for r in _runs(rt)] == [("failed", "abandoned")]
    with rt.engine.connect() as conn:
        assert conn.execute(select(CollectionRun.rows_accepted)).scalar() == 0


def test_a_dripping_source_fails_at_its_deadline_and_the_next_run_collects(rt):
    started = time.monotonic()
    summary = collect(rt, "drip", trigger="schedule")
    took = time.monotonic() - started
    assert (summary.status, summary.error_class) == ("failed", "deadline")
    assert summary.message.startswith("deadline exceeded")
    # The source promises 100,000 bytes at one per 50 ms (over 80 minutes); its timeout is 2 s.
    # A bound far above 2 s and far below the drip: the deadline ended it, however busy the machine.
    assert took < 60, took
    row = _runs(rt)[-1]
    assert (row.status, row.error_class) == ("failed", "deadline")
    assert collect(rt, "quick").status == "ok"  # the others are not held up


def test_a_stuck_kind_is_stopped_at_the_deadline_too(rt, monkeypatch):
    """Whatever a kind does (a blocking call with no timeout), the run ends on time."""
    from collectors.http_json import KIND

    release = threading.Event()
    monkeypatch.setattr(KIND, "fetch", lambda ctx: release.wait(30))
    try:
        summary = collect(rt, "drip")
    finally:
        release.set()
    assert (summary.status, summary.error_class) == ("failed", "deadline")


def test_one_shot_job_uses_store_lease_without_redis(rt):
    """No Redis: the store's lease keeps a second scheduler off a running source."""
    other = Owner(rt.engine, None, lease_seconds=30)
    other.register()
    held = other.lock("quick")
    run_source_job(rt, "quick")
    assert _runs(rt) == []
    other.unlock(held)
    run_source_job(rt, "quick")
    assert [r.status for r in _runs(rt)] == ["ok"]


def test_a_second_scheduler_on_one_sqlite_store_refuses_with_one_line(sqlite_url, tmp_path):
    from dashboard import cli

    first = claim_sqlite_store(sqlite_url)
    try:
        with pytest.raises(AlreadyRunning):
            claim_sqlite_store(sqlite_url)
        result = CliRunner().invoke(
            cli.main,
            ["scheduler"],
            env={"ODSK_DATABASE_URL": sqlite_url, "ODSK_DATA_DIR": str(tmp_path)},
        )
    finally:
        first.close()
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "another scheduler" in lines[0] and "SQLite allows one per store" in lines[0]
    assert claim_sqlite_store(sqlite_url) is not None  # free again once the first is gone


def test_a_run_skipped_for_a_dead_holder_is_retried_before_the_next_schedule(rt, clock):
    """A scheduler restarted on another host finds its sources held by its dead predecessor:
    it tries again once that lease has run out, not a whole schedule later."""
    from dashboard.scheduler import build_scheduler, retry_source_job

    dead = Owner(rt.engine, None, lease_seconds=30, host="old-node", pid=1)
    dead.register()
    assert dead.lock("quick") is not None
    scheduler = build_scheduler(rt, blocking=False, start_now=set())
    owner = scheduler.get_job("housekeeping").args[0]
    skipped_at = clock_kit.now()
    run_source_job(rt, "quick", scheduler, owner)
    retry = scheduler.get_job("retry:quick")
    assert retry is not None
    due = (retry.trigger.run_date - skipped_at).total_seconds()
    assert due == pytest.approx(rt.settings.lease_seconds + rt.settings.housekeeping_seconds, abs=2)
    assert _runs(rt) == []

    clock.shift(due)  # the predecessor never renewed; housekeeping gives it up
    owner.renew()
    owner.housekeeping()
    retry_source_job(rt, "quick", scheduler, owner, skipped_at)
    assert [(r.status, r.message) for r in _runs(rt)] == [("ok", None)]


def test_no_retry_when_the_holder_finished_its_run(rt):
    from dashboard.scheduler import build_scheduler, retry_source_job

    scheduler = build_scheduler(rt, blocking=False, start_now=set())
    owner = scheduler.get_job("housekeeping").args[0]
    skipped_at = clock_kit.now()
    collect(rt, "quick")  # the other scheduler's run, finished after we skipped
    retry_source_job(rt, "quick", scheduler, owner, skipped_at)
    assert len(_runs(rt)) == 1
