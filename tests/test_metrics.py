"""``/metrics`` parses with Prometheus' own text parser and says what the store holds;
``/healthz`` answers 200 or 503 from the store, Redis and the scheduler's heartbeat."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from dashboard.alerts.config import AlertsConfig
from dashboard.alerts.evaluate import evaluate
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write, make_engine
from dashboard.store.heartbeats import beat
from dashboard.store.schema import CollectionRun, Heartbeat, Observation, utcnow
from dashboard.webapp import context_of, create_app

SMALL = Path(__file__).parent / "catalogue_small"
SCRAPE_TOKEN = "scrape-token"  # /metrics and /healthz details need it (or an operator)


def scraper(dash_app):
    """A test client that is the Prometheus scraper (the bearer token)."""
    client = dash_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {SCRAPE_TOKEN}"
    return client


@pytest.fixture
def app(sqlite_url, tmp_path):
    dash_app = create_app(
        Settings(
            metrics_token=SCRAPE_TOKEN, database_url=sqlite_url, config_dir=SMALL, data_dir=tmp_path
        )
    )
    context = context_of(dash_app)
    sync_catalogue(context.engine, context.catalogue)
    yield dash_app
    context.engine.dispose()


def add_run(engine, source, status, seconds, accepted=0, rejected=0, ended=None):
    ended = ended or utcnow()
    with begin_write(engine) as conn:
        conn.execute(
            CollectionRun.__table__.insert().values(
                source_id=source,
                trigger="schedule",
                started_at=ended - timedelta(seconds=seconds),
                finished_at=ended,
                status=status,
                rows_accepted=accepted,
                rows_rejected=rejected,
                error_class="http" if status == "failed" else None,
            )
        )


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_metrics_parse_and_count_runs_rows_durations_sources_and_alerts(app):
    engine = context_of(app).engine
    add_run(engine, "dinkes-feed", "ok", 0.4, accepted=100)
    add_run(engine, "dinkes-feed", "partial", 3.0, accepted=90, rejected=10)
    add_run(engine, "naker-feed", "ok", 1.0, accepted=5, ended=utcnow() - timedelta(minutes=2))
    add_run(engine, "naker-feed", "failed", 40.0)
    with begin_write(engine) as conn:
        conn.execute(
            CollectionRun.__table__.insert().values(
                source_id="naker-feed", trigger="manual", started_at=utcnow(), status="running"
            )
        )
        conn.execute(
            Observation.__table__.insert().values(
                indicator_code="LIV.BOR",
                region_code="71",
                period_start=date(2026, 9, 1),
                grain="month",
                value=99.0,
                source_id="dinkes-feed",
                ingested_at=utcnow(),
                revision=1,
            )
        )
    cfg = AlertsConfig.model_validate(
        {
            "rules": [
                {
                    "id": "bor",
                    "type": "comparison",
                    "indicator": "LIV.BOR",
                    "op": ">",
                    "value": 95,
                    "severity": "critical",
                }
            ]
        }
    )
    evaluate(engine, context_of(app).catalogue, cfg)
    client = scraper(app)
    client.get("/healthz")
    samples = scrape(client)

    assert value(samples, "odsk_store_up") == 1
    assert value(samples, "odsk_collector_runs_total", source="dinkes-feed", status="ok") == 1
    assert value(samples, "odsk_collector_runs_total", source="dinkes-feed", status="partial") == 1
    assert value(samples, "odsk_collector_runs_total", source="naker-feed", status="failed") == 1
    assert value(samples, "odsk_collector_runs_in_progress", source="naker-feed") == 1
    assert value(samples, "odsk_collector_rows_accepted_total", source="dinkes-feed") == 190
    assert value(samples, "odsk_collector_rows_rejected_total", source="dinkes-feed") == 10
    assert (
        value(samples, "odsk_collector_run_duration_seconds_bucket", source="dinkes-feed", le="0.5")
        == 1
    )
    assert (
        value(samples, "odsk_collector_run_duration_seconds_bucket", source="dinkes-feed", le="5.0")
        == 2
    )
    assert (
        value(samples, "odsk_collector_run_duration_seconds_bucket", source="naker-feed", le="30.0")
        == 1
    )
    assert (
        value(samples, "odsk_collector_run_duration_seconds_bucket", source="naker-feed", le="+Inf")
        == 2
    )
    assert value(samples, "odsk_collector_run_duration_seconds_count", source="naker-feed") == 2
    assert value(
        samples, "odsk_collector_run_duration_seconds_sum", source="naker-feed"
    ) == pytest.approx(41.0, abs=0.01)
    assert value(samples, "odsk_source_up", source="dinkes-feed", skpd="dinkes") == 1
    assert value(samples, "odsk_source_up", source="naker-feed", skpd="disnakertrans") == 0
    assert value(samples, "odsk_sources", health="failing") == 1
    assert value(samples, "odsk_sources", health="ok") == 1
    assert value(samples, "odsk_source_consecutive_failures", source="naker-feed") == 1
    assert value(samples, "odsk_alerts", state="firing", severity="critical") == 1
    assert value(samples, "odsk_alerts", state="resolved", severity="warning") == 0
    # The request latency histogram saw the /healthz request before this scrape.
    assert (
        value(
            samples,
            "odsk_http_request_duration_seconds_count",
            method="GET",
            route="/healthz",
            status="503",
        )
        == 1
    )


def test_metrics_still_answer_when_the_store_is_down(tmp_path):
    broken = tmp_path / "missing" / "nothing-here.sqlite3"
    dash_app = create_app(
        Settings(
            metrics_token=SCRAPE_TOKEN,
            database_url=f"sqlite:///{broken}",
            config_dir=SMALL,
            data_dir=tmp_path,
        )
    )
    samples = scrape(scraper(dash_app))
    assert value(samples, "odsk_store_up") == 0


def test_healthz_needs_the_store_and_a_live_scheduler(app):
    context = context_of(app)
    client = scraper(app)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["store"] == {"ok": True}
    assert response.json["checks"]["scheduler"] == {"ok": False, "error": "no heartbeat yet"}

    beat(context.engine, "scheduler:test:1", "scheduler", {"jobs": {}})
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["checks"]["scheduler"]["ok"] is True

    with begin_write(context.engine) as conn:
        conn.execute(update(Heartbeat).values(seen_at=utcnow() - timedelta(minutes=10)))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["checks"]["scheduler"]["ok"] is False


def test_healthz_fails_without_a_store_and_degrades_without_redis(tmp_path, sqlite_url):
    broken = create_app(
        Settings(
            metrics_token=SCRAPE_TOKEN,
            database_url=f"sqlite:///{tmp_path}/none/x.sqlite3",
            config_dir=SMALL,
            data_dir=tmp_path,
        )
    )
    response = scraper(broken).get("/healthz")
    assert response.status_code == 503 and response.json["checks"]["store"]["ok"] is False

    no_redis = create_app(
        Settings(
            metrics_token=SCRAPE_TOKEN,
            database_url=sqlite_url,
            config_dir=SMALL,
            data_dir=tmp_path,
            redis_url="redis://127.0.0.1:1/0",
        )
    )
    beat(make_engine(sqlite_url), "scheduler:test:1", "scheduler", {})
    response = scraper(no_redis).get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "degraded"
    assert response.json["checks"]["redis"]["ok"] is False


def test_healthz_with_a_live_redis(app, sqlite_url, tmp_path, redis_url):
    live = create_app(
        Settings(
            metrics_token=SCRAPE_TOKEN,
            database_url=sqlite_url,
            config_dir=SMALL,
            data_dir=tmp_path,
            redis_url=redis_url,
        )
    )
    beat(make_engine(sqlite_url), "scheduler:test:1", "scheduler", {})
    response = scraper(live).get("/healthz")
    assert response.status_code == 200 and response.json["checks"]["redis"] == {"ok": True}


WORKER = """
import os
import sys
from pathlib import Path

