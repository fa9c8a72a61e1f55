"""The wall's refresh (version-check) callback under 50 concurrent polling screens, over HTTP,
next to an empty Dash callback in the same run.

The app runs under gunicorn (gthread) in a child process on a seeded temporary store; 50
asyncio clients POST ``/_dash-update-component`` exactly as a wall browser does: the wall's
poll with the versions it drew (the steady state: nothing moved, 204) and, for comparison,
an empty callback that returns its input. Two loads:

- saturated: every client sends its next request as soon as the last one is answered
  (requests/s is the capacity; latency includes queueing);
- paced: every client polls once per ``wall_poll_seconds`` (5 s), as real screens do.

Target: the wall's p95 within 5× the empty callback's (saturated). Exits non-zero only if the
bench cannot run or ``--enforce`` is given and the target is missed.

    .venv/bin/python bench/wall_refresh.py [--seconds 4] [--clients 50] [--json] [--enforce]

``ODSK_TEST_DATABASE_URL`` (an empty PostgreSQL database) measures against PostgreSQL instead of
SQLite; ``ODSK_TEST_REDIS_URL`` adds Redis as the change signal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMPTY_OUTPUT = "bench-empty"
TARGET_RATIO = 5.0


# --- the store -------------------------------------------------------------------------


def _period(today: date, grain: str, back: int) -> date:
    if grain == "day":
        return today - timedelta(days=back + 1)
    if grain == "year":
        return date(today.year - 1 - back, 1, 1)
    months = {"month": 1, "quarter": 3}[grain]
    start = (
        date(today.year, (today.month - 1) // months * months + 1, 1)
        if grain == "quarter"
        else date(today.year, today.month, 1)
    )
    index = start.year * 12 + start.month - 1 - months * (back + 1)
    return date(index // 12, index % 12 + 1, 1)


def seed(url: str, catalogue, periods: int = 12, events: int = 10_000, alerts: int = 5_000) -> None:
    """Every indicator's province series, fresh runs, a year of earthquakes, an alert history."""
    from sqlalchemy import insert

    from dashboard.store.catalogue_sync import sync_catalogue
    from dashboard.store.engine import make_engine
    from dashboard.store.observations import ObservationRow, upsert_observations
    from dashboard.store.schema import Alert, CollectionRun, Event, Heartbeat
    from dashboard.versions import bump

    rng = random.Random(7)
    now = datetime.now(UTC)
    engine = make_engine(url)
    sync_catalogue(engine, catalogue)
    with engine.begin() as conn:
        for ind in catalogue.indicators:
            feeding = catalogue.sources_feeding(ind.code)
            if not feeding:
                continue
            base = ind.band.low if ind.band else next(iter(ind.targets.values()), 100.0)
            rows = [
                ObservationRow(
                    ind.code,
                    "71",
                    _period(now.date(), ind.grain, back),
                    ind.grain,
                    base * rng.uniform(0.85, 1.1),
                )
                for back in range(periods)
            ]
            upsert_observations(
                conn,
                rows,
                source_id=feeding[0].id,
                run_id=None,
                ingested_at=now - timedelta(minutes=30),
            )
        conn.execute(
            insert(CollectionRun),
            [
                {
                    "source_id": s.id,
                    "trigger": "schedule",
                    "status": "ok",
                    "rows_accepted": 5,
                    "started_at": now - timedelta(seconds=20),
                    "finished_at": now - timedelta(seconds=18),
                }
                for s in catalogue.sources
            ],
        )
        conn.execute(
            insert(Event),
            [
                {
                    "kind": "earthquake",
                    "source_id": "bmkg",
                    "external_id": f"bench-{i}",
                    "occurred_at": now - timedelta(minutes=rng.uniform(90, 365 * 24 * 60)),
                    "lat": rng.uniform(-1.5, 5.0),
                    "lon": rng.uniform(121.0, 128.5),
                    "magnitude": rng.uniform(2.5, 6.2),
                    "depth_km": rng.uniform(5, 200),
                    "description": "bench",
                    "extra": {},
                }
                for i in range(events)
            ],
        )
        conn.execute(
            insert(Alert),
            [
                {
                    "rule_id": "bench",
                    "subject": f"bench-{i}",
                    "severity": rng.choice(["info", "warning", "critical"]),
                    "state": "resolved",
                    "title_id": "bench",
                    "title_en": "bench",
                    "fired_at": now - timedelta(hours=i + 2),
                    "resolved_at": now - timedelta(hours=i + 1),
                    "details": {},
                }
                for i in range(alerts)
            ],
        )
        conn.execute(
            insert(Heartbeat).values(
                id="scheduler:bench", kind="scheduler", seen_at=now, details={}
            )
        )
        bump(conn, ["events", *[f"domain:{d.id}" for d in catalogue.domains]])
    engine.dispose()


