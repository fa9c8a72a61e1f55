"""What a page costs a browser: bytes on the wire, requests, time to first content and to the
page's data being drawn, layout shift, next to a minimal Dash page measured in the same run.

Both apps run under gunicorn (as in production) in child processes; the product on a
temporary SQLite store with every indicator's history, runs, and open alerts. Headless
Chromium (Debian's, through selenium) at 1920×1080 loads each page ``--runs`` times with an
empty cache (median reported) and once more with a warm cache (what a return visit costs).

- bytes: transferSize of the document and every resource and callback (compressed size
  plus headers); requests: how many;
- first content: First Contentful Paint; data drawn: when the page's data element first
  exists (``DRAWN`` below: the scorecard's rows, the wall's tile values, the indicator's
  plotted series, the alert list);
- CLS: layout shift up to two seconds after the data is drawn.

Targets (issue 16): ``/`` transfers ≤ 2.5 MB; every page's data drawn ≤ 1.5 s. They are
checked, and the script exits non-zero on a miss, only with ``--enforce`` (timings depend on
the machine; ratios to the minimal page are the comparable figures).

    .venv/bin/python bench/page_weight.py [--runs 3] [--json] [--enforce] [--page PATH ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
# path → the element that exists once the page's data is drawn
DRAWN = {
    "/": ".sc-row",
    "/wall": ".wall-screen.is-active .wall-tile .value",
    "/indicator/LIV.STUNTING": "#ind-series .scatterlayer .trace",
    "/alerts": "#alerts-active .alerts-table-row, #alerts-none-active",
    "/data": ".odsk-dataset-card",  # issue 13's public catalogue (no sign-in)
}
MINIMAL = "minimal Dash page"
TARGET_BYTES = {"/": 2.5e6}
TARGET_DRAWN_S = 1.5

# Recorded from the first byte of the document: when the data element appears, and layout shift.
OBSERVER = """
window.__bench = {drawn: null, cls: 0, shifts: []};
(function () {
  const selector = %s;
  const check = () => {
    if (window.__bench.drawn === null && document.querySelector(selector)) {
      window.__bench.drawn = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true, attributes: true});
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.hadRecentInput) { window.__bench.cls += e.value; window.__bench.shifts.push([e.startTime, e.value]); }
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) {}
})();
"""

COLLECT = """
const nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource');
const fcp = performance.getEntriesByName('first-contentful-paint')[0];
const drawn = window.__bench.drawn;
const cls = window.__bench.shifts.filter(s => drawn === null || s[0] <= drawn + 2000).reduce((a, s) => a + s[1], 0);
return {
  bytes: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
  requests: 1 + res.length,
  fcp_ms: fcp ? fcp.startTime : null,
  drawn_ms: drawn,
  cls: cls,
  plotly: res.some(r => r.name.includes('plotly.min.js')),
};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the servers (child processes) --------------------------------------------------------


def _gunicorn(app, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": 1,
                "threads": 4,
                "worker_class": "gthread",
                "accesslog": None,
                "loglevel": "warning",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return app.server

    Server().run()


def serve_odsk(port: int) -> None:
    from dashboard.webapp import create_app

    _gunicorn(create_app(), port)


def serve_minimal(port: int) -> None:
    import dash
    from dash import html

    app = dash.Dash(__name__)
    app.layout = html.Div([html.H1("Halo", id="hello"), html.P("A minimal Dash page.")])
    _gunicorn(app, port)


def _load_test_kit(name: str):
    """A helper module of tests/ (the store the page tests use), loaded by path."""
    path = ROOT / "tests" / f"{name}.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"odsk_bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every page but /data asks to sign in first (issue 12): the bench signs in once as this
# account; clearing the cache between loads keeps the session cookie.
BENCH_USER, BENCH_PASSWORD = "bench-admin", "bench correct horse battery"


def seed(url: str) -> None:
    from dashboard.access.accounts import add_account
    from dashboard.catalogue import load_catalogue
    from dashboard.store.engine import make_engine
    from dashboard.store.migrate import upgrade

    upgrade(url)
    catalogue = load_catalogue(ROOT / "config")
    page_kit = _load_test_kit("page_kit")
    page_kit.page_store(url, catalogue, datetime.now(UTC) - timedelta(seconds=1)).dispose()
    engine = make_engine(url)
    add_account(engine, BENCH_USER, "admin", password=BENCH_PASSWORD)
    engine.dispose()


def sign_in(driver, base: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.ID, "login-username").send_keys(BENCH_USER)
    driver.find_element(By.ID, "login-password").send_keys(BENCH_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    deadline = time.monotonic() + 30
    while "/login" in driver.current_url:
        if time.monotonic() > deadline:
            raise RuntimeError("the bench account could not sign in")
        time.sleep(0.1)


def path_exists(path: str, url: str, data_dir: str) -> bool:
    """Whether the product has a page at ``path`` (``/data`` comes with issue 13)."""
    import dash

    from dashboard.settings import Settings
    from dashboard.webapp import create_app

    if not dash.page_registry:
        create_app(Settings(database_url=url, data_dir=data_dir, config_dir=ROOT / "config"))
    templates = {p.get("path_template") or p["path"] for p in dash.page_registry.values()}
    first = "/" + path.strip("/").split("/")[0] if path != "/" else "/"
    return any(t in (path, first) or (t or "").startswith(first + "/<") for t in templates)


def start(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, f"--serve-{kind}", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import urllib.request

    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return proc, url
        except OSError as exc:
            if proc.poll() is not None:
                err = proc.stderr.read().decode()[-2000:]
                raise RuntimeError(f"{kind} server died: {err}") from exc
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{kind} server did not answer within 60 s")


# --- the browser ----------------------------------------------------------------------------


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def load(driver, url: str, selector: str, cold: bool, timeout: float = 60) -> dict:
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get("about:blank")
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER % json.dumps(selector)}
    )
    try:
        driver.get(url)
        deadline = time.monotonic() + timeout
        while driver.execute_script("return window.__bench.drawn") is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: {selector} never appeared")
            time.sleep(0.05)
        time.sleep(2.0)  # late requests and shifts after the data is drawn
        return driver.execute_script(COLLECT)
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )


