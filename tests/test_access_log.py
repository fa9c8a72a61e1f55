"""The access log: one JSON line per request (time, address, method, redacted path, status,
duration, who), the same under the development server and gunicorn; and gunicorn's own
limits on the request line and a body over the limit, on a served app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime

import httpx
import pytest
from access_kit import client_as, wall_token
from odsk_test_services import free_port
from wait_kit import wait_until
from werkzeug.serving import make_server

from dashboard.settings import Settings
from dashboard.store.migrate import upgrade
from dashboard.webapp import create_app

FIELDS = {"time", "remote", "method", "path", "status", "duration_ms", "user", "bytes"}


def lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture
def logged_app(sqlite_url, tmp_path):
    log_file = tmp_path / "access.jsonl"
    app = create_app(Settings(database_url=sqlite_url, data_dir=tmp_path, access_log=str(log_file)))
    return app, log_file


def test_each_request_is_one_json_line_naming_who_asked(logged_app):
    app, log_file = logged_app
    anonymous = app.server.test_client()
    anonymous.get("/login?lang=en").get_data()
    admin = client_as(app, "admin", username="ana-admin")
    admin.get("/healthz?token=abc123").get_data()
    token = wall_token(app, "hall")
    app.server.test_client().get(f"/wall?device={token}").get_data()

    got = lines(log_file)
    assert all(set(entry) == FIELDS for entry in got)
    first = got[0]
    assert (first["method"], first["path"], first["status"], first["user"]) == (
        "GET",
        "/login?lang=en",
        200,
        None,
    )
    assert first["remote"] == "127.0.0.1" and first["duration_ms"] >= 0
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    health = next(e for e in got if e["path"].startswith("/healthz"))
    assert health["path"] == "/healthz?token=***" and health["user"] == "ana-admin"
    wall = next(e for e in got if e["path"].startswith("/wall"))
    assert wall["user"] == "device:hall" and token not in json.dumps(got)


def test_the_development_server_writes_the_same_lines(logged_app):
    app, log_file = logged_app
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        assert httpx.get(f"{url}/login", timeout=10).status_code == 200
        assert httpx.get(f"{url}/no-such-page?password=hunter2", timeout=10).status_code in (
            200,
            302,
            404,
        )
    finally:
        server.shutdown()
    wait_until(lambda: len(lines(log_file)) >= 2, timeout=10, message="two access-log lines")
    got = lines(log_file)
    assert [e["path"] for e in got[:2]] == ["/login", "/no-such-page?password=***"]
    assert "hunter2" not in log_file.read_text()


def test_gunicorn_logs_each_request_and_refuses_what_is_too_big(sqlite_url, tmp_path):
    upgrade(sqlite_url)
    port = free_port()
    log_file = tmp_path / "access.jsonl"
    env = {
        **os.environ,
        "ODSK_DATABASE_URL": sqlite_url,
        "ODSK_DATA_DIR": str(tmp_path),
        "ODSK_ACCESS_LOG": str(log_file),
        "ODSK_MAX_REQUEST_MB": "1",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from dashboard.serve import run_gunicorn; run_gunicorn('127.0.0.1', {port}, 1)",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/login", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, timeout=60, message="gunicorn answers")
        # A request line longer than gunicorn's limit: refused before Python sees it.
        long_line = httpx.get(f"{url}/login?q={'a' * 9000}", timeout=10)
        assert long_line.status_code in (400, 414)
        many = httpx.get(f"{url}/login", headers={f"x-h{i}": "1" for i in range(150)}, timeout=10)
        assert many.status_code in (400, 431)
        big = httpx.post(f"{url}/_dash-update-component", content=b"a" * (3 * 2**20), timeout=30)
        assert big.status_code == 413
        assert "at most 1 MB" in big.json()["odsk"]["message"]
        wait_until(
            lambda: any(e["status"] == 413 for e in lines(log_file)),
            timeout=10,
            message="the 413 in the access log",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    got = lines(log_file)
    assert got[0]["path"] == "/login" and got[0]["status"] == 200
    assert all(set(e) == FIELDS for e in got)
