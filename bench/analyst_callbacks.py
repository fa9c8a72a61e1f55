"""Latency of every callback of the analyst pages over HTTP, on a store of 5 million observations.

    .venv/bin/python bench/analyst_callbacks.py [--rows 5000000] [--samples 40] [--json]
    .venv/bin/python bench/analyst_callbacks.py --store sqlite:////path/big.sqlite3 --data-dir /path

What it does:
1. a store: seeded here with ``bench/seed_observations.py`` (SQLite in a temporary directory;
   with ``ODSK_TEST_DATABASE_URL`` a fresh database on that PostgreSQL server instead), or an
   already seeded one given with ``--store``;
2. the real app under gunicorn (2 sync workers, as deployed), plus one empty Dash callback
   (``bench-floor``) whose latency is the floor: HTTP, Flask and Dash dispatch, nothing else.
   It is sampled right after every measured request, so it sees the same machine load;
3. for every server-side callback of the pages ``/domain``, ``/indicator``, ``/region`` and
   ``/provenance`` — the pages router included, since each page is rendered by it — it POSTs the
   callback's own payload to ``/_dash-update-component`` (from ``/_dash-dependencies``), cycling
   through representative inputs (the heaviest: a daily indicator, six regions, twelve years);
4. two phases: *warm* (as analysts use it: results are memoised on the data version) and
   *cold* (the data version is bumped before every request, so every answer is computed from
   the store).

Budget: p95 ≤ 100 ms for every callback in both phases; exits 1 when a p95 is over it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
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
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BUDGET_MS = 100.0
FLOOR_ID = "bench-floor"
PAGE_PREFIXES = ("ind-",)


def wsgi():
    """Gunicorn's app factory: the real app and one empty callback, the floor."""
    from dash import Input, Output

    from dashboard.access import Permission, Rule, callback
    from dashboard.webapp import create_app

    app = create_app()

    @callback(
        app,
        Rule(Permission.READ),
        Output(FLOOR_ID, "children"),
        Input(f"{FLOOR_ID}-in", "n_clicks"),
        prevent_initial_call=True,
    )
    def floor(clicks):
        return clicks

    return app.server


# --- the store ------------------------------------------------------------------------------


