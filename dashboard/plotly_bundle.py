"""The Plotly.js a chart page loads: plotly.js's own "cartesian" bundle, not the full one.

``dcc.Graph`` loads Plotly on demand from one fixed address (Dash's renderer names it, with
no version in it). The full bundle is 4.8 MB of script that takes the browser most of a
second to evaluate before the first chart can be drawn; the charts the desktop pages draw
need only scatter and heatmap traces, which the cartesian bundle (1.5 MB) has. The app
answers that address with it, unless a boundary file is configured: the choropleth map
(``choroplethmap``, MapLibre) is only in the full bundle, which Dash then serves as before.
Pages that draw charts load it from the start (``early_script``).

Vendored file: ``static/plotly/plotly-cartesian.min.js``, npm ``plotly.js-cartesian-dist-min``
4.1.1 (the plotly.js version the installed plotly package ships), MIT licence (``LICENSE``
beside it). Updating plotly means replacing it (tests/test_plotly_bundle.py says when).
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import dash
import flask
from dash._pages import _path_to_page

from dashboard.access import Permission, Rule, route

log = logging.getLogger(__name__)
BUNDLE = Path(__file__).resolve().parent / "static" / "plotly" / "plotly-cartesian.min.js"
# Where dcc.Graph fetches Plotly when the app serves its scripts itself (serve_locally).
PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
# The trace types in the cartesian bundle (its package's README).
TRACES = frozenset(
    {
        "bar",
        "box",
        "contour",
        "heatmap",
        "histogram",
        "histogram2d",
        "histogram2dcontour",
        "image",
        "pie",
        "scatter",
        "scatterternary",
        "violin",
    }
)


def version(script: str) -> str | None:
    """The plotly.js version a bundle's banner names ("plotly.js (cartesian - minified) v4.1.1")."""
    found = re.search(r"plotly\.js\b[^\n]*\bv(\d+\.\d+\.\d+)", script[:500])
    return found.group(1) if found else None


@cache
def _bundle() -> tuple[bytes, str]:
    content = BUNDLE.read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:16]


def _serve() -> flask.Response:
    content, etag = _bundle()
    response = flask.Response(content, mimetype="application/javascript")
    response.set_etag(etag)
    # The address has no version in it: browsers keep the file and ask whether it changed.
    response.cache_control.no_cache = True
    response.make_conditional(flask.request)  # 304 when the browser's copy is this one
    return response


def early_script(app: dash.Dash, path: str) -> str:
    """On a page registered with ``charts=True``, Plotly as the first of the page's scripts:
    fetched beside the others and run before Dash starts, so ``window.Plotly`` is there when
    the first chart is drawn (dcc.Graph takes it; the locale script registers with it). Not
    ``defer``: Dash could draw a graph first and load Plotly a second time, without the locale.
    Elsewhere nothing: pages without charts never load Plotly."""
    page, _ = _path_to_page(path.strip("/"))  # type: ignore[no-untyped-call]  # Dash leaves it untyped
    if not page.get("charts"):
        return ""
    return f'<script src="{app.config.requests_pathname_prefix}{PATH}"></script>'


def matches_installed_plotly() -> bool:
    """Whether the vendored bundle is the plotly.js the installed plotly package ships (the
    figures plotly writes are meant for that version)."""
    shipped = files("plotly").joinpath("package_data/plotly.min.js").read_text()[:500]
    return version(shipped) == version(BUNDLE.read_text()[:500])


def register(server: flask.Flask, prefix: str, full_bundle_needed: bool) -> None:
    """Answer dcc.Graph's Plotly address with the cartesian bundle (a rule without variables,
    so it wins over Dash's component-suite route); with ``full_bundle_needed``, or once plotly
    was upgraded without the bundle, leave Dash's full one."""
    if full_bundle_needed:
        return
    if not matches_installed_plotly():
        log.warning("plotly was upgraded: serving its full bundle until %s is replaced", BUNDLE)
        return
    route(server, Rule(Permission.PUBLIC), prefix + PATH, "plotly_cartesian", _serve)
