"""Lighthouse (desktop preset) on the pages issue 16 names: performance and accessibility scores,
with the figures behind them (LCP, TBT, CLS, bytes), next to a minimal Dash page in the same run.

Runs the npm ``lighthouse`` package from ``tools/`` (``make bench`` installs it with ``npm ci``;
never at page run time) against Debian's Chromium (``CHROME_PATH``), offline: the app is
served by gunicorn on loopback on a temporary store, as ``bench/page_weight.py`` does.

Targets: performance ≥ 80 and accessibility 100 on each page; ``--enforce`` exits non-zero
on a miss (scores move with the machine's load: the minimal page's score is the yardstick).

    .venv/bin/python bench/lighthouse.py [--json] [--enforce] [--page PATH ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIGHTHOUSE = ROOT / "tools" / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/wall", "/indicator/LIV.STUNTING", "/alerts", "/data")
TARGETS = {"performance": 0.8, "accessibility": 1.0}


def _page_weight():
    spec = importlib.util.spec_from_file_location("odsk_bench_page_weight", HERE / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def session_cookie(base: str, user: str, password: str) -> str:
    """Sign in through the real form (every page but /data asks to since access control);
    the cookies, as a Cookie header Lighthouse sends with every request."""
    import re

    import requests

    with requests.Session() as session:
        page = session.get(base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = session.post(
            base + "/login",
            data={"username": user, "password": password, "csrf_token": token, "next": "/"},
            headers={"Origin": base, "Referer": base + "/login"},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"the bench account could not sign in (HTTP {answer.status_code})")
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def audit(url: str, out: Path, cookie: str | None = None) -> dict:
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    headers = [f"--extra-headers={json.dumps({'Cookie': cookie})}"] if cookie else []
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            *headers,
            "--preset=desktop",
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-dev-shm-usage",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
        ],
        env=env,
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "failing_a11y": [
            ref["id"]
            for ref in report["categories"]["accessibility"]["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--enforce", action="store_true")
    parser.add_argument(
        "--page", action="append", choices=PAGES, help="only these pages (repeatable)"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(f"lighthouse: {LIGHTHOUSE} is missing: run 'make tools-dev' (npm ci in tools/)")
        return 1
    weight = _page_weight()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="odsk-lighthouse-") as tmp:
        url = f"sqlite:///{tmp}/store.sqlite3"
        weight.seed(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODSK_")}
        env.update(ODSK_DATABASE_URL=url, ODSK_DATA_DIR=tmp)
        odsk, odsk_url = weight.start("odsk", env)
        minimal, minimal_url = weight.start("minimal", env)
        try:
            results[weight.MINIMAL] = audit(minimal_url + "/", Path(tmp) / "minimal.json")
            cookie = session_cookie(odsk_url, weight.BENCH_USER, weight.BENCH_PASSWORD)
            for i, path in enumerate(PAGES):
                if (not args.page or path in args.page) and weight.path_exists(path, url, tmp):
                    results[path] = audit(odsk_url + path, Path(tmp) / f"page{i}.json", cookie)
        finally:
            for proc in (odsk, minimal):
                proc.terminate()
                proc.wait(timeout=20)
    misses = [
        f"{path}: {key} {r[key] * 100:.0f} < {target * 100:.0f}"
        for path, r in results.items()
        if path != weight.MINIMAL
        for key, target in TARGETS.items()
        if r[key] is None or r[key] < target
    ]
    if args.json:
        print(json.dumps({"results": results, "misses": misses}, indent=2))
    else:
        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Lighthouse desktop preset")
        for path, r in results.items():
            print(
                f"{path:28s} performance {r['performance'] * 100:3.0f}  accessibility "
                f"{r['accessibility'] * 100:3.0f}  LCP {r['lcp_ms']:6.0f} ms  TBT {r['tbt_ms']:5.0f} ms  "
                f"CLS {r['cls']:.3f}  {r['bytes'] / 1e6:5.2f} MB"
                + (
                    f"  a11y audits failing: {', '.join(r['failing_a11y'])}"
                    if r["failing_a11y"]
                    else ""
                )
            )
        for miss in misses:
            print(f"target missed: {miss}")
    return 1 if args.enforce and misses else 0


if __name__ == "__main__":
    sys.exit(main())