def _seeder():
    import importlib.util

    name = "odsk_seed_observations"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "seed_observations.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def make_store(rows: int, workdir: Path) -> tuple[str, str | None, dict]:
    """(url, PostgreSQL admin URL to drop the database with, seed stats)."""
    seeder = _seeder()
    admin = os.environ.get("ODSK_TEST_DATABASE_URL")
    if admin:
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"odsk_bench_{secrets.token_hex(4)}"
        with psycopg.connect(
            make_url(admin).set(drivername="postgresql").render_as_string(False), autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    stats = seeder.seed(url, rows, payload_dir=workdir / "payloads")
    return url, admin, stats.__dict__


def drop_store(url: str, admin: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(
        make_url(admin).set(drivername="postgresql").render_as_string(False), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class VersionBumper:
    """Moves every data version on, so no worker can answer from its memo."""

    def __init__(self, url: str):
        from dashboard.store.engine import make_engine

        self.engine = make_engine(url)

    def bump(self) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            updated = conn.execute(text("UPDATE data_version SET version = version + 1")).rowcount
            if not updated:
                conn.execute(
                    text(
                        "INSERT INTO data_version (scope, version, updated_at) "
                        "VALUES ('all', 1, CURRENT_TIMESTAMP)"
                    )
                )

    def close(self) -> None:
        self.engine.dispose()


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ODSK_DATABASE_URL": url,
        "ODSK_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
    }
    env.pop("ODSK_REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--pythonpath",
            f"{REPO / 'bench'},{REPO}",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "analyst_callbacks:wsgi()",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    import requests

    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            # Ready when Dash answers (/healthz also judges the scheduler, which is not running here).
            if (
                requests.get(f"http://127.0.0.1:{port}/_dash-dependencies", timeout=2).status_code
                == 200
            ):
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --- payloads -------------------------------------------------------------------------------


def _payload(dep: dict, values: dict) -> dict:
    """The body Dash's renderer POSTs for callback ``dep`` with ``values`` (id.prop → value)."""

    def items(specs):
        return [
            {
                "id": s["id"],
                "property": s["property"],
                "value": values.get(f"{s['id']}.{s['property']}"),
            }
            for s in specs
        ]

    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in _outputs(dep)]
    inputs = items(dep["inputs"])
    changed = values.get("__changed__") or f"{inputs[0]['id']}.{inputs[0]['property']}"
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items(dep.get("state", [])),
        "changedPropIds": [changed],
    }


def _outputs(dep: dict) -> list[str]:
    out = dep["output"]
    return out[2:-2].split("...") if out.startswith("..") else [out]


def scenarios(obs_id: int, rows_for_export: list[dict]) -> dict[str, list[dict]]:
    """Representative inputs per callback, keyed by the callback's first output."""
    page = lambda code, lang="id": {"code": code, "lang": lang}  # noqa: E731
    six = ["71.71", "71.72", "71.02", "71.01", "71.05", "71.06"]
    series = [
        ("LIV.STUNTING", ["71.71", "71.72"], "month", [2022, 2026], "ind-regions.value"),
        ("ENV.PM25", six, "month", [2022, 2026], "ind-regions.value"),
        ("ENV.PM25", six, "month", [2015, 2026], "ind-range.value"),  # the heaviest: 6 × 4,300 days
        ("ENV.PM25", ["71.71", "71.02", "71.74"], "quarter", [2015, 2026], "ind-grain.value"),
        ("ENV.PM25", ["71.71", "71.02"], "day", [2026, 2026], "ind-grain.value"),
        ("BRD.WISMAN", six, "quarter", [2010, 2026], "ind-grain.value"),
        ("GOV.REALISASI-APBD", ["71.71"], "year", [2010, 2026], "ind-grain.value"),
        ("SOC.IPM", six, "year", [2010, 2025], "ind-regions.value"),
    ]
    periods = [
        ("ENV.PM25", "month", "2026-10-01"),
        ("ENV.PM25", "year", "2025-01-01"),
        ("ENV.PM25", "day", "2026-11-01"),
        ("LIV.STUNTING", "month", "2026-10-01"),
        ("BRD.WISMAN", "quarter", "2026-07-01"),
        ("ECO.INFLASI", "month", "2025-12-01"),
    ]
    routes = [
        f"/domain/{d}"
        for d in ("living", "society", "branding", "governance", "environment", "economy")
    ] + [
        "/indicator/LIV.STUNTING",
        "/indicator/ENV.PM25?regions=71.71,71.02&grain=quarter&from=2015&to=2026",
        "/indicator/BRD.WISMAN?lang=en",
        "/region/71.71",
        "/region/71.02?lang=en",
        "/region/71.74",
        f"/provenance/{obs_id}",
        f"/provenance/{obs_id - 1000}",
    ]
    return {
        "_pages_content.children": [
            {
                "_pages_location.pathname": r.split("?")[0],
                "_pages_location.search": "?" + r.split("?")[1] if "?" in r else "",
            }
            for r in routes
        ],
        "ind-url.search": [
            {
                "ind-regions.value": regions,
                "ind-grain.value": grain,
                "ind-range.value": years,
                "ind-period.value": "2026-07-01",
                "ind-page.data": page(code),
            }
            for code, regions, grain, years, _ in series
        ],
        "ind-series.figure": [
            {
                "ind-regions.value": regions,
                "ind-grain.value": grain,
                "ind-range.value": years,
                "ind-notes-rev.data": 0,
                "ind-period.value": None,
                "ind-page.data": page(code),
                "__changed__": changed,
            }
            for code, regions, grain, years, changed in series
        ],
        "ind-map.figure": [
            {
                "ind-period.value": start,
                "ind-grain.value": grain,
                "ind-regions.value": ["71.71"],
                "ind-page.data": page(code),
            }
            for code, grain, start in periods
        ],
        "ind-regions.value": [
            {
                "ind-map.clickData": {"points": [{"customdata": "71.73"}]},
                "ind-regions.value": ["71.71"],
            }
        ],
        "ind-prov.children": [
            {
                "ind-grid.cellClicked": {"rowId": "71|2026-10-01"},
                "ind-series.clickData": None,
                "ind-grid.rowData": [],
                "ind-grain.value": "month",
                "ind-page.data": page("LIV.STUNTING"),
                "__changed__": "ind-grid.cellClicked",
            },
            {
                "ind-grid.cellClicked": None,
                "ind-series.clickData": {
                    "points": [{"x": "2026-07-01", "customdata": ["71.71", "", ""]}]
                },
                "ind-grid.rowData": [],
                "ind-grain.value": "quarter",
                "ind-page.data": page("ENV.PM25"),
                "__changed__": "ind-series.clickData",
            },
        ],
        "ind-note-feedback.children": [
            {
                "ind-note-add.n_clicks": 1,
                "ind-note-date.value": "2026-07-14",
                "ind-note-text.value": "Festival",
                "ind-note-author.value": "bench",
                "ind-note-all.value": False,
                "ind-notes-rev.data": 0,
                "ind-page.data": page("BRD.WISMAN"),
            },
            {
                "ind-note-add.n_clicks": 1,
                "ind-note-date.value": "2026-07-14",
                "ind-note-text.value": "",
                "ind-note-author.value": "bench",
                "ind-note-all.value": False,
                "ind-notes-rev.data": 0,
                "ind-page.data": page("BRD.WISMAN"),
            },
        ],
        "ind-download.data": [
            {
                "ind-xlsx.n_clicks": 1,
                "ind-grid.virtualRowData": rows_for_export,
                "ind-grid.rowData": rows_for_export,
                "ind-page.data": page("ENV.PM25"),
            }
        ],
        f"{FLOOR_ID}.children": [{f"{FLOOR_ID}-in.n_clicks": 1}],
    }


# --- measuring ------------------------------------------------------------------------------


def _stats(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 1),
        "max_ms": round(timings[-1], 1),
    }


