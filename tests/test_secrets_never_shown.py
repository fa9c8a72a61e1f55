"""A planted secret — a BPS API key (which BPS wants in the URL path) and a wall device
token — must not appear in run messages, /ops/sources (page and refresh), the logs, the
access log or /metrics, while the failure itself is told (with the key masked)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from access_kit import call, client_as, wall_token
from analyst_kit import route
from sqlalchemy import select

from dashboard.ingest import collect
from dashboard.redaction import redact
from dashboard.runtime import Runtime
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import CollectionRun
from dashboard.webapp import context_of, create_app

BPS_KEY = "PLANTEDbpskey7f3a9c"
METRICS_TOKEN = "metrics-scrape-token-5b1e"


class FailingBps(BaseHTTPRequestHandler):
    """BPS answering 404 to everything; it remembers the paths it was asked for."""

    paths: list[str] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        body = b'{"status": "Error", "message": "table not found"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def failing_bps(monkeypatch):
    FailingBps.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingBps)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ODSK_SIMULATOR_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("ODSK_BPS_KEY", BPS_KEY)
    yield FailingBps.paths
    server.shutdown()
    server.server_close()


def test_the_redaction_masks_each_kind_of_secret():
    cases = {
        "GET https://webapi.bps.go.id/v1/api/list/model/data/domain/7100/var/414/key/abc123/": (
            "/key/***/"
        ),
        "http://h/api?apikey=abc123&region=71": "?apikey=***&region=71",
        "http://h/api?access_token=abc123": "?access_token=***",
        "/wall?device=odskdev_abc123&lang=en": "?device=***&lang=en",
        "token odskdev_abc123 revoked": "odskdev_***",
        "postgresql://odsk:abc123@db/odsk": "postgresql://***@db",
        "Authorization: Bearer abc123abc123": "Bearer ***",
        '{"password": "abc123"}': '"password": "***"',
        "client_secret=abc123; next": "client_secret=***",
    }
    for text, expected in cases.items():
        shown = redact(text)
        assert "abc123" not in shown and expected in shown, (text, shown)
    assert redact("HTTP 503 from http://h/api?region=71") == "HTTP 503 from http://h/api?region=71"


def test_a_planted_bps_key_and_device_token_are_nowhere_to_be_seen(
    failing_bps, sqlite_url, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="httpx")  # httpx logs every URL it asks
    access_log = tmp_path / "access.jsonl"
    settings = Settings(
        database_url=sqlite_url,
        data_dir=tmp_path,
        access_log=str(access_log),
        metrics_token=METRICS_TOKEN,
    )
    app = create_app(settings)
    context = context_of(app)
    sync_catalogue(context.engine, context.catalogue)

    summary = collect(Runtime(settings, context.catalogue, context.engine), "bps-ipm")
    assert summary.status == "failed"
    assert any(f"/key/{BPS_KEY}/" in p for p in failing_bps), summary.message
    with context.engine.connect() as conn:
        run = conn.execute(select(CollectionRun).where(CollectionRun.id == summary.run_id)).one()
    assert "HTTP 404" in run.message and "/key/***/" in run.message
    assert BPS_KEY not in run.message + run.message_id

    token = wall_token(app, "hall")
    device = app.server.test_client()
    wall = device.get(f"/wall?device={token}")
    assert wall.status_code == 200 and "wall" in wall.get_data(as_text=True)
    logging.getLogger("dashboard.test").warning("screen %s used token %s", "hall", token)

    admin = client_as(app, "admin")
    page = route(admin, "/ops/sources", "?lang=en").get_data(as_text=True)
    assert "bps-ipm" in page or "BPS" in page
    refresh = call(
        admin,
        "..ops-sources-table.children...ops-sources-summary.children..",
        inputs=[("ops-sources-tick", "n_intervals", 1)],
        state=[("ops-sources-state", "data", {"lang": "en", "problems": True})],
        changed=["ops-sources-tick.n_intervals"],
    )
    assert refresh.status_code == 200
    metrics = admin.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200

    seen = {
        "/ops/sources": page,
        "/ops/sources refresh": refresh.get_data(as_text=True),
        "/metrics": metrics.get_data(as_text=True),
        "logs": caplog.text,
        "access log": access_log.read_text(encoding="utf-8"),
    }
    for where, text in seen.items():
        assert BPS_KEY not in text, where
        assert token not in text and token.removeprefix("odskdev_") not in text, where
    assert "key/***" in caplog.text  # the failure is logged, masked
    assert "odskdev_***" in caplog.text
    wall_lines = [json.loads(x) for x in seen["access log"].splitlines() if '"/wall' in x]
    assert wall_lines, seen["access log"][:500]
    assert wall_lines[0]["path"] == "/wall?device=***"
