"""Faults an operator would cause on purpose, against private servers and real scheduler processes.

Each test starts its own ``odsk scheduler`` processes (at the test's instant, through
clock_kit.frozen_command) against a PRIVATE PostgreSQL cluster and a PRIVATE redis-server
started here: the shared servers are never stopped, restarted or flushed. Leases are made
short (4 s, housekeeping every second) so the tests wait seconds, not minutes; every wait
is for a condition, bounded by the 60 s the product promises.

``make test`` runs them; ``-m "not chaos"`` skips them locally.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clock_kit import frozen_command
from conftest import services
from sqlalchemy import func, select, text
from wait_kit import wait_until

from dashboard.store.engine import make_engine
from dashboard.store.schema import CollectionRun, Observation, SchedulerInstance

pytestmark = pytest.mark.chaos

REPO = Path(__file__).resolve().parent.parent
SMALL = Path(__file__).parent / "catalogue_small"
LEASE_SECONDS = 4
# The product's promise: a dead owner's runs are closed within a minute.
ABANDONED_WITHIN = 60

SOURCES = """
sources:
  - id: slow
    name: A feed that takes 4 s to answer
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 20
    indicators: [LIV.BOR]
    options:
      url: "{base}/slow.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
  - id: quick-a
    name: Quick feed A
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 10
    indicators: [LIV.STUNTING]
    options:
      url: "{base}/a.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
  - id: quick-b
    name: Quick feed B
    kind: http_json
    skpd: disnakertrans
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 10
    indicators: [ECO.PLACEMENTS]
    options:
      url: "{base}/b.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
{extra}"""

DRIP = """  - id: drip
    name: A feed that drips its body a byte at a time
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 2
    indicators: [LIV.BOR]
    options:
      url: "{base}/drip.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
"""

INDICATOR = {"/slow.json": "LIV.BOR", "/a.json": "LIV.STUNTING", "/b.json": "ECO.PLACEMENTS"}
DELAY = {"/slow.json": 4.0, "/a.json": 0.3, "/b.json": 0.3}


class Feeds(BaseHTTPRequestHandler):
    """Counts requests in flight per feed: two at once for one feed = one source run twice."""

    lock = threading.Lock()
    active: dict[str, int] = defaultdict(int)
    peak: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    counter = itertools.count()
    stop = threading.Event()

    def do_GET(self):
        path = self.path.split("?")[0]
        cls = type(self)
        with cls.lock:
            cls.active[path] += 1
            cls.peak[path] = max(cls.peak[path], cls.active[path])
            cls.served[path] += 1
        try:
            if path == "/drip.json":
                self._drip()
                return
            cls.stop.wait(DELAY.get(path, 0))
            value = 20 + next(cls.counter) / 8  # a new value each time: every run stores
            rows = [{"i": INDICATOR[path], "r": "71", "p": "2026-10", "v": value}]
            if path == "/b.json":
                rows[0]["v"] = round(value)
            body = json.dumps({"data": rows}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass
        finally:
            with cls.lock:
                cls.active[path] -= 1

    def _drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        while not type(self).stop.wait(0.05):
            self.wfile.write(b" ")
            self.wfile.flush()

    def log_message(self, *args):
        pass


@pytest.fixture
def figures(artifacts_dir, request):
    """Record a measured figure in test-artifacts/chaos-figures.jsonl (for the notes)."""

    def record(name: str, value) -> None:
        line = {"test": request.node.name, name: value}
        with (artifacts_dir / "chaos-figures.jsonl").open("a") as out:
            out.write(json.dumps(line) + "\n")

    return record


@pytest.fixture
def feeds():
    Feeds.active.clear()
    Feeds.peak.clear()
    Feeds.served.clear()
    Feeds.stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    Feeds.stop.set()
    server.shutdown()


# --- private servers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_pg():
    bindir = services.find_pg_bindir()
    if bindir is None:
        pytest.fail("chaos tests need PostgreSQL's binaries (apt-get install postgresql)")
    svc = services.start_private_postgres(bindir)
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def private_redis():
    binary = services.find_redis_server()
    if binary is None:
        pytest.fail("chaos tests need redis-server (apt-get install redis-server)")
    svc = services.start_private_redis(binary)
    yield svc.url
    svc.stop()


@pytest.fixture
def pg_url(private_pg, request):
    """A fresh, empty database on the private cluster (the schedulers migrate it themselves)."""
    name = "chaos_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    admin = make_engine(private_pg.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return private_pg.url.rsplit("/", 1)[0] + "/" + name


# --- scheduler processes -----------------------------------------------------------------


class Schedulers:
    """``odsk scheduler`` processes of one test, each with its log; all killed at the end."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path = tmp_path
        self.env = env
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def start(self, **extra_env: str) -> subprocess.Popen:
        log = self.tmp_path / f"scheduler-{len(self.procs)}.log"
        handle = log.open("w")
        proc = subprocess.Popen(
            frozen_command([sys.executable, "-m", "dashboard.cli", "scheduler"]),
            env={**self.env, **extra_env},
            cwd=REPO,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        self.procs.append((proc, log))
        return proc

    def logs(self) -> str:
        return "\n".join(log.read_text(errors="replace") for _, log in self.procs)

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)


