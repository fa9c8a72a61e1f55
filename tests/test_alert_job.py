"""The alert evaluation as the scheduler runs it: config read from disk, rules evaluated,
notifications delivered, one evaluator at a time when Redis is there."""

import json
import shutil
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis as redis_lib
from sqlalchemy import select

from dashboard.notify.job import JOB_ID, LOCK_KEY, add_alert_job, run_alert_job
from dashboard.runtime import Runtime
from dashboard.scheduler import build_scheduler
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.schema import Alert, Observation, utcnow

SMALL = Path(__file__).parent / "catalogue_small"

ALERTS = """
evaluation_interval_seconds: 15
staleness: {enabled: false}
failing: {enabled: false}
catalogue_thresholds: {enabled: false}
rules:
  - {id: bor-full, type: comparison, indicator: LIV.BOR, op: ">", value: 90, severity: critical}
notify:
  webhooks: [{id: ops, url: "${ODSK_TEST_HOOK:-}", min_severity: warning}]
  delivery: {attempts: 2, wait_initial_seconds: 0.1, wait_max_seconds: 0.1}
"""


@pytest.fixture
def hook():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def runtime(tmp_path, database_url, redis_url=None) -> Runtime:
    config_dir = tmp_path / "config"
    shutil.copytree(SMALL, config_dir)
    (config_dir / "alerts.yaml").write_text(ALERTS)
    rt = Runtime.from_settings(
        Settings(
            database_url=database_url, config_dir=config_dir, data_dir=tmp_path, redis_url=redis_url
        )
    )
    sync_catalogue(rt.engine, rt.catalogue)
    with begin_write(rt.engine) as conn:
        conn.execute(
            Observation.__table__.insert().values(
                indicator_code="LIV.BOR",
                region_code="71",
                period_start=date(2026, 10, 1),
                grain="month",
                value=97.0,
                source_id="dinkes-feed",
                ingested_at=utcnow(),
                revision=1,
            )
        )
    return rt


def test_the_job_evaluates_and_delivers(tmp_path, database_url, hook, monkeypatch):
    url, received = hook
    monkeypatch.setenv("ODSK_TEST_HOOK", url)
    rt = runtime(tmp_path, database_url)
    result = run_alert_job(rt)
    assert len(result.evaluation.transitions.fired) == 1 and len(result.delivery.sent) == 1
    assert received[0]["alert"]["rule"] == "bor-full" and received[0]["event"] == "fired"
    run_alert_job(rt)
    assert len(received) == 1  # nothing new: nothing sent
    rt.close()


def test_an_invalid_alerts_yaml_evaluates_nothing_and_resolves_nothing(tmp_path, database_url):
    rt = runtime(tmp_path, database_url)
    run_alert_job(rt)
    (rt.settings.config_dir / "alerts.yaml").write_text("rules: [{id: x, type: nope}]")
    assert run_alert_job(rt) is None
    with rt.engine.connect() as conn:
        assert conn.execute(select(Alert.state)).scalars().all() == ["firing"]
    rt.close()


def test_one_evaluator_at_a_time_with_redis(tmp_path, database_url, redis_url):
    rt = runtime(tmp_path, database_url, redis_url)
    client = redis_lib.Redis.from_url(redis_url)
    held = client.lock(LOCK_KEY, timeout=30)
    assert held.acquire(blocking=False)
    assert run_alert_job(rt) is None  # another scheduler holds the lock
    held.release()
    assert run_alert_job(rt) is not None
    client.close()
    rt.close()


def test_the_job_goes_into_the_scheduler(tmp_path, database_url):
    rt = runtime(tmp_path, database_url)
    scheduler = build_scheduler(rt, blocking=False, start_now=set())
    add_alert_job(scheduler, rt)
    job = scheduler.get_job(JOB_ID)
    assert job.trigger.interval == timedelta(seconds=15)
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 300)
    rt.close()
