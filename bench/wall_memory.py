"""Browser memory of a wall screen over a long run: JS heap, DOM nodes and listeners after GC.

A wall page in headless Chromium (1920×1080) plays every screen with short dwell times while
a feeder stores a new value every 5 s, an earthquake that takes over the wall every 45 s and a
critical alert that fires and resolves every 60 s, so every kind of redraw keeps happening
(far more churn than a real wall). Every ``--every`` seconds the page is garbage-collected
(DevTools ``HeapProfiler.collectGarbage``) and measured (``Performance.getMetrics``,
``performance.memory``). A flat wall keeps its heap, nodes and listeners level.

    .venv/bin/python bench/wall_memory.py [--minutes 0.3] [--every 6] [--warmup 10] [--json] [--enforce]

The default run is a smoke test (well under a minute); measure with e.g.
``--minutes 15 --warmup 120 --every 30``.

Budget (checked with ``--enforce``): the median collected heap of the second half of the run
exceeds the first half's by less than 2 MB, and the DOM grows by less than 10 %. (The first
minutes fill the screens: quakes, alerts, the takeover; a warm-up of two minutes or more
lets the run start from a full wall.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wall_refresh as W

ROOT = W.ROOT
HEAP_BUDGET_MB = 2.0
NODES_BUDGET = 0.10
SCREENS = [
    "overview",
    "living",
    "society",
    "branding",
    "governance",
    "environment",
    "economy",
    "disaster",
    "alerts",
]


def config_dir(tmp: Path) -> Path:
    target = tmp / "config"
    shutil.copytree(ROOT / "config", target)
    wall = yaml.safe_load((target / "wall.yaml").read_text(encoding="utf-8"))
    wall.update(
        heartbeat_seconds=10,
        default_playlist="cepat",
        schedule=[],
        monitors=[],
        playlists={"cepat": {"items": [{"screen": s, "dwell_seconds": 4} for s in SCREENS]}},
        takeover={**wall["takeover"], "duration_seconds": 20},
    )
    (target / "wall.yaml").write_text(yaml.safe_dump(wall, allow_unicode=True), encoding="utf-8")
    return target


class Feeder(threading.Thread):
    """New values, quakes that take over, critical alerts that come and go."""

    def __init__(self, url: str, catalogue):
        super().__init__(daemon=True)
        self.url, self.catalogue = url, catalogue
        self.stopped = threading.Event()
        self.counts = {"values": 0, "quakes": 0, "alerts": 0}

    def run(self) -> None:
        from sqlalchemy import insert, select, update

        from dashboard.store.engine import make_engine
        from dashboard.store.observations import ObservationRow, upsert_observations
        from dashboard.store.schema import Alert, Event, Observation
        from dashboard.versions import bump

        rng = random.Random(11)
        engine = make_engine(self.url)
        fed = [i for i in self.catalogue.indicators if self.catalogue.sources_feeding(i.code)]
        tick, open_alert = 0, None
        while not self.stopped.wait(5):
            tick += 5
            now = datetime.now(UTC)
            ind = rng.choice(fed)
            with engine.begin() as conn:
                latest = conn.execute(
                    select(Observation.period_start, Observation.value)
                    .where(Observation.indicator_code == ind.code, Observation.region_code == "71")
                    .order_by(Observation.period_start.desc())
                    .limit(1)
                ).first()
                if latest is not None:
                    upsert_observations(
                        conn,
                        [
                            ObservationRow(
                                ind.code,
                                "71",
                                latest.period_start,
                                ind.grain,
                                latest.value * rng.uniform(0.97, 1.03),
                            )
                        ],
                        source_id=self.catalogue.sources_feeding(ind.code)[0].id,
                        run_id=None,
                        ingested_at=now,
                    )
                    bump(conn, [f"domain:{ind.domain}"])
                    self.counts["values"] += 1
                if tick % 45 == 0:
                    conn.execute(
                        insert(Event).values(
                            kind="earthquake",
                            source_id="bmkg",
                            external_id=f"mem-{tick}",
                            occurred_at=now,
                            lat=1.4 + rng.uniform(-1, 1),
                            lon=125.0 + rng.uniform(-1, 1),
                            magnitude=rng.uniform(5, 6.5),
                            depth_km=rng.uniform(5, 60),
                            description=f"bench quake {tick}",
                            extra={"Potensi": "Tidak berpotensi tsunami"},
                        )
                    )
                    bump(conn, ["events"])
                    self.counts["quakes"] += 1
                if tick % 60 == 0:
                    open_alert = conn.execute(
                        insert(Alert)
                        .values(
                            rule_id="bench",
                            subject=f"mem-{tick}",
                            severity="critical",
                            state="firing",
                            title_id=f"Peringatan uji {tick}",
                            title_en=f"Bench alert {tick}",
                            fired_at=now,
                            details={},
                        )
                        .returning(Alert.id)
                    ).scalar_one()
                    self.counts["alerts"] += 1
                elif tick % 60 == 30 and open_alert is not None:
                    conn.execute(
                        update(Alert)
                        .where(Alert.id == open_alert)
                        .values(state="resolved", resolved_at=now)
                    )
        engine.dispose()


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--enable-precise-memory-info",
        "--window-size=1920,1080",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.execute_cdp_cmd("Performance.enable", {})
    return driver


def sample(driver, started: float) -> dict:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    metrics = {
        m["name"]: m["value"]
        for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    }
    used = driver.execute_script(
        "return performance.memory ? performance.memory.usedJSHeapSize : null"
    )
    return {
        "t_s": round(time.monotonic() - started),
        "heap_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2),
        "heap_total_mb": round(metrics["JSHeapTotalSize"] / 2**20, 2),
        "perf_memory_mb": round(used / 2**20, 2) if used else None,
        "nodes": int(metrics["Nodes"]),
        "listeners": int(metrics["JSEventListeners"]),
        "documents": int(metrics["Documents"]),
        "screen": driver.execute_script(
            "return (document.querySelector('.wall-screen.is-active') || {}).dataset?.screen || null"
        ),
        "taken_over": driver.execute_script(
            "return !!document.querySelector('#wall-takeover-box.is-active')"
        ),
        "offline": driver.execute_script(
            "return document.documentElement.classList.contains('wall-offline')"
        ),
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def slope_per_hour(samples: list[dict], key: str) -> float:
    xs = [s["t_s"] / 3600 for s in samples]
    ys = [s[key] for s in samples]
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=0.3, help="measured run after warm-up")
    parser.add_argument("--every", type=float, default=6, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=10, help="seconds before the first sample")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--enforce", action="store_true")
    args = parser.parse_args(argv)

    from dashboard.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT / "config")
    with tempfile.TemporaryDirectory(prefix="odsk-bench-wall-memory-") as tmp_name:
        tmp = Path(tmp_name)
        url, backend = W.prepare_store(tmp, catalogue)
        env = W.bench_env(url, tmp, config_dir(tmp), ODSK_WALL_POLL_SECONDS="2")
        proc, server = W.start_server(env, 1, 4, tmp / "server.log")
        feeder = Feeder(url, catalogue)
        driver = None
        samples: list[dict] = []
        try:
            driver = browser()
            driver.get(f"{server}/wall")
            feeder.start()
            time.sleep(args.warmup)
            started = time.monotonic()
            deadline = started + args.minutes * 60
            while True:
                samples.append(sample(driver, started))
                if not args.json:
                    s = samples[-1]
                    print(
                        f"t={s['t_s']:>5}s  heap {s['heap_mb']:6.2f} MB (total {s['heap_total_mb']:6.2f})  "
                        f"nodes {s['nodes']:>5}  listeners {s['listeners']:>4}  screen {s['screen']}"
                        f"{'  TAKEOVER' if s['taken_over'] else ''}{'  OFFLINE' if s['offline'] else ''}",
                        flush=True,
                    )
                if time.monotonic() >= deadline:
                    break
                time.sleep(min(args.every, max(0.0, deadline - time.monotonic())))
            logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        finally:
            feeder.stopped.set()
            if driver is not None:
                driver.quit()
            W.stop_server(proc)
    first, last = samples[0], samples[-1]
    half = max(len(samples) // 2, 1)
    early, late = samples[:half], samples[half:] or samples[-1:]
    summary = {
        "backend": backend,
        "cpus": os.cpu_count(),
        "minutes": round((last["t_s"] - first["t_s"]) / 60, 2),
        "samples": len(samples),
        "fed": feeder.counts,
        "heap_mb": {
            "first": first["heap_mb"],
            "last": last["heap_mb"],
            "max": max(s["heap_mb"] for s in samples),
            "min": min(s["heap_mb"] for s in samples),
            "median_first_half": round(median([s["heap_mb"] for s in early]), 2),
            "median_second_half": round(median([s["heap_mb"] for s in late]), 2),
            "slope_mb_per_hour": round(slope_per_hour(samples, "heap_mb"), 2),
            "slope_second_half_mb_per_hour": round(slope_per_hour(late, "heap_mb"), 2),
        },
        "nodes": {
            "first": first["nodes"],
            "last": last["nodes"],
            "max": max(s["nodes"] for s in samples),
            "median_first_half": round(median([s["nodes"] for s in early])),
            "median_second_half": round(median([s["nodes"] for s in late])),
        },
        "listeners": {
            "first": first["listeners"],
            "last": last["listeners"],
            "max": max(s["listeners"] for s in samples),
        },
        "console_errors": len(logs),
    }
    growth = summary["heap_mb"]["median_second_half"] - summary["heap_mb"]["median_first_half"]
    nodes_growth = (
        summary["nodes"]["median_second_half"] - summary["nodes"]["median_first_half"]
    ) / max(summary["nodes"]["median_first_half"], 1)
    within = growth < HEAP_BUDGET_MB and nodes_growth < NODES_BUDGET
    if args.json:
        print(json.dumps({"summary": summary, "samples": samples}, indent=2))
    else:
        h = summary["heap_mb"]
        print(
            f"machine: {os.cpu_count()} CPUs; store {backend}; headless Chromium 1920×1080; poll 2 s, dwell 4 s"
        )
        print(
            f"run: {summary['minutes']} min after {args.warmup:g} s warm-up, {len(samples)} samples; fed "
            f"{feeder.counts['values']} values, {feeder.counts['quakes']} takeover quakes, "
            f"{feeder.counts['alerts']} critical alerts"
        )
        print(
            f"JS heap after GC: first {h['first']} MB, last {h['last']} MB, min {h['min']}, max {h['max']}; "
            f"median first half {h['median_first_half']} MB, second half {h['median_second_half']} MB; "
            f"trend {h['slope_mb_per_hour']:+.2f} MB/hour (second half {h['slope_second_half_mb_per_hour']:+.2f})"
        )
        print(
            f"DOM nodes: first {first['nodes']}, last {last['nodes']}, max {summary['nodes']['max']}, median "
            f"{summary['nodes']['median_first_half']} → {summary['nodes']['median_second_half']}; "
            f"listeners: first {first['listeners']}, last {last['listeners']}"
        )
        print(
            f"console errors: {len(logs)}; budget (median heap +{HEAP_BUDGET_MB:g} MB, nodes +{NODES_BUDGET:.0%}): "
            f"{'met' if within else 'EXCEEDED'}"
        )
    if logs:
        print("\n".join(str(e) for e in logs[:5]), file=sys.stderr)
    return 1 if args.enforce and not within else 0


if __name__ == "__main__":
    sys.exit(main())