# --- the server (a child process: `wall_refresh.py --serve`) ------------------------------


def bench_app(settings=None):
    """The app with an empty callback beside the wall's, set up before any request."""
    from dash import Input, Output

    from dashboard.access import Permission, Rule, callback
    from dashboard.webapp import create_app

    app = create_app(settings)  # without settings: the ODSK_* environment the parent set

    @callback(
        app,
        Rule(Permission.WALL),
        Output(EMPTY_OUTPUT, "children"),
        Input("bench-tick", "n_intervals"),
    )
    def empty(n):
        return n

    # Set Dash up now: its first-request set-up races under threads (plotly/dash#3971).
    with app.server.test_request_context("/"):
        app.server.preprocess_request()
    return app


def serve(port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    app = bench_app()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": None,
                "loglevel": "warning",
                "timeout": 60,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return app.server

    Server().run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    env: dict[str, str], workers: int, threads: int, log_path: Path
) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"server did not start:\n{log_path.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def bench_env(
    url: str, data_dir: Path, config_dir: Path | None = None, **extra: str
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ODSK_") or k.startswith("ODSK_TEST_")
    }
    env.update(ODSK_DATABASE_URL=url, ODSK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra)
    if config_dir is not None:
        env["ODSK_CONFIG_DIR"] = str(config_dir)
    if os.environ.get("ODSK_TEST_REDIS_URL"):
        env["ODSK_REDIS_URL"] = os.environ["ODSK_TEST_REDIS_URL"]
    return env


def prepare_store(tmp: Path, catalogue) -> tuple[str, str]:
    """(url, backend): PostgreSQL from ODSK_TEST_DATABASE_URL, else SQLite in ``tmp``."""
    from dashboard.store.migrate import upgrade

    url = os.environ.get("ODSK_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    upgrade(url)
    seed(url, catalogue)
    return url, url.split(":", 1)[0]


# --- the clients ------------------------------------------------------------------------------


def payloads(url: str, catalogue, settings) -> dict[str, dict]:
    """The two requests: the wall's poll as a screen showing every screen sends it, and the empty one."""
    from dashboard.store.engine import make_engine
    from dashboard.store.schema import utcnow
    from dashboard.versions import ChangeSignal
    from dashboard.views.wall_live import live_state
    from dashboard.views.wall_screens import load_wall_config, parts_of, scopes_of, screen_types

    engine = make_engine(url)
    scopes = scopes_of(parts_of(list(screen_types(catalogue)), catalogue))
    config = load_wall_config(settings.config_dir, catalogue)
    live = live_state(engine, ChangeSignal(engine, settings.redis_url), config, scopes, utcnow())
    engine.dispose()
    drawn = {"versions": live.versions, "takeover": live.keys, "store_ok": True}
    return {
        "wall": {
            "output": "wall-signal.data",
            "outputs": {"id": "wall-signal", "property": "data"},
            "inputs": [{"id": "wall-poll", "property": "n_intervals", "value": 1}],
            "changedPropIds": ["wall-poll.n_intervals"],
            "state": [{"id": "wall-drawn", "property": "data", "value": drawn}],
        },
        "empty": {
            "output": f"{EMPTY_OUTPUT}.children",
            "outputs": {"id": EMPTY_OUTPUT, "property": "children"},
            "inputs": [{"id": "bench-tick", "property": "n_intervals", "value": 1}],
            "changedPropIds": ["bench-tick.n_intervals"],
            "state": [],
        },
    }


def screen_headers(url: str, token: str) -> dict[str, str]:
    """What a wall browser on an enrolled screen sends: its device token, and the CSRF token
    (header and cookies) its page gave it."""
    import httpx

    page = httpx.get(f"{url}/login", timeout=30)
    cookies = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    return {
        "X-ODSK-Device": token,
        "X-CSRFToken": page.cookies["_csrf_token"],
        "Cookie": cookies,
    }


def enrolled_token(url: str) -> str:
    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol
    from dashboard.store.engine import make_engine

    engine = make_engine(url)
    try:
        return enrol(engine, "bench-wall", "internal", actor=Actor.cli("bench"))[1]
    finally:
        engine.dispose()


async def _load(
    url: str,
    payload: dict,
    clients: int,
    seconds: float,
    period: float | None,
    auth: dict[str, str],
) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **auth}

    async def screen(client: httpx.AsyncClient, offset: float) -> None:
        if period:
            await asyncio.sleep(offset)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.post(
                f"{url}/_dash-update-component", content=body, headers=headers
            )
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if period:
                await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(screen(client, i * (period or 0) / clients) for i in range(clients)))
        elapsed = time.perf_counter() - began
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed}


