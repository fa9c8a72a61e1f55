"""Load on the production layout: wall screens, analysts and API clients through nginx against
two web nodes and two schedulers on PostgreSQL and Redis, for minutes; latency per request kind
next to an empty Dash callback in the same run, errors, and every process's memory.

The layout is deploy/local_layout.py's (what tests/test_deploy_layout.py proves): a private nginx
with the deploy/nginx site (TLS), web nodes started by their unit's command (``odsk serve``; here
with one empty callback added to the app, the baseline), the schedulers collecting from the
SKPD simulator, a fresh PostgreSQL database seeded like bench/wall_refresh.py's, Redis on a db
number of its own. The virtual users, asyncio + httpx, each with its own connection:

- wall screens (``--screens``, 200): enrolled screens (a device token each) that open
  ``/wall?device=…`` (page, layout, dependencies), then as the page does: the version check every
  ``wall_poll_seconds`` (5 s), the redraw of what moved when it answers, the freshness refresh
  every 30 s, the heartbeat every ``heartbeat_seconds`` of config/wall.yaml;
- analysts (``--analysts``, 20): signed in, opening a desktop page every 5-15 s (the HTML, the
  layout and the page's content callback);
- API clients (``--api``, 5): ``/healthz`` and ``/metrics`` (bearer token) every 2 s, the brief's
  Excel export every minute;
- the baseline: an empty Dash callback, polled by 5 clients every second.

Report: requests, errors, p50/p95/p99 per kind with the ratio of p95 to the empty callback's,
and each process's RSS (process group: gunicorn's master and workers) after warm-up and at the
end. Targets (issue 17): no errors, RSS growth ≤ 10 %.

    .venv/bin/python bench/load.py [--minutes 10] [--screens 200] [--analysts 20] [--api 5] [--json]

PostgreSQL: ODSK_TEST_DATABASE_URL's server, else the local one, else a private instance
(tests/services.py); a database of its own, dropped at the end. Redis likewise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import time
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load-bench password, long enough"
METRICS_TOKEN = secrets.token_urlsafe(16)
ANALYST_PAGES = ["/", "/alerts", "/ops/compliance", "/brief"]  # what an analyst may open
KINDS = {
    "empty": "empty Dash callback (baseline)",
    "wall.open": "wall: page + layout + dependencies",
    "wall.poll": "wall: version check",
    "wall.redraw": "wall: redraw of what moved",
    "wall.fresh": "wall: ages and health",
    "wall.beat": "wall: heartbeat",
    "analyst.page": "analyst: page HTML",
    "analyst.layout": "analyst: layout",
    "analyst.content": "analyst: page content callback",
    "api.healthz": "api: /healthz",
    "api.metrics": "api: /metrics",
    "api.export": "api: brief Excel export",
}


# --- a web node: `odsk serve`, with the empty callback in the app ----------------------------


def run_node(argv: list[str]) -> None:
    """``odsk serve …`` as the unit runs it, the app built (in each worker) with the baseline."""

    class LazyApp(types.ModuleType):
        _server = None

        @property
        def server(self):
            if self._server is None:
                from wall_refresh import bench_app

                type(self)._server = bench_app().server
            return self._server

    module = LazyApp("app")
    module.__file__ = str(ROOT / "app.py")  # Dash finds the pages folder next to it
    sys.modules["app"] = module
    from dashboard.cli import main

    main(argv, prog_name="odsk")


# --- the store and the layout -----------------------------------------------------------------


def _services():
    import importlib.util

    spec = importlib.util.spec_from_file_location("odsk_services", ROOT / "tests" / "services.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["odsk_services"] = module
    spec.loader.exec_module(module)
    return module


def create_database(server_url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"odsk_test_{stamp}_{os.getpid()}_load"
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def prepare(url: str, screens: int, analysts: int, api: int) -> dict:
    """Migrated, seeded; the screens enrolled and the accounts made. Returns who is who."""
    from wall_refresh import seed

    from dashboard.access.accounts import add_account
    from dashboard.access.audit import Actor
    from dashboard.access.devices import enrol
    from dashboard.catalogue import load_catalogue
    from dashboard.store.engine import make_engine
    from dashboard.store.migrate import upgrade

    upgrade(url)
    catalogue = load_catalogue(ROOT / "config")
    seed(url, catalogue)
    engine = make_engine(url)
    try:
        tokens = [
            (name, enrol(engine, name, "internal", actor=Actor.cli("load"))[1])
            for name in (f"load-wall-{i:03d}" for i in range(screens + 5))
        ]
        people = []
        for role, count in (("analyst", analysts), ("viewer", api)):
            for i in range(count):
                name = f"load-{role}-{i:02d}"
                add_account(engine, name, role, password=PASSWORD, skpds=[])
                people.append((role, name))
    finally:
        engine.dispose()
    return {
        "screens": tokens[:screens],
        "baseline": tokens[screens:],
        "analysts": [n for r, n in people if r == "analyst"],
        "api": [n for r, n in people if r == "viewer"],
        "domains": [d.id for d in catalogue.domains],
        "indicators": [i.code for i in catalogue.indicators][:20],
    }


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # the first error body of each kind
    measuring: bool = False

    def add(self, kind: str, seconds: float) -> None:
        if self.measuring:
            self.times.setdefault(kind, []).append(seconds)

    def error(self, kind: str, what: str) -> None:
        if self.measuring:
            bucket = self.errors.setdefault(kind, {})
            bucket[what] = bucket.get(what, 0) + 1

    def summary(self) -> dict[str, dict]:
        out = {}
        for kind in KINDS:
            times = sorted(self.times.get(kind, []))
            errors = self.errors.get(kind, {})
            if not times and not errors:
                continue

            def pct(p: float, times=times) -> float | None:
                return (
                    round(times[min(len(times) - 1, int(p * len(times)))] * 1000, 1)
                    if times
                    else None
                )

            out[kind] = {
                "requests": len(times) + sum(errors.values()),
                "errors": sum(errors.values()),
                "error_kinds": errors,
                "p50_ms": pct(0.50),
                "p95_ms": pct(0.95),
                "p99_ms": pct(0.99),
                **({"first_error": self.samples[kind]} if kind in self.samples else {}),
            }
        return out


class User:
    """One browser: its own connection, cookies and CSRF token."""

    def __init__(self, base: str, stats: Stats, device: str | None = None):
        import httpx

        self.base, self.stats, self.device = base, stats, device
        self.client = httpx.AsyncClient(
            verify=False,
            timeout=20,  # the wall's own (assets/wall_link.js): then it shows "reconnecting"
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2),
        )
        self.csrf = ""
        self.page = "/"  # what the browser shows: the Referer of its callbacks

    async def request(self, kind: str, method: str, path: str, ok=(200,), **kwargs):
        import httpx

        started = time.perf_counter()
        try:
            response = await self.client.request(method, self.base + path, **kwargs)
        except httpx.HTTPError as exc:
            self.stats.error(kind, type(exc).__name__)
            return None
        if response.status_code not in ok:
            self.stats.error(kind, f"HTTP {response.status_code}")
            self.stats.samples.setdefault(kind, response.text[:300])
            return None
        self.stats.add(kind, time.perf_counter() - started)
        if "_csrf_token" in response.cookies:
            self.csrf = response.cookies["_csrf_token"]
        return response

    async def callback(self, kind: str, body: dict):
        headers = {
            "X-CSRFToken": self.csrf,
            "Origin": self.base,
            "Referer": self.base + self.page,  # Flask-WTF checks it on https
        }
        if self.device:
            headers["X-ODSK-Device"] = self.device
        return await self.request(
            kind, "POST", "/_dash-update-component", ok=(200, 204), json=body, headers=headers
        )

    async def close(self) -> None:
        await self.client.aclose()


def find(tree, predicate) -> list[dict]:
    """Every component (``{"props": …}``) of a Dash layout for which ``predicate(props)``."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if predicate(props):
                    found.append(props)
                stack.extend(v for v in props.values() if isinstance(v, list | dict))
            else:
                stack.extend(v for v in node.values() if isinstance(v, list | dict))
    return found


