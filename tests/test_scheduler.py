"""The scheduler: job settings, per-source locks, and a hanging source that holds up no other."""

import itertools
import json
import shutil
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import clock_kit
import pytest
import redis
from sqlalchemy import select
from wait_kit import wait_until

from dashboard.runtime import Runtime
from dashboard.scheduler import (
    EVALUATE_AFTER_SECONDS,
    LOCK_PREFIX,
    MISFIRE_GRACE_SECONDS,
    build_scheduler,
    run_source_job,
)
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import CollectionRun, Observation

SMALL = Path(__file__).parent / "catalogue_small"

SOURCES = """
sources:
  - id: hanging
    name: A source that hangs for 30 s
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 60
    indicators: [LIV.BOR]
    options:
      url: "{base}/hang.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
  - id: quick-a
    name: Quick feed A
    kind: http_json
    skpd: dinkes
    schedule: {{interval_seconds: 5}}
    timeout_seconds: 5
    indicators: [LIV.STUNTING]
    options:
      url: "{base}/a.json"
      records: data
      fields: {{indicator: i, region: r, period: p, value: v}}
  - id: quick-b
    name: Quick feed B
    kind: http_json
    skpd: disnakertrans
    schedule: {{cron: "* * * * *"}}
    timeout_seconds: 5
    indicators: [ECO.PLACEMENTS]
    options:
      url: "{base}/b.json"
      records: data
      indicator: ECO.PLACEMENTS
      fields: {{region: r, period: p, value: v}}
"""


class _Feeds(BaseHTTPRequestHandler):
    release = threading.Event()
    fixed = None  # a value to serve instead of a new one at every request
    served = itertools.count()

    def do_GET(self):
        if self.path.startswith("/hang.json"):
            type(self).release.wait(30)
        indicator = "LIV.STUNTING" if self.path.startswith("/a.json") else "LIV.BOR"
        value = type(self).fixed if type(self).fixed is not None else 20 + next(_Feeds.served) / 8
        body = json.dumps(
            {"data": [{"i": indicator, "r": "71", "p": "2026-10", "v": value}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feeds():
    _Feeds.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    _Feeds.release.set()
    server.shutdown()


@pytest.fixture
def rt(tmp_path, database_url, feeds):
    config = tmp_path / "config"
    shutil.copytree(SMALL, config)
    (config / "sources.yaml").write_text(SOURCES.format(base=feeds))
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=config, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


def runs(rt, source_id=None):
    query = select(CollectionRun.source_id, CollectionRun.status, CollectionRun.started_at)
    if source_id:
        query = query.where(CollectionRun.source_id == source_id)
    with rt.engine.connect() as conn:
        return conn.execute(query.order_by(CollectionRun.id)).all()


def test_every_source_is_a_job_with_safe_defaults(rt):
    scheduler = build_scheduler(rt, blocking=False, start_now=set())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "source:hanging",
        "source:quick-a",
        "source:quick-b",
        "heartbeat",
        "alerts",
        "brief:weekly",
        "followup:on-target",
        "drop-folder",
        "housekeeping",
        "retention",
    }
    for job_id in ("source:hanging", "source:quick-a", "source:quick-b"):
        job = jobs[job_id]
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (
            1,
            True,
            MISFIRE_GRACE_SECONDS,
        )
    assert type(jobs["source:quick-b"].trigger).__name__ == "CronTrigger"


def test_sources_never_collected_start_at_once(rt):
    scheduler = build_scheduler(rt, blocking=False)
    soon = [j.id for j in scheduler.get_jobs() if j.id.startswith("source:")]
    assert len(soon) == 3


def test_a_hanging_source_does_not_delay_the_others(rt):
    scheduler = build_scheduler(rt, blocking=False)
    scheduler.start()
    try:
        # quick-a starts at once and then every 5 s; wait (bounded: the hang lasts 30 s)
        # until it has finished twice, which it can only do while "hanging" still hangs.
        wait_until(
            lambda: sum(r.status == "ok" for r in runs(rt, "quick-a")) >= 2,
            timeout=25,
            message="quick-a did not finish twice",
            interval=0.2,
        )
        hanging = [r.status for r in runs(rt, "hanging")]
    finally:
        scheduler.shutdown(wait=False)
    assert sum(r.status == "ok" for r in runs(rt, "quick-a")) >= 2
    assert "ok" in [r.status for r in runs(rt, "quick-b")]
    assert hanging == ["running"]  # still hanging, one instance only, no pile-up


def test_a_source_locked_by_another_scheduler_is_skipped(rt, redis_url):
    rt.settings.redis_url = redis_url
    redis.Redis.from_url(redis_url).set(LOCK_PREFIX + "quick-a", "other-process", ex=60)
    run_source_job(rt, "quick-a")
    assert runs(rt, "quick-a") == []
    redis.Redis.from_url(redis_url).delete(LOCK_PREFIX + "quick-a")
    run_source_job(rt, "quick-a")
    assert [r.status for r in runs(rt, "quick-a")] == ["ok"]
    assert redis.Redis.from_url(redis_url).get(LOCK_PREFIX + "quick-a") is None  # released


def test_with_redis_down_sources_still_run(rt):
    rt.settings.redis_url = "redis://127.0.0.1:1/0"
    run_source_job(rt, "quick-a")
    assert [r.status for r in runs(rt, "quick-a")] == ["ok"]


def test_a_run_that_stores_new_values_brings_the_alert_evaluation_forward(rt):
    scheduler = build_scheduler(rt, blocking=False, start_now=set())  # not started: jobs only move
    alerts = scheduler.get_job("alerts")
    due = alerts.next_run_time
    run_source_job(rt, "quick-a", scheduler)  # a new value (the feed's value changes with time)
    moved = scheduler.get_job("alerts").next_run_time
    assert moved < due
    assert (moved - clock_kit.now()).total_seconds() <= EVALUATE_AFTER_SECONDS

    later = moved + timedelta(minutes=5)
    scheduler.get_job("alerts").modify(next_run_time=later)
    with rt.engine.connect() as conn:  # the same value again: nothing changed, nothing to evaluate
        stored = conn.execute(
            select(Observation.value).where(Observation.indicator_code == "LIV.STUNTING")
        ).scalar()
    _Feeds.fixed = stored
    try:
        run_source_job(rt, "quick-a", scheduler)
    finally:
        _Feeds.fixed = None
    assert scheduler.get_job("alerts").next_run_time == later
