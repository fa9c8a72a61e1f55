"""Helpers for the analyst-page tests: a store with realistic series, calls to Dash callbacks over HTTP."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path

import clock_kit

REPO = Path(__file__).resolve().parent.parent
# What /indicator's draw_series callback writes (a call names every output of a callback).
SERIES_OUTPUTS = [
    ("ind-series", "figure"),
    ("ind-yoy", "figure"),
    ("ind-rows", "data"),
    ("ind-latest", "children"),
    ("ind-notes-list", "children"),
]


def seeder():
    """``bench/seed_observations.py`` as a module (bench/ is not a package)."""
    name = "odsk_bench_seed_observations"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "seed_observations.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def seed_store(url: str, payload_dir: Path, *, since: int, today: date | None = None):
    """Every catalogue indicator for the province and the 15 kab/kota since ``since`` (daily ones too),
    one run per source with an archived payload, and one revised value; no ballast rows."""
    return seeder().seed(
        url,
        0,
        payload_dir=payload_dir,
        today=today or clock_kit.today(),
        since=since,
        daily_since=since,
    )


def _headers(client, extra: dict | None = None) -> dict:
    """The CSRF header the browser sends (from the cookie a page set), and ``extra``."""
    cookie = client.get_cookie("_csrf_token")
    return {**({"X-CSRFToken": cookie.value} if cookie else {}), **(extra or {})}


def route(client, path: str, search: str = "", headers: dict | None = None):
    """Ask the pages router for a page, as the browser does after a dcc.Link click."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    return client.post("/_dash-update-component", json=body, headers=_headers(client, headers))


def call(
    client,
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, object]],
    state: list[tuple[str, str, object]] = (),
    changed: str | None = None,
):
    """POST one callback's payload; returns the response (``.json["response"]`` on 200)."""
    out = [{"id": i, "property": p} for i, p in outputs]
    key = (
        f"{outputs[0][0]}.{outputs[0][1]}"
        if len(outputs) == 1
        else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    )
    body = {
        "output": key,
        "outputs": out if len(out) > 1 else out[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed] if changed else [],
    }
    return client.post("/_dash-update-component", json=body, headers=_headers(client))


def now() -> datetime:
    return clock_kit.now()


def text_of(component) -> str:
    """All text in a serialised Dash component tree (the JSON a callback returns)."""
    if isinstance(component, str):
        return component
    if isinstance(component, (int, float)):
        return str(component)
    if isinstance(component, list):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):
        children = (component.get("props") or {}).get("children")
        return text_of(children) if children is not None else ""
    return ""