def by_id(tree, ident) -> dict | None:
    hits = find(tree, lambda p: p.get("id") == ident)
    return hits[0] if hits else None


def pattern(tree, kind: str) -> list[dict]:
    return find(tree, lambda p: isinstance(p.get("id"), dict) and p["id"].get("type") == kind)


async def open_page(user: User, path: str, kinds: tuple[str, str, str]) -> dict | None:
    """What a browser does to show a page: the HTML, the layout, the page's content."""
    query = path.partition("?")[2]
    user.page = path
    page = await user.request(kinds[0], "GET", path)
    if page is None:
        return None
    layout = await user.request(
        kinds[1], "GET", "/_dash-layout", headers={"Referer": user.base + path}
    )
    if layout is None:
        return None
    tree = layout.json()
    if by_id(tree, "wall-root") or by_id(tree, "wall-drawn"):
        return tree
    content = await user.callback(
        kinds[2],
        {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path.partition("?")[0]},
                {
                    "id": "_pages_location",
                    "property": "search",
                    "value": "?" + query if query else "",
                },
            ],
            "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
            "state": [],
        },
    )
    if content is None:
        return None
    return content.json()


async def screen(user: User, name: str, token: str, stop: float, beat_s: float, poll_s: float):
    tree = await open_page(user, f"/wall?device={token}", ("wall.open", "wall.open", "wall.open"))
    if tree is None:
        return
    await user.request("wall.open", "GET", "/_dash-dependencies")
    drawn = (by_id(tree, "wall-drawn") or {}).get("data") or {}
    lang = "id"
    parts = [p["id"] for p in pattern(tree, "wall-part")]
    ages = [p["id"] for p in pattern(tree, "wall-age")]
    age_inputs = pattern(tree, "wall-age-inputs")
    started = time.monotonic()
    next_poll = started + random.uniform(0, poll_s)
    next_beat = started + random.uniform(0, beat_s)
    next_fresh = started + random.uniform(0, 30)
    polls = beats = fresh = 0
    while time.monotonic() < stop:
        now = time.monotonic()
        if now >= next_poll:
            polls += 1
            next_poll = max(
                next_poll + poll_s, now
            )  # an interval that fired late does not catch up
            answer = await user.callback(
                "wall.poll",
                {
                    "output": "wall-signal.data",
                    "outputs": {"id": "wall-signal", "property": "data"},
                    "inputs": [{"id": "wall-poll", "property": "n_intervals", "value": polls}],
                    "changedPropIds": ["wall-poll.n_intervals"],
                    "state": [{"id": "wall-drawn", "property": "data", "value": drawn}],
                },
            )
            if answer is not None and answer.status_code == 200:
                signal = answer.json()["response"]["wall-signal"]["data"]
                redrawn = await user.callback(
                    "wall.redraw",
                    {
                        "output": '..wall-drawn.data...{"key":["ALL"],"type":"wall-part"}.children'
                        "...wall-takeover-body.children...wall-takeover.data"
                        "...wall-store-banner.className..",
                        "outputs": [
                            {"id": "wall-drawn", "property": "data"},
                            [{"id": i, "property": "children"} for i in parts],
                            {"id": "wall-takeover-body", "property": "children"},
                            {"id": "wall-takeover", "property": "data"},
                            {"id": "wall-store-banner", "property": "className"},
                        ],
                        "inputs": [{"id": "wall-signal", "property": "data", "value": signal}],
                        "changedPropIds": ["wall-signal.data"],
                        "state": [
                            {"id": "wall-drawn", "property": "data", "value": drawn},
                            {"id": "wall-lang", "property": "data", "value": lang},
                        ],
                    },
                )
                if redrawn is not None and redrawn.status_code == 200:
                    drawn = redrawn.json()["response"].get("wall-drawn", {}).get("data", drawn)
        elif now >= next_beat:
            beats += 1
            next_beat = max(next_beat + beat_s, now)
            payload = {
                "device": name, "w": 1920, "h": 1080, "dpr": 1, "playlist": None,
                "screen": "overview", "index": 0, "path": "/wall", "lang": lang,
                "takeover": False, "heap_mb": 60.0, "loaded_at": int(time.time() * 1000),
                "offline_count": 0, "fingerprint": None, "n": beats,
            }  # fmt: skip
            await user.callback(
                "wall.beat",
                {
                    "output": "wall-command.data",
                    "outputs": {"id": "wall-command", "property": "data"},
                    "inputs": [{"id": "wall-beat-payload", "property": "data", "value": payload}],
                    "changedPropIds": ["wall-beat-payload.data"],
                    "state": [],
                },
            )
        elif now >= next_fresh:
            fresh += 1
            next_fresh = max(next_fresh + 30, now)
            await user.callback(
                "wall.fresh",
                {
                    "output": '..{"key":["ALL"],"type":"wall-age"}.children...'
                    '{"key":["ALL"],"type":"wall-age"}.className...wall-health.children..',
                    "outputs": [
                        [{"id": i, "property": "children"} for i in ages],
                        [{"id": i, "property": "className"} for i in ages],
                        {"id": "wall-health", "property": "children"},
                    ],
                    "inputs": [
                        {"id": "wall-fresh-tick", "property": "n_intervals", "value": fresh}
                    ],
                    "changedPropIds": ["wall-fresh-tick.n_intervals"],
                    "state": [
                        [
                            {"id": p["id"], "property": "data", "value": p.get("data")}
                            for p in age_inputs
                        ],
                        {"id": "wall-lang", "property": "data", "value": lang},
                    ],
                },
            )
        else:
            await asyncio.sleep(max(0.05, min(next_poll, next_beat, next_fresh) - now))


