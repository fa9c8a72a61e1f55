"""The wall's version check and /healthz while Redis hangs (SIGSTOP), against a private
redis-server this script starts (never a shared one).

    .venv/bin/python bench/redis_hung.py [--checks 60] [--json]

Phases, each ``--checks`` version checks (the enrolled screen's callback, through Flask's
test client) and five /healthz: Redis answering; Redis stopped (SIGSTOP: it accepts
connections and never answers); Redis continued (SIGCONT) once the circuit closed again.
Reported: p50/p95/max per phase and the ratio of the stopped phase's p95 to the answering
one's (the issue's target: the wall keeps its latency — within 2×, after the first call,
which waits one socket timeout). Exits 1 when the stopped p95 exceeds 2× + 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(tmp), "--logfile", str(tmp / "redis.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url, socket_timeout=0.5).ping()
            return proc, url
        except redis.RedisError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("private redis-server did not start")


def stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from access_kit import call, wall_token

    from dashboard import redis_client
    from dashboard.settings import Settings
    from dashboard.store.engine import begin_write
    from dashboard.store.heartbeats import beat
    from dashboard.store.migrate import upgrade
    from dashboard.versions import bump
    from dashboard.webapp import context_of, create_app

    tmp = Path(tempfile.mkdtemp(prefix="odsk-bench-redis-"))
    proc, url = start_redis(tmp)
    try:
        db = f"sqlite:///{tmp / 'store.sqlite3'}"
        upgrade(db)
        app = create_app(Settings(database_url=db, data_dir=tmp, redis_url=url, access_log=""))
        context = context_of(app)
        beat(context.engine, "scheduler:bench", "scheduler", {})
        with begin_write(context.engine) as conn:
            bump(conn, ["events"])
        context.signal.publish()
        token = wall_token(app, "bench")
        device, health = app.server.test_client(), app.server.test_client()

        def check() -> float:
            started = time.perf_counter()
            response = call(
                device,
                "wall-signal.data",
                inputs=[("wall-poll", "n_intervals", 1)],
                state=[("wall-drawn", "data", {})],
                changed=["wall-poll.n_intervals"],
                headers={"X-ODSK-Device": token},
            )
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - started

        def healthz() -> float:
            started = time.perf_counter()
            health.get("/healthz")
            return time.perf_counter() - started

        def phase() -> dict:
            checks = [check() for _ in range(args.checks)]
            return {"version_check": stats(checks), "healthz": stats([healthz() for _ in range(5)])}

        report: dict = {"answering": phase()}
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            first = check()
            report["stopped"] = phase()
            report["stopped"]["first_check_ms"] = round(first * 1000, 1)
            report["stopped"]["healthz_status"] = health.get("/healthz").json["status"]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        time.sleep(redis_client.OPEN_SECONDS + 0.5)  # the circuit half-opens, then closes
        report["continued"] = phase()
        report["continued"]["healthz_status"] = health.get("/healthz").json["status"]
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    base = report["answering"]["version_check"]["p95_ms"]
    stopped = report["stopped"]["version_check"]["p95_ms"]
    report["stopped_p95_ratio"] = round(stopped / base, 2) if base else None
    report["machine"] = {"cpus": os.cpu_count(), "store": "SQLite", "redis": "private"}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name in ("answering", "stopped", "continued"):
            v, h = report[name]["version_check"], report[name]["healthz"]
            print(
                f"{name:10} version check p50 {v['p50_ms']:7.2f} ms  p95 {v['p95_ms']:7.2f} ms"
                f"  max {v['max_ms']:7.2f} ms | /healthz p95 {h['p95_ms']:7.2f} ms"
            )
        print(
            f"first check after SIGSTOP: {report['stopped']['first_check_ms']} ms; "
            f"stopped/answering p95: {report['stopped_p95_ratio']}×; "
            f"/healthz while stopped: {report['stopped']['healthz_status']}, "
            f"after: {report['continued']['healthz_status']}"
        )
        print(f"machine: {os.cpu_count()} CPUs, SQLite store, private redis-server")
    return 0 if stopped <= 2 * base + 5 else 1


if __name__ == "__main__":
    sys.exit(main())