import prometheus_client  # imported before the directory is named, as a gunicorn master might
os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[6]
from dashboard.settings import Settings
from dashboard.webapp import create_app

app = create_app(Settings(metrics_token="scrape-token", database_url=sys.argv[1], config_dir=Path(sys.argv[2]), data_dir=Path(sys.argv[3])))
client = app.server.test_client()
client.environ_base["HTTP_AUTHORIZATION"] = "Bearer scrape-token"
for _ in range(int(sys.argv[4])):
    client.get("/healthz")
if sys.argv[5] == "scrape":
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def test_request_latency_adds_up_across_worker_processes(sqlite_url, tmp_path):
    """Two 'workers' (processes) answer requests; a third one's /metrics counts them all."""
    import os
    import subprocess
    import sys

    from clock_kit import frozen_command

    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env["ODSK_ACCESS_LOG"] = ""  # stdout carries the scrape here, not access-log lines
    script = tmp_path / "worker.py"
    script.write_text(WORKER)

    def worker(requests: int, mode: str) -> str:
        done = subprocess.run(
            frozen_command(
                [
                    sys.executable,
                    str(script),
                    sqlite_url,
                    str(SMALL),
                    str(tmp_path),
                    str(requests),
                    mode,
                    str(shared),
                ]
            ),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).parent.parent,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker(3, "-")
    worker(2, "-")
    text = worker(1, "scrape")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }
    assert (
        value(
            samples,
            "odsk_http_request_duration_seconds_count",
            method="GET",
            route="/healthz",
            status="503",
        )
        == 6
    )
    assert value(samples, "odsk_store_up") == 1


def test_runs_in_progress_count_only_runs_whose_owner_is_alive(app):
    """A scheduler killed mid-run leaves its run 'running' until housekeeping closes it;
    /metrics does not count it as in progress meanwhile."""
    from dashboard.store.schema import SchedulerInstance

    engine = context_of(app).engine
    now = utcnow()
    with begin_write(engine) as conn:
        for instance, expires in (("alive", now + timedelta(seconds=30)), ("dead", now)):
            conn.execute(
                SchedulerInstance.__table__.insert().values(
                    id=instance, host="h", pid=1, started_at=now, renewed_at=now, expires_at=expires
                )
            )
            conn.execute(
                CollectionRun.__table__.insert().values(
                    source_id="naker-feed" if instance == "alive" else "dinkes-feed",
                    trigger="schedule",
                    started_at=now,
                    status="running",
                    owner_id=instance,
                    deadline_at=now + timedelta(seconds=30),
                )
            )
    samples = scrape(scraper(app))
    assert value(samples, "odsk_collector_runs_in_progress", source="naker-feed") == 1
    assert value(samples, "odsk_collector_runs_in_progress", source="dinkes-feed") is None