def signed_in(base: str, url: str):
    """A requests session of an analyst account made for the run, signed in (CSRF header set)."""
    import re
    import secrets

    import requests

    from dashboard.access.accounts import add_account
    from dashboard.access.audit import Actor
    from dashboard.store.engine import make_engine

    name, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    engine = make_engine(url)
    try:
        add_account(engine, name, "analyst", password=password, actor=Actor.cli("bench"))
    finally:
        engine.dispose()
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = session.post(
        f"{base}/login",
        data={"username": name, "password": password, "csrf_token": token, "next": "/"},
        timeout=30,
    )
    done.raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    return session


def measure(
    session,
    base: str,
    deps: list[dict],
    plan: dict[str, list[dict]],
    samples: int,
    bumper=None,
) -> dict:
    """p50/p95/max per callback. The floor (the empty callback) is sampled right after every
    measured request, so it sees the same machine load as the callbacks it is the floor of."""
    floor_key = f"{FLOOR_ID}.children"
    floor_dep = next(d for d in deps if _outputs(d)[0] == floor_key)
    floor_body = _payload(floor_dep, plan[floor_key][0])

    def post(body: dict, key: str) -> float:
        started = time.perf_counter()
        response = session.post(f"{base}/_dash-update-component", json=body, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{key}: HTTP {response.status_code}: {response.text[:500]}")
        return elapsed

    results, floor = {}, []
    for dep in deps:
        key = _outputs(dep)[0]
        if key == floor_key:
            continue
        variants = plan[key]
        timings = []
        per_variant: dict[int, list[float]] = {}
        for i in range(samples):
            body = _payload(dep, variants[i % len(variants)])
            if bumper is not None:
                bumper.bump()
            elapsed = post(body, key)
            timings.append(elapsed)
            per_variant.setdefault(i % len(variants), []).append(elapsed)
            floor.append(post(floor_body, floor_key))
        results[key] = {
            **_stats(timings),
            "variants": len(variants),
            "by_variant": [
                {
                    "inputs": _describe(variants[v]),
                    "median_ms": round(statistics.median(t), 1),
                    "max_ms": round(max(t), 1),
                }
                for v, t in sorted(per_variant.items())
            ],
        }
    results[floor_key] = _stats(floor)
    return results


def _describe(values: dict) -> str:
    """A variant in a few words, for the per-variant lines of callbacks over budget."""
    page = values.get("ind-page.data") or {}
    parts = [page.get("code", "")] if page else []
    for key in (
        "_pages_location.pathname",
        "_pages_location.search",
        "ind-grain.value",
        "ind-range.value",
    ):
        if values.get(key):
            parts.append(str(values[key]))
    if values.get("ind-regions.value") is not None:
        parts.append(f"{len(values['ind-regions.value'])} regions")
    return " ".join(p for p in parts if p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=40, help="requests per callback and phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", help="an already seeded store (skips seeding)")
    parser.add_argument(
        "--data-dir", type=Path, help="its data dir (archived payloads), with --store"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded SQLite store and print where"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="odsk-bench-analyst-"))
    admin = None
    proc = None
    report: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        }
    }
    try:
        if args.store:
            url, data_dir = args.store, args.data_dir or workdir
            report["seed"] = {"reused": True}
        else:
            started = time.perf_counter()
            url, admin, report["seed"] = make_store(args.rows, workdir)
            report["seed"]["seconds_total"] = round(time.perf_counter() - started, 1)
            data_dir = workdir
        seeder = _seeder()
        report["store"] = {"backend": url.split(":")[0], "observations": seeder.count_rows(url)}
        obs_id = report["seed"].get("revised_observation_id") or _some_observation(url)
        port = free_port()
        proc = start_server(url, data_dir, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        import requests

        deps = [
            d
            for d in requests.get(f"{base}/_dash-dependencies", timeout=30).json()
            if not d.get("clientside_function") and _wanted(d)
        ]
        session = signed_in(base, url)
        export_rows = _export_rows(session, base, deps)
        plan = scenarios(obs_id, export_rows)
        missing = [_outputs(d)[0] for d in deps if _outputs(d)[0] not in plan]
        if missing:
            raise RuntimeError(f"callbacks without a benchmark scenario: {missing}")
        for _ in range(args.workers + 1):  # warm-up: every variant, on every worker (likely)
            measure(session, base, deps, plan, samples=max(len(v) for v in plan.values()))
        report["warm"] = measure(session, base, deps, plan, args.samples)
        bumper = VersionBumper(url)
        try:
            report["cold"] = measure(
                session, base, deps, plan, max(10, args.samples // 2), bumper=bumper
            )
        finally:
            bumper.close()
    finally:
        if proc is not None:
            stop_server(proc)
        if admin and not args.store:
            drop_store(url, admin)
        if args.keep and not args.store and not admin:
            report["kept"] = str(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    over = [
        (phase, key)
        for phase in ("warm", "cold")
        for key, r in report[phase].items()
        if key != f"{FLOOR_ID}.children" and r["p95_ms"] > BUDGET_MS
    ]
    report["budget_ms"] = BUDGET_MS
    report["over_budget"] = over
    _print(report, args.json)
    return 1 if over else 0


def _wanted(dep: dict) -> bool:
    outputs = _outputs(dep)
    return (
        outputs[0].startswith("_pages_content.")
        or outputs[0].startswith(FLOOR_ID)
        or any(o.startswith(PAGE_PREFIXES) for o in outputs)
    )


def _export_rows(session, base: str, deps: list[dict]) -> list[dict]:
    """A real table to export: the PM25 view by month, province and two regions, five years."""
    dep = next(d for d in deps if _outputs(d)[0] == "ind-series.figure")
    body = _payload(
        dep,
        {
            "ind-regions.value": ["71.71", "71.02"],
            "ind-grain.value": "month",
            "ind-range.value": [2022, 2026],
            "ind-notes-rev.data": 0,
            "ind-period.value": None,
            "ind-page.data": {"code": "ENV.PM25", "lang": "id"},
        },
    )
    return session.post(f"{base}/_dash-update-component", json=body, timeout=60).json()["response"][
        "ind-grid"
    ]["rowData"]


def _some_observation(url: str) -> int:
    from sqlalchemy import text

    from dashboard.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT max(id) FROM observation WHERE indicator_code = 'LIV.STUNTING'")
            ).scalar_one()
    finally:
        engine.dispose()


def _print(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
        return
    m, s = report["machine"], report["store"]
    print(
        f"machine: {m['cpus']} CPUs, Python {m['python']}, load average {m['load_average_at_start']} at the "
        f"start, {m.get('load_average_at_end')} at the end; store: {s['backend']}, {s['observations']:,} observations"
    )
    if not report["seed"].get("reused"):
        seed = report["seed"]
        print(
            f"seed: {seed['rows']:,} rows in {seed['seconds_total']} s "
            f"(load {seed['seconds_generate_and_load']} s, indexes {seed['seconds_index']} s)"
        )
    for phase in ("warm", "cold"):
        floor = report[phase][f"{FLOOR_ID}.children"]
        print(
            f"\n{phase}: floor (empty Dash callback, sampled after each request) p50 {floor['p50_ms']} ms, "
            f"p95 {floor['p95_ms']} ms"
        )
        print(
            f"  {'callback (first output)':36} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        )
        for key, r in report[phase].items():
            if key == f"{FLOOR_ID}.children":
                continue
            flag = "  OVER" if r["p95_ms"] > report["budget_ms"] else ""
            print(
                f"  {key:36} {r['n']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8}{flag}"
            )
            if flag:
                for v in r["by_variant"]:
                    print(
                        f"      {v['inputs']:60} median {v['median_ms']:>7} ms, max {v['max_ms']:>7} ms"
                    )
    print(
        f"\nbudget: p95 ≤ {report['budget_ms']:.0f} ms per callback; over: {report['over_budget'] or 'none'}"
    )
    if report.get("kept"):
        print(f"store kept in {report['kept']}")


if __name__ == "__main__":
    sys.exit(main())