def measure(driver, base: str, path: str, selector: str, runs: int) -> dict:
    cold = [load(driver, base + path, selector, cold=True) for _ in range(runs)]
    warm = load(driver, base + path, selector, cold=False)

    def median(key):
        values = [r[key] for r in cold if r[key] is not None]
        return statistics.median(values) if values else None

    return {
        "bytes": median("bytes"),
        "requests": median("requests"),
        "fcp_ms": median("fcp_ms"),
        "drawn_ms": median("drawn_ms"),
        "cls": max(r["cls"] for r in cold),
        "plotly": any(r["plotly"] for r in cold),
        "repeat_bytes": warm["bytes"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--enforce", action="store_true")
    parser.add_argument(
        "--page", action="append", choices=list(DRAWN), help="only these pages (repeatable)"
    )
    parser.add_argument("--serve-odsk", type=int)
    parser.add_argument("--serve-minimal", type=int)
    args = parser.parse_args()
    if args.serve_odsk:
        serve_odsk(args.serve_odsk)
        return 0
    if args.serve_minimal:
        serve_minimal(args.serve_minimal)
        return 0
    if not Path(CHROMIUM).exists():
        print(f"page_weight: {CHROMIUM} is missing (apt-get install chromium chromium-driver)")
        return 1

    with tempfile.TemporaryDirectory(prefix="odsk-bench-") as tmp:
        url = f"sqlite:///{tmp}/store.sqlite3"
        seed(url)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("ODSK_") or k == "ODSK_LANGUAGE"
        }
        env.update(ODSK_DATABASE_URL=url, ODSK_DATA_DIR=tmp)
        odsk, odsk_url = start("odsk", env)
        minimal, minimal_url = start("minimal", env)
        driver = browser()
        results: dict[str, dict] = {}
        try:
            results[MINIMAL] = measure(driver, minimal_url, "/", "#hello", args.runs)
            sign_in(driver, odsk_url)
            for path, selector in DRAWN.items():
                if (not args.page or path in args.page) and path_exists(path, url, tmp):
                    results[path] = measure(driver, odsk_url, path, selector, args.runs)
        finally:
            driver.quit()
            for proc in (odsk, minimal):
                proc.terminate()
                proc.wait(timeout=20)

    base = results[MINIMAL]
    misses = []
    for path, r in results.items():
        if path in TARGET_BYTES and r["bytes"] > TARGET_BYTES[path]:
            misses.append(f"{path}: {r['bytes'] / 1e6:.2f} MB > {TARGET_BYTES[path] / 1e6} MB")
        if path != MINIMAL and r["drawn_ms"] and r["drawn_ms"] > TARGET_DRAWN_S * 1000:
            misses.append(f"{path}: data drawn {r['drawn_ms'] / 1000:.2f} s > {TARGET_DRAWN_S} s")
    if args.json:
        print(json.dumps({"results": results, "misses": misses}, indent=2))
    else:
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Chromium headless 1920x1080; "
            f"median of {args.runs} cold loads, then one warm"
        )
        for path, r in results.items():
            print(
                f"{path:28s} {r['bytes'] / 1e6:6.2f} MB ({r['bytes'] / base['bytes']:5.1f}x minimal)  "
                f"{r['requests']:3.0f} requests  first content {r['fcp_ms'] or 0:6.0f} ms  "
                f"data drawn {r['drawn_ms'] or 0:6.0f} ms ({(r['drawn_ms'] or 0) / (base['drawn_ms'] or 1):4.1f}x)  "
                f"CLS {r['cls']:.3f}  plotly {'yes' if r['plotly'] else 'no '}  "
                f"repeat visit {r['repeat_bytes'] / 1e3:7.1f} kB"
            )
        for miss in misses:
            print(f"target missed: {miss}")
    return 1 if args.enforce and misses else 0


if __name__ == "__main__":
    sys.exit(main())
