"""Chart pages get plotly.js's cartesian bundle, not the full one (issue 16): it holds every
trace the pages draw, it is the plotly.js the installed plotly package ships, dcc.Graph gets it
at the address it asks, and pages with charts load it from the start (pages without, never). With a
boundary file (a MapLibre choropleth) Dash's full bundle is served instead."""

from __future__ import annotations

import json
import re

import pytest
from access_kit import client_as
from analyst_kit import SERIES_OUTPUTS, call, seed_store
from wall_kit import make_app

from dashboard import plotly_bundle

PLOTLY = "/" + plotly_bundle.PATH
EARLY = f'<script src="{PLOTLY}"></script>'


def _banner(script: bytes) -> str:
    return script[:200].decode().split("\n")[1]


def test_the_vendored_bundle_is_the_plotly_js_the_plotly_package_ships():
    assert plotly_bundle.matches_installed_plotly(), (
        "plotly was upgraded: replace dashboard/static/plotly/plotly-cartesian.min.js with "
        "npm plotly.js-cartesian-dist-min of the version it ships"
    )


def test_an_upgraded_plotly_without_its_bundle_gets_the_full_one(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setattr(plotly_bundle, "matches_installed_plotly", lambda: False)
    bundle = (
        make_app(sqlite_url, tmp_path)
        .server.test_client()
        .get(PLOTLY, headers={"Accept-Encoding": "identity"})
    )
    assert bundle.status_code == 200
    assert _banner(bundle.data).startswith("* plotly.js v")  # the full bundle, not cartesian


def test_the_bundle_registers_exactly_the_traces_it_is_said_to():
    script = plotly_bundle.BUNDLE.read_text()
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', script))
    assert registered == plotly_bundle.TRACES


@pytest.fixture
def seeded(sqlite_url, tmp_path):
    seed_store(sqlite_url, tmp_path / "payloads", since=2024)
    return make_app(sqlite_url, tmp_path)


def _traces(figure: dict) -> set[str]:
    return {trace.get("type", "scatter") for trace in figure["data"]}


@pytest.mark.parametrize(
    ("code", "grain"), [("LIV.STUNTING", "year"), ("BRD.WISMAN", "month"), ("ENV.PM25", "day")]
)
def test_the_indicator_page_draws_only_traces_the_bundle_has(seeded, catalogue, code, grain):
    client = client_as(seeded, "analyst")
    page = {"code": code, "lang": "id"}
    series = call(
        client,
        SERIES_OUTPUTS,
        inputs=[
            ("ind-regions", "value", ["71.71"]),
            ("ind-grain", "value", grain),
            ("ind-range", "value", [2024, 2026]),
            ("ind-notes-rev", "data", 0),
        ],
        state=[("ind-period", "value", None), ("ind-page", "data", page)],
    )
    assert series.status_code == 200, series.data
    period = call(
        client,
        [("ind-map", "figure"), ("ind-ranking", "children")],
        inputs=[
            ("ind-period", "value", "2025-01-01"),
            ("ind-grain", "value", grain),
            ("ind-regions", "value", ["71.71"]),
        ],
        state=[("ind-page", "data", page)],
    )
    assert period.status_code == 200, period.data
    out = series.json["response"]
    figures = [out["ind-series"], out["ind-yoy"], period.json["response"]["ind-map"]]
    drawn = set().union(*(_traces(f["figure"]) for f in figures))
    assert drawn and drawn <= plotly_bundle.TRACES


def test_dcc_graph_gets_the_cartesian_bundle_and_only_chart_pages_load_it_early(
    sqlite_url, tmp_path
):
    client = client_as(make_app(sqlite_url, tmp_path), "analyst")
    bundle = client.get(PLOTLY, headers={"Accept-Encoding": "identity"})
    assert bundle.status_code == 200 and bundle.mimetype == "application/javascript"
    assert _banner(bundle.data).startswith("* plotly.js (cartesian - minified) v")
    assert bundle.data == plotly_bundle.BUNDLE.read_bytes()
    again = client.get(PLOTLY, headers={"If-None-Match": bundle.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    page = client.get("/indicator/LIV.STUNTING").get_data(as_text=True)
    # Before Dash's renderer: no graph can ask for Plotly (a second copy) before it has run.
    assert EARLY in page and page.index(EARLY) < page.index("dash_renderer")
    assert EARLY in client.get("/data/LIV.STUNTING").get_data(as_text=True)
    for chartless in ("/", "/alerts", "/data", "/region/71.71"):
        assert PLOTLY not in client.get(chartless).get_data(as_text=True), chartless


def test_with_a_boundary_file_the_full_bundle_draws_the_choropleth(sqlite_url, tmp_path):
    path = tmp_path / "sulut.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    app = make_app(sqlite_url, tmp_path, boundary_geojson=path)
    bundle = app.server.test_client().get(PLOTLY, headers={"Accept-Encoding": "identity"})
    assert bundle.status_code == 200
    assert _banner(bundle.data).startswith("* plotly.js v")
    assert b'name:"choroplethmap"' in bundle.data
