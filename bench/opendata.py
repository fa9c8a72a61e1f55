"""The open-data API and the embeddable panel (issue 13).

1. API latency: p50/p95 of the latest-values call (``/api/v1/domains/living/latest``) and of
   a 10-year monthly series (``/api/v1/datasets/<code>/observations`` for the province, 120
   rows), against a store of ``--rows`` observations (the catalogue's history plus ballast,
   ``bench/seed_observations.py``), next to an empty Flask route in the same run, through
   Flask's test client (the app's own cost: guard, validator, query, JSON). Every request
   is unconditional (a 304 is cheaper still). SQLite always; PostgreSQL too when
   ``ODSK_TEST_DATABASE_URL`` names a server (a database of its own is made and dropped).
2. Page weight: the embeddable domain panel (``/embed/domain/living``) against the wall
   (an enrolled screen, ``/wall?device=…``) and the public catalogue (``/data``) in headless
   Chromium: bytes transferred, requests, first contentful paint, data drawn
   (``bench/page_weight.py``'s measurement, cold cache, median of ``--runs``).

    .venv/bin/python bench/opendata.py [--rows 5000000] [--requests 200] [--runs 3] [--json]

No budget is enforced (figures depend on the machine); ratios to the empty route and to
the wall are the comparable ones. Default rows keep it near a minute.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERIES_CODE = "LIV.STUNTING"  # monthly


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(
        f"odsk_bench_{name}", ROOT / "bench" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
    }


def api_latency(url: str, rows: int, requests: int, tmp: Path) -> dict[str, dict[str, float]]:
    import flask

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    seeder = _bench_module("seed_observations")
    started = time.perf_counter()
    today = date.today()
    seeder.seed(url, rows, payload_dir=tmp / "payloads", today=today, since=today.year - 11)
    seeded_s = time.perf_counter() - started
    app = create_app(Settings(database_url=url, data_dir=tmp, api_rate_limit="1000000 per minute"))
    client = app.server.test_client()
    empty = flask.Flask("empty")
    empty.add_url_rule("/empty", "empty", lambda: "")
    empty_client = empty.test_client()
    last = date(today.year, today.month, 1)
    first = date(last.year - 10, last.month, 1)
    calls = {
        "empty Flask route": (empty_client, "/empty"),
        "latest values (domain)": (client, "/api/v1/domains/living/latest"),
        "10-year monthly series": (
            client,
            f"/api/v1/datasets/{SERIES_CODE}/observations?region=71&grain=month"
            f"&from={first:%Y-%m}&to={last:%Y-%m}&page_size=10000",
        ),
    }
    out: dict[str, dict[str, float]] = {"_": {"seed_s": seeded_s}}
    for name, (c, path) in calls.items():
        reply = c.get(path)
        assert reply.status_code == 200, (path, reply.status_code, reply.get_data()[:300])
        if "series" in name:
            out["_"]["series_rows"] = len(reply.get_json()["data"])
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(requests):  # interleaved: the machine's mood hits every call alike
        for name, (c, path) in calls.items():
            t0 = time.perf_counter()
            c.get(path)
            samples[name].append(time.perf_counter() - t0)
    for name, values in samples.items():
        out[name] = percentiles(values)
    context_of(app).engine.dispose()
    return out


def _postgres_database(server_url: str):
    """A fresh database on the server named by ``server_url``: (its URL, a drop function)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    name = f"odsk_bench13_{secrets.token_hex(4)}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(hide_password=False), drop


def page_weight(runs: int) -> dict[str, dict]:
    weight = _bench_module("page_weight")
    from dashboard.access.devices import enrol
    from dashboard.store.audit import Actor
    from dashboard.store.engine import make_engine

    with tempfile.TemporaryDirectory(prefix="odsk-bench-embed-") as tmp:
        url = f"sqlite:///{tmp}/store.sqlite3"
        weight.seed(url)
        engine = make_engine(url)
        _device, token = enrol(engine, "bench-wall", "internal", actor=Actor.cli("bench"))
        engine.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODSK_")}
        env.update(ODSK_DATABASE_URL=url, ODSK_DATA_DIR=tmp)
        server, base = weight.start("odsk", env)
        driver = weight.browser()
        try:
            return {
                "/wall (enrolled screen)": weight.measure(
                    driver, base, f"/wall?device={token}", weight.DRAWN["/wall"], runs
                ),
                "/embed/domain/living": weight.measure(
                    driver, base, "/embed/domain/living", ".tile .number", runs
                ),
                "/data": weight.measure(driver, base, "/data", ".odsk-dataset-card", runs),
            }
        finally:
            driver.quit()
            server.terminate()
            server.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    args = parser.parse_args()

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="odsk-bench-api-") as tmp:
        results["sqlite"] = api_latency(
            f"sqlite:///{tmp}/store.sqlite3", args.rows, args.requests, Path(tmp)
        )
    server = os.environ.get("ODSK_TEST_DATABASE_URL")
    if server:
        url, drop = _postgres_database(server)
        try:
            with tempfile.TemporaryDirectory(prefix="odsk-bench-api-pg-") as tmp:
                results["postgresql"] = api_latency(url, args.rows, args.requests, Path(tmp))
        finally:
            drop()
    if not args.skip_pages:
        results["pages"] = page_weight(args.runs)

    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs; {args.rows:,} observations; {args.requests} requests per call"
    )
    for backend in ("sqlite", "postgresql"):
        found = results.get(backend)
        if not isinstance(found, dict):
            continue
        meta = found["_"]
        print(
            f"{backend}: seeded in {meta['seed_s']:.0f} s; series call returns {meta.get('series_rows')} rows"
        )
        base = found["empty Flask route"]["p50_ms"] or 1e-6
        for name, figures in found.items():
            if name == "_":
                continue
            print(
                f"  {name:26s} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms  ({figures['p50_ms'] / base:6.0f}x empty route)"
            )
    pages = results.get("pages")
    if isinstance(pages, dict):
        wall = pages["/wall (enrolled screen)"]
        for path, r in pages.items():
            print(
                f"{path:26s} {r['bytes'] / 1e3:8.1f} kB ({r['bytes'] / wall['bytes']:5.3f}x wall)  {r['requests']:3.0f} requests  "
                f"first paint {r['fcp_ms'] or 0:6.0f} ms  data drawn {r['drawn_ms'] or 0:6.0f} ms  plotly {'yes' if r['plotly'] else 'no'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
