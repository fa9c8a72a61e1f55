"""/healthz tells the truth about storing data: a store that answers reads but refuses a
write, an archive folder that takes no file, a disk below the free-space threshold — each
fails the check (503) with its reason, where before it answered 200."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.settings import Settings
from dashboard.store.engine import make_engine
from dashboard.store.heartbeats import beat
from dashboard.store.schema import Heartbeat
from dashboard.webapp import create_app

TOKEN = "health-scrape-token"


def report(settings: Settings):
    client = create_app(settings).server.test_client()
    return client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.fixture
def alive(sqlite_url):
    beat(make_engine(sqlite_url), "scheduler:test:1", "scheduler", {})
    return sqlite_url


def settings(url: str, data_dir, **overrides) -> Settings:
    return Settings(
        database_url=url, data_dir=data_dir, metrics_token=TOKEN, access_log="", **overrides
    )


def test_a_healthy_node_writes_its_heartbeat_and_reports_its_archive(alive, tmp_path):
    response = report(settings(alive, tmp_path))
    assert response.status_code == 200 and response.json["status"] == "ok"
    checks = response.json["checks"]
    assert checks["store_write"] == {"ok": True}
    assert checks["archive"]["ok"] is True and checks["archive"]["free_mb"] > 0
    with make_engine(alive).connect() as conn:
        kinds = set(conn.execute(select(Heartbeat.kind)).scalars())
    assert "web" in kinds


def test_a_store_that_refuses_writes_fails_the_check(alive, tmp_path):
    path = alive.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    response = report(settings(read_only, tmp_path))
    assert response.status_code == 503 and response.json["status"] == "fail"
    checks = response.json["checks"]
    assert checks["store"] == {"ok": True}  # it still answers reads
    assert checks["store_write"]["ok"] is False and checks["store_write"]["error"]


def test_an_archive_that_takes_no_file_fails_the_check(alive, tmp_path):
    (tmp_path / "payloads").write_text("a file where the archive folder should be")
    response = report(settings(alive, tmp_path))
    assert response.status_code == 503
    assert response.json["checks"]["archive"]["ok"] is False
    assert response.json["checks"]["archive"]["error"].startswith("not writable")


def test_a_disk_below_the_free_space_threshold_fails_the_check(alive, tmp_path):
    response = report(settings(alive, tmp_path, min_free_disk_mb=10**9))  # a petabyte
    assert response.status_code == 503
    archive = response.json["checks"]["archive"]
    assert archive["ok"] is False and archive["error"] == "free space below the threshold"
    assert archive["min_free_mb"] == 10**9
    # Anyone else (a load balancer) sees the verdict, not the details.
    anonymous = create_app(settings(alive, tmp_path, min_free_disk_mb=10**9)).server.test_client()
    assert anonymous.get("/healthz").json == {"status": "fail"}