async def sign_in(user: User, name: str) -> bool:
    import re

    page = await user.request("analyst.page", "GET", "/login")
    if page is None:
        return False
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = await user.request(
        "analyst.page",
        "POST",
        "/login",
        ok=(302,),
        data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"},
        headers={"Origin": user.base, "Referer": user.base + "/login"},
    )
    return done is not None


async def analyst(user: User, name: str, pages: list[str], stop: float) -> None:
    if not await sign_in(user, name):
        return
    while time.monotonic() < stop:
        await open_page(
            user, random.choice(pages), ("analyst.page", "analyst.layout", "analyst.content")
        )
        await asyncio.sleep(random.uniform(5, 15))


async def api_client(user: User, name: str, stop: float) -> None:
    if not await sign_in(user, name):
        return
    last_export = time.monotonic() - random.uniform(0, 60)
    scrape = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    while time.monotonic() < stop:
        await user.request("api.healthz", "GET", "/healthz")
        await user.request("api.metrics", "GET", "/metrics", headers=scrape)
        if time.monotonic() - last_export >= 60:
            last_export = time.monotonic()
            await user.request("api.export", "GET", "/brief/export.xlsx")
        await asyncio.sleep(2)


async def baseline(user: User, stop: float) -> None:
    """An enrolled screen's browser asking the empty callback once a second."""
    await user.request("analyst.page", "GET", "/login")  # the CSRF cookie
    n = 0
    while time.monotonic() < stop:
        n += 1
        await user.callback(
            "empty",
            {
                "output": "bench-empty.children",
                "outputs": {"id": "bench-empty", "property": "children"},
                "inputs": [{"id": "bench-tick", "property": "n_intervals", "value": n}],
                "changedPropIds": ["bench-tick.n_intervals"],
                "state": [],
            },
        )
        await asyncio.sleep(1)


