"""deploy/ on this machine: a private nginx (the site rendered from deploy/nginx, TLS) in front
of two web nodes and two schedulers, each started by its systemd unit's command, on a fresh
PostgreSQL database and Redis (a db number of this session's own)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest
from clock_kit import frozen_command
from deploy_kit import REPO, layout_env, start_layout
from wait_kit import wait_until

pytestmark = [pytest.mark.deploy, pytest.mark.postgres, pytest.mark.redis]

CLIENT_ADDRESS = "127.0.0.2"  # a loopback address that is not nginx's own (127.0.0.1)
FORGED = "203.0.113.7"  # what a client claims in X-Forwarded-For
PASSWORD = "kata sandi yang panjang sekali"
METRICS_TOKEN = "scrape-token-for-the-layout"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client(**kwargs) -> httpx.Client:
    # From 127.0.0.2, as a client on another machine would be; the certificate is throw-away.
    transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS, verify=False)
    return httpx.Client(transport=transport, verify=False, timeout=30, **kwargs)


def _add_admin(env: dict[str, str], name: str) -> None:
    """The first admin, as docs/DEPLOYMENT.md says: ``odsk user add NAME --role admin``."""
    done = subprocess.run(
        frozen_command(
            [sys.executable, "-m", "dashboard.cli", "user", "add", name]
            + ["--role", "admin", "--password-stdin"]
        ),
        input=PASSWORD + "\n",
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _sign_in(client: httpx.Client, base: str, name: str) -> httpx.Response:
    page = client.get(f"{base}/login")
    assert page.status_code == 200, page.text[:500]
    token = _CSRF_FIELD.search(page.text).group(1)
    return client.post(
        f"{base}/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"},
        # What a browser sends with a form over TLS (Flask-WTF checks the Referer on https).
        headers={"Origin": base, "Referer": f"{base}/login", "X-Forwarded-For": FORGED},
    )


def _heartbeats(url: str) -> list[str]:
    from sqlalchemy import select

    from dashboard.store.engine import make_engine
    from dashboard.store.schema import Heartbeat

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(select(Heartbeat.id).where(Heartbeat.kind == "scheduler")).scalars()
            )
    finally:
        engine.dispose()


def _sign_in_addresses(url: str, name: str) -> list[str | None]:
    from dashboard.store.audit import search
    from dashboard.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [r.address for r in search(conn, actor=name) if "sign" in r.action]
    finally:
        engine.dispose()


def test_two_web_nodes_and_two_schedulers_behind_nginx(fresh_database, redis_url, tmp_path):
    env = layout_env(
        fresh_database,
        redis_url,
        tmp_path / "data",
        ODSK_METRICS_TOKEN=METRICS_TOKEN,
        ODSK_SCHEDULER_HEARTBEAT_SECONDS="2",
    )
    layout = start_layout(tmp_path / "layout", env)
    try:
        _check_layout(layout, fresh_database)
    finally:
        layout.stop()


def _check_layout(layout, database_url: str) -> None:
    base = layout.url
    scrape = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    with _client() as client:
        # Both schedulers beat (each under its own pid), so health says ok through nginx,
        # with the store and Redis reachable from the node that answered.
        pids = {layout.processes[n].pid for n in ("scheduler1", "scheduler2")}
        wait_until(
            lambda: {int(i.rsplit(":", 1)[1]) for i in _heartbeats(database_url)} >= pids,
            timeout=120,
            message=f"both schedulers should beat:\n{layout.tail('scheduler1')}\n"
            f"{layout.tail('scheduler2')}",
        )
        health = client.get(f"{base}/healthz", headers=scrape)
        assert health.status_code == 200, health.text
        checks = health.json()["checks"]
        assert checks["store"]["ok"] and checks["scheduler"]["ok"] and checks["redis"]["ok"]

        # Plain HTTP only redirects to TLS.
        plain = client.get(f"http://127.0.0.1:{layout.http_port}/wall")
        assert plain.status_code == 301
        assert plain.headers["location"].startswith("https://")

        # The first admin from the command line signs in through nginx; the app sees TLS
        # (Secure cookie, HSTS) and the client's own address, not nginx's nor a forged one.
        _add_admin(layout.processes["web1"].env, "admin-layout")
        signed = _sign_in(client, base, "admin-layout")
        assert signed.status_code == 302, signed.text[:500]
        cookie = signed.headers.get("set-cookie", "")
        assert "Secure" in cookie and "HttpOnly" in cookie, cookie
        assert "max-age" in signed.headers.get("strict-transport-security", "")
        assert _sign_in_addresses(database_url, "admin-layout") == [CLIENT_ADDRESS]
        home = client.get(f"{base}/")
        assert home.status_code == 200 and "_dash-renderer" in home.text
        access_log = (layout.root / "logs" / "odsk.access.log").read_text()
        assert f"{CLIENT_ADDRESS} - - " in access_log and '"POST /login' in access_log

        # Static files come from disk through nginx, versioned ones cached for a year.
        asset = client.get(f"{base}/assets/wall.css?m=1")
        assert asset.status_code == 200
        assert asset.content == (REPO / "assets" / "wall.css").read_bytes()
        assert "max-age=31536000" in asset.headers.get("cache-control", "")
        assert asset.headers.get("x-content-type-options") == "nosniff"

        # A body above nginx's memory buffer (16 kB) goes through its temporary files.
        padded = client.post(
            f"{base}/login",
            data={"username": "x" * 100_000, "password": "y", "csrf_token": "z"},
            headers={"Origin": base, "Referer": f"{base}/login"},
        )
        assert padded.status_code < 500, padded.text[:300]

        # A body over the limit (32 MB, the app's too) is refused by nginx before a node reads it.
        big = client.post(
            f"{base}/_dash-update-component",
            content=b"x" * (40 * 1000 * 1000),
            headers={"Content-Type": "application/json"},
        )
        assert big.status_code == 413

        # One node dies (kill -9 of its whole group): the site keeps answering through the other,
        # the signed-in session included (sessions live in the store, one secret key).
        layout.processes["web1"].signal(signal.SIGKILL)
        wait_until(lambda: not layout.processes["web1"].alive(), timeout=30, message="web1 lives")
        for _ in range(20):
            assert client.get(f"{base}/healthz").status_code == 200
            page = client.get(f"{base}/alerts")
            assert page.status_code == 200 and "_dash-renderer" in page.text
        assert layout.processes["web2"].alive()