def _summary(runs: list[dict]) -> dict:
    latencies = sorted(x for r in runs for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in runs:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / sum(r["elapsed"] for r in runs),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "statuses": statuses,
    }


def in_process(settings, requests: dict[str, dict], token: str, n: int = 300) -> dict:
    """Service time without HTTP, queueing or client: Flask's test client, one request at a time."""
    client = bench_app(settings).server.test_client()
    client.get("/login")
    auth = {"X-ODSK-Device": token, "X-CSRFToken": client.get_cookie("_csrf_token").value}
    out = {}
    for name in ("empty", "wall", "empty", "wall"):
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.post("/_dash-update-component", json=requests[name], headers=auth)
            times.append(time.perf_counter() - started)
            assert response.status_code in (200, 204), response.status_code
        out[name] = _summary(
            [{"latencies": times, "statuses": {response.status_code: n}, "elapsed": sum(times)}]
        )
    return out


def measure(
    url: str,
    requests: dict[str, dict],
    clients: int,
    seconds: float,
    poll_seconds: float,
    auth: dict[str, str],
) -> dict:
    """Warm up, then alternate empty/wall so drift hits both alike."""
    for name in ("empty", "wall"):
        asyncio.run(_load(url, requests[name], clients, 1.0, None, auth))
    saturated: dict[str, list] = {"empty": [], "wall": []}
    for _ in range(2):
        for name in ("empty", "wall"):
            saturated[name].append(
                asyncio.run(_load(url, requests[name], clients, seconds / 2, None, auth))
            )
    paced = {
        name: [
            asyncio.run(_load(url, requests[name], clients, poll_seconds + 1, poll_seconds, auth))
        ]
        for name in ("empty", "wall")
    }
    return {
        "saturated": {k: _summary(v) for k, v in saturated.items()},
        "paced": {k: _summary(v) for k, v in paced.items()},
    }


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=4.0, help="saturated load per callback")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--enforce", action="store_true", help="exit 1 when the p95 target is missed"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.workers, args.threads)
        return 0

    from dashboard.catalogue import load_catalogue
    from dashboard.settings import Settings

    catalogue = load_catalogue(ROOT / "config")
    with tempfile.TemporaryDirectory(prefix="odsk-bench-wall-") as tmp_name:
        tmp = Path(tmp_name)
        url, backend = prepare_store(tmp, catalogue)
        env = bench_env(url, tmp)
        settings = Settings(database_url=url, data_dir=tmp, redis_url=env.get("ODSK_REDIS_URL"))
        requests = payloads(url, catalogue, settings)
        token = enrolled_token(url)  # the load is of enrolled wall screens
        proc, server = start_server(env, args.workers, args.threads, tmp / "server.log")
        try:
            result = measure(
                server,
                requests,
                args.clients,
                args.seconds,
                settings.wall_poll_seconds,
                screen_headers(server, token),
            )
        finally:
            stop_server(proc)
        result["in_process"] = in_process(settings, requests, token)
    sat = result["saturated"]
    ratio = sat["wall"]["p95_ms"] / sat["empty"]["p95_ms"]
    report = {
        "backend": backend,
        "redis": bool(env.get("ODSK_REDIS_URL")),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
        **result,
        "p95_ratio": ratio,
        "target_ratio": TARGET_RATIO,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}; store {backend}"
            f"{' + Redis' if report['redis'] else ''}; gunicorn {args.workers} workers × {args.threads} threads"
        )
        for load, title in (
            ("saturated", f"{args.clients} clients, back to back"),
            (
                "paced",
                f"{args.clients} clients, one poll each per {settings.wall_poll_seconds:g} s",
            ),
            ("in_process", "in-process, one at a time (no HTTP)"),
        ):
            for name, label in (("empty", "empty Dash callback"), ("wall", "wall version check")):
                s = result[load][name]
                print(
                    f"{title:<38} {label:<20} {s['requests']:>6} req  {s['rps']:>7.1f} req/s  "
                    f"p50 {s['p50_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms  p99 {s['p99_ms']:6.1f} ms  "
                    f"status {s['statuses']}"
                )
        paced = result["paced"]["wall"]["p95_ms"] / result["paced"]["empty"]["p95_ms"]
        service = result["in_process"]["wall"]["p50_ms"] / result["in_process"]["empty"]["p50_ms"]
        print(
            f"p95 ratio wall/empty: saturated {ratio:.2f} (target ≤ {TARGET_RATIO:g}), paced {paced:.2f}; "
            f"service-time ratio (p50, in-process) {service:.2f}"
        )
    bad = [
        code
        for load in result.values()
        for s in load.values()
        for code in s["statuses"]
        if code >= 400
    ]
    if bad:
        print(f"error responses: {sorted(set(bad))}", file=sys.stderr)
        return 1
    return 1 if args.enforce and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