def rss_of(layout) -> dict[str, float]:
    import psutil

    out = {}
    for name, process in layout.processes.items():
        total = 0
        for pid in process.group_pids():
            try:
                total += psutil.Process(pid).memory_info().rss
            except psutil.Error:
                pass
        out[name] = round(total / 2**20, 1)
    return out


async def drive(layout, who: dict, args, beat_s: float, poll_s: float) -> dict:
    stats = Stats()
    base = layout.url
    warmup = 30.0 + args.screens * 0.15  # every screen opens its page first
    stop = time.monotonic() + warmup + args.minutes * 60
    tasks, users = [], []

    def user(device=None) -> User:
        users.append(User(base, stats, device))
        return users[-1]

    stats.measuring = True  # opening the wall is measured too (wall.open)
    for name, token in who["screens"]:
        tasks.append(asyncio.create_task(screen(user(token), name, token, stop, beat_s, poll_s)))
        await asyncio.sleep(0.1)  # screens come up over a while, as they would after a power cut
    pages = ANALYST_PAGES + [f"/domain/{d}" for d in who["domains"]]
    pages += [f"/indicator/{c}" for c in who["indicators"]]
    for name in who["analysts"]:
        tasks.append(asyncio.create_task(analyst(user(), name, pages, stop)))
    for name in who["api"]:
        tasks.append(asyncio.create_task(api_client(user(), name, stop)))
    for _name, token in who["baseline"]:
        tasks.append(asyncio.create_task(baseline(user(token), stop)))
    await asyncio.sleep(max(0.0, warmup - args.screens * 0.1))
    rss_start = rss_of(layout)
    began = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began
    rss_end = rss_of(layout)
    for u in users:
        await u.close()
    return {
        "stats": stats.summary(),
        "rss_start": rss_start,
        "rss_end": rss_end,
        "seconds": elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--node"]:
        run_node(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--analysts", type=int, default=20)
    parser.add_argument("--api", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per web node")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from local_layout import Layout, free_port

    from dashboard.catalogue import load_catalogue
    from dashboard.settings import Settings
    from dashboard.views.wall_screens import load_wall_config

    services = _services()
    pg = services.resolve_postgres()
    redis_service = services.resolve_redis()
    redis_db = services.claim_redis_db(redis_service)
    url, drop = create_database(pg.url)
    root = Path(tempfile.mkdtemp(prefix="odsk-load-"))
    layout = None
    simulator = None
    try:
        who = prepare(url, args.screens, args.analysts, args.api)
        sim_port = free_port()
        env = {
            "ODSK_DATABASE_URL": url,
            "ODSK_REDIS_URL": redis_db.url,
            "ODSK_DATA_DIR": str(root / "data"),
            "ODSK_PROXY_HOPS": "1",
            "ODSK_SECURE_COOKIES": "true",
            "ODSK_SECRET_KEY": secrets.token_urlsafe(32),
            "ODSK_METRICS_TOKEN": METRICS_TOKEN,
            "ODSK_SIMULATOR_URL": f"http://127.0.0.1:{sim_port}",
        }

        def wrap(command: list[str]) -> list[str]:
            if command[1:4] == ["-m", "dashboard.cli", "serve"]:
                return [command[0], str(Path(__file__).resolve()), "--node", *command[3:]]
            return command

        layout = Layout(root, env, workers=args.workers, wrap=wrap)
        for sub in ("logs", "data"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        from local_layout import Process

        simulator = Process(
            "simulator",
            [sys.executable, "-m", "dashboard.cli", "simulate", "--port", str(sim_port)],
            {**os.environ, **env},
            root / "logs" / "simulator.log",
        )
        simulator.start()
        layout.start()
        layout.processes["simulator"] = simulator
        settings = Settings(config_dir=ROOT / "config")
        catalogue = load_catalogue(settings.config_dir)
        beat_s = load_wall_config(settings.config_dir, catalogue).heartbeat_seconds
        result = asyncio.run(drive(layout, who, args, beat_s, settings.wall_poll_seconds))
    finally:
        if layout is not None:
            layout.stop()
        if simulator is not None:
            simulator.stop()
        keep = os.environ.get("ODSK_LOAD_KEEP")
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
        drop()
        redis_db.release()
        pg.stop()
        redis_service.stop()
    report(result, args, root if os.environ.get("ODSK_LOAD_KEEP") else None)
    errors = sum(s["errors"] for s in result["stats"].values())
    return 1 if errors else 0


def report(result: dict, args, kept: Path | None) -> None:
    stats = result["stats"]
    if args.json:
        print(json.dumps({**result, "args": vars(args), "cpus": os.cpu_count()}, indent=2))
        return
    empty = (stats.get("empty") or {}).get("p95_ms") or None
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}; PostgreSQL + Redis; "
        f"nginx → 2 web nodes × {args.workers} gunicorn workers × 4 threads, 2 schedulers + simulator"
    )
    print(
        f"load: {args.screens} wall screens, {args.analysts} analysts, {args.api} API clients, "
        f"5 baseline clients; measured {result['seconds'] / 60:.1f} min after warm-up"
    )
    for kind, s in stats.items():
        ratio = f"{s['p95_ms'] / empty:5.1f}×" if empty and s["p95_ms"] else "    -"
        print(
            f"{KINDS[kind]:<38} {s['requests']:>7} req {s['errors']:>4} err  "
            f"p50 {s['p50_ms'] or 0:7.1f} ms  p95 {s['p95_ms'] or 0:7.1f} ms  "
            f"p99 {s['p99_ms'] or 0:7.1f} ms  p95/empty {ratio}"
            + (f"  {s['error_kinds']}" if s["errors"] else "")
        )
        if s.get("first_error"):
            print(f"    first error: {s['first_error']!r}")
    print("RSS (MB, process group)       start      end   growth")
    for name, start in result["rss_start"].items():
        end = result["rss_end"].get(name, 0.0)
        growth = (end - start) / start * 100 if start else 0.0
        print(f"  {name:<26} {start:8.1f} {end:8.1f} {growth:7.1f} %")
    total = sum(s["errors"] for s in stats.values())
    print(f"errors: {total} (target 0)")
    if kept:
        print(f"logs kept in {kept / 'logs'}")


if __name__ == "__main__":
    sys.exit(main())