@pytest.fixture
def schedulers(tmp_path, feeds):
    def make(database_url: str, redis_url: str | None = None, extra: str = "") -> Schedulers:
        config = tmp_path / "config"
        if not config.exists():
            shutil.copytree(SMALL, config)
        (config / "sources.yaml").write_text(
            SOURCES.format(base=feeds, extra=extra.format(base=feeds))
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODSK_") or "TEST" in k}
        env.update(
            ODSK_DATABASE_URL=database_url,
            ODSK_CONFIG_DIR=str(config),
            ODSK_DATA_DIR=str(tmp_path / "data"),
            ODSK_LEASE_SECONDS=str(LEASE_SECONDS),
            ODSK_HOUSEKEEPING_SECONDS="1",
            ODSK_DROP_SCAN_SECONDS="3600",
        )
        if redis_url:
            env["ODSK_REDIS_URL"] = redis_url
        made.append(Schedulers(tmp_path, env))
        return made[-1]

    made: list[Schedulers] = []
    yield make
    for group in made:
        group.stop_all()


def runs(engine, source_id: str | None = None):
    query = select(
        CollectionRun.id,
        CollectionRun.source_id,
        CollectionRun.status,
        CollectionRun.error_class,
        CollectionRun.message,
        CollectionRun.owner_id,
        CollectionRun.started_at,
        CollectionRun.finished_at,
    ).order_by(CollectionRun.id)
    if source_id:
        query = query.where(CollectionRun.source_id == source_id)
    try:
        with engine.connect() as conn:
            return conn.execute(query).all()
    except Exception:  # not migrated yet, or the server restarting: nothing to see yet
        return []


def assert_clean(group: Schedulers, engine) -> None:
    """No duplicate-key tracebacks, no duplicate observations, every failure with a reason."""
    logs = group.logs()
    for bad in ("IntegrityError", "UniqueViolation", "duplicate key"):
        assert bad not in logs, f"{bad} in the scheduler logs:\n{logs[-3000:]}"
    with engine.connect() as conn:
        dupes = conn.execute(
            select(Observation.indicator_code, Observation.region_code, func.count())
            .group_by(
                Observation.indicator_code,
                Observation.region_code,
                Observation.period_start,
                Observation.grain,
            )
            .having(func.count() > 1)
        ).all()
    assert dupes == []
    for r in runs(engine):
        if r.status == "failed":
            assert r.error_class and r.message, f"run {r.id} failed without a reason"


def ok_runs(engine, source_id: str, after: int = 0) -> int:
    return sum(r.status == "ok" and r.id > after for r in runs(engine, source_id))


# --- the faults ------------------------------------------------------------------------------


def test_kill_9_mid_run_closes_the_run_within_a_minute_and_collection_goes_on(
    pg_url, private_redis, schedulers, figures
):
    engine = make_engine(pg_url)
    group = schedulers(pg_url, private_redis)
    # "Two hosts": the survivor cannot see the victim's pid, only its lease running out.
    first = group.start(ODSK_INSTANCE_HOST="node-a")
    second = group.start(ODSK_INSTANCE_HOST="node-b")

    def slow_run_in_flight():
        live = [r for r in runs(engine, "slow") if r.status == "running" and r.owner_id]
        return live[-1] if live else None

    victim_run = wait_until(slow_run_in_flight, timeout=60, message="no run of 'slow' started")
    with engine.connect() as conn:
        pid = conn.execute(
            select(SchedulerInstance.pid).where(SchedulerInstance.id == victim_run.owner_id)
        ).scalar_one()
    victim = first if first.pid == pid else second
    survivor = second if victim is first else first
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    killed_at = time.monotonic()

    def closed():
        row = next(r for r in runs(engine, "slow") if r.id == victim_run.id)
        return row if row.status != "running" else None

    row = wait_until(closed, timeout=ABANDONED_WITHIN, message="the killed run still 'running'")
    assert (row.status, row.error_class) == ("failed", "abandoned")
    assert "stopped renewing its lease" in row.message
    figures("closed_after_kill_seconds", round(time.monotonic() - killed_at, 1))
    assert time.monotonic() - killed_at < ABANDONED_WITHIN
    # The survivor takes the source over: a later run of it succeeds.
    wait_until(
        lambda: ok_runs(engine, "slow", after=victim_run.id),
        timeout=60,
        message="'slow' was not collected again after the kill",
    )
    assert survivor.poll() is None

    assert Feeds.peak["/slow.json"] == 1  # never two runs of 'slow' at once
    group.stop_all()
    wait_until(
        lambda: not [r for r in runs(engine) if r.status == "running"],
        timeout=ABANDONED_WITHIN,
        message="runs left 'running' after the schedulers stopped",
    )
    assert_clean(group, engine)
    engine.dispose()


def test_a_scheduler_restarted_after_kill_9_collects_at_once_skipping_nothing(
    pg_url, private_redis, schedulers, figures
):
    """Its predecessor's locks (Redis and store) would hold for a lease; a dead pid on this
    host is given up at once instead, so the restart skips no run of the killed source."""
    engine = make_engine(pg_url)
    group = schedulers(pg_url, private_redis)
    victim = group.start()
    running = wait_until(
        lambda: [r for r in runs(engine, "slow") if r.status == "running"],
        timeout=60,
        message="no run of 'slow' started",
    )[-1]
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    group.start()
    restarted_at = time.monotonic()
    wait_until(
        lambda: ok_runs(engine, "slow", after=running.id),
        timeout=60,
        message="'slow' was not collected after the restart",
    )
    figures("collected_after_restart_seconds", round(time.monotonic() - restarted_at, 1))
    row = next(r for r in runs(engine, "slow") if r.id == running.id)
    assert (row.status, row.error_class) == ("failed", "abandoned")
    assert "in another scheduler; skipped" not in group.procs[-1][1].read_text()
    group.stop_all()
    assert_clean(group, engine)
    engine.dispose()


def test_a_dripping_source_fails_at_its_deadline_and_the_others_keep_their_schedule(
    tmp_path, schedulers, figures
):
    url = f"sqlite:///{tmp_path / 'data' / 'odsk.sqlite3'}"
    group = schedulers(url, extra=DRIP)
    group.start()
    engine = make_engine(url)

    def drip_failures():
        failed = [r for r in runs(engine, "drip") if r.status == "failed"]
        return failed if len(failed) >= 2 else None

    failed = wait_until(drip_failures, timeout=60, message="'drip' did not fail twice")
    figures(
        "drip_run_seconds",
        [round((r.finished_at - r.started_at).total_seconds(), 2) for r in failed],
    )
    for r in failed:
        assert r.error_class == "deadline"
        assert r.message.startswith("deadline exceeded")
        assert (r.finished_at - r.started_at).total_seconds() < 2 + 2  # its timeout is 2 s
    # Meanwhile the others ran on their schedule, more than once each.
    assert ok_runs(engine, "quick-a") >= 2 and ok_runs(engine, "quick-b") >= 2
    group.stop_all()
    assert_clean(group, engine)
    engine.dispose()


def test_a_second_scheduler_on_a_sqlite_store_refuses_to_start(tmp_path, schedulers):
    url = f"sqlite:///{tmp_path / 'data' / 'odsk.sqlite3'}"
    group = schedulers(url)
    first = group.start()
    engine = make_engine(url)
    wait_until(lambda: ok_runs(engine, "quick-a"), timeout=60, message="the first never ran")
    second = group.start()
    assert second.wait(60) == 1
    out = group.procs[-1][1].read_text().strip().splitlines()
    assert len(out) == 1 and "another scheduler" in out[0], out
    assert first.poll() is None
    engine.dispose()


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "no-redis"])
def test_schedulers_started_together_and_apart_never_run_a_source_twice_at_once(
    pg_url, private_redis, schedulers, with_redis
):
    engine = make_engine(pg_url)
    group = schedulers(pg_url, private_redis if with_redis else None)
    group.start()
    group.start()  # together: both migrate, sync and backfill the same fresh store
    wait_until(
        lambda: all(ok_runs(engine, s) >= 2 for s in ("quick-a", "quick-b")),
        timeout=90,
        message="the quick sources did not run twice",
    )
    group.start()  # apart: a third joins a running pair
    latest = max(r.id for r in runs(engine))
    wait_until(
        lambda: all(ok_runs(engine, s, after=latest) >= 2 for s in ("slow", "quick-a", "quick-b")),
        timeout=90,
        message="the sources did not run twice more with three schedulers",
    )
    assert all(p.poll() is None for p, _ in group.procs)
    assert dict(Feeds.peak) == dict.fromkeys(Feeds.peak, 1), dict(Feeds.peak)
    group.stop_all()
    assert_clean(group, engine)
    engine.dispose()


def test_a_postgres_restart_during_writes_leaves_no_run_running(
    pg_url, private_pg, private_redis, schedulers, figures
):
    engine = make_engine(pg_url)
    group = schedulers(pg_url, private_redis)
    group.start()
    group.start()
    wait_until(
        lambda: (
            ok_runs(engine, "quick-a") >= 1 and [r for r in runs(engine) if r.status == "running"]
        ),
        timeout=60,
        message="no runs in flight to interrupt",
    )
    before = max(r.id for r in runs(engine))
    private_pg.restart()  # fast: every connection dropped mid-transaction
    restarted_at = time.monotonic()

    def all_settled():
        rows = runs(engine)
        return rows and not [r for r in rows if r.status == "running" and r.id <= before]

    wait_until(all_settled, timeout=ABANDONED_WITHIN, message="runs from before the restart")
    figures("settled_after_restart_seconds", round(time.monotonic() - restarted_at, 1))
    wait_until(
        lambda: all(ok_runs(engine, s, after=before) for s in ("quick-a", "quick-b", "slow")),
        timeout=60,
        message="collection did not resume after the restart",
    )
    assert all(p.poll() is None for p, _ in group.procs)
    group.stop_all()
    assert_clean(group, engine)
    engine.dispose()
