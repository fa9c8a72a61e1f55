"""Embeddable live panels for the provincial website: ``/embed/indicator/<code>`` and
``/embed/domain/<id>`` (``?region=`` in either code system, ``?lang=``).

A small server-rendered page: the number, an inline SVG sparkline, the period and
"updated … ago", the wall's status rule (``views.embed`` uses the wall's ``tile_view``);
no Dash, no Plotly, no script. Cacheable for 60 s. Framed only by the configured
origins (``ODSK_EMBED_ORIGINS``): for /embed/ the CSP's ``frame-ancestors`` names them and
``X-Frame-Options`` (which cannot name several sites) is dropped; every other page keeps
``frame-ancestors 'self'``.
"""

from __future__ import annotations

import html
from typing import Any

import flask

from dashboard.access import Permission
from dashboard.access.rules import Rule, route
from dashboard.analysis import sparkline
from dashboard.opendata import api, conditional, params
from dashboard.opendata.problems import Problem, request_language
from dashboard.settings import Settings
from dashboard.store.schema import utcnow
from dashboard.views import embed as view
from dashboard.views.wall import TileView

MAX_AGE_SECONDS = 60
PREFIX = "/embed"
CSS_URL = "/_odsk/opendata/embed.css"
_COLORS = {
    "on_track": "#3ddbb3",
    "at_risk": "#ffcf5c",
    "behind": "#ff7a7a",
    "no_target": "#adb5bd",
    "no_data": "#6c757d",
}
_WORDS = {
    "id": {"source": "Sumber: Command Centre ODSK", "data": "Lihat data"},
    "en": {"source": "Source: ODSK Command Centre", "data": "See the data"},
}


def _tile(tile: TileView, lang: str) -> str:
    e = html.escape
    svg = sparkline.sparkline_svg(tile.history, color=_COLORS.get(tile.status, "#adb5bd"))
    value = e(tile.value) if tile.value is not None else "—"
    return (
        f'<article class="tile status-{e(tile.status)}">'
        f"<h2>{e(tile.name)}</h2>"
        f'<p class="value"><span class="number">{value}</span> <span class="unit">{e(tile.unit)}</span></p>'
        f'<p class="status"><span class="dot" aria-hidden="true"></span>{e(tile.status_label)}'
        + (f" · {e(tile.target)}" if tile.target else "")
        + "</p>"
        f'<figure class="spark" aria-hidden="true">{svg}</figure>'
        f'<p class="meta">{e(tile.period or "—")} · {e(tile.freshness.text)}</p>'
        f'<p class="meta"><a href="/data/{e(tile.code)}{"?lang=en" if lang == "en" else ""}" target="_blank" rel="noopener">{_WORDS[lang]["data"]}</a></p>'
        "</article>"
    )


def page(title: str, tiles: list[TileView], region_name: str, lang: str) -> str:
    body = "".join(_tile(t, lang) for t in tiles)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{CSS_URL}"></head>'
        f"<body><main><h1>{html.escape(title)} <small>{html.escape(region_name)}</small></h1>"
        f'<div class="tiles">{body}</div>'
        f'<p class="credit">{_WORDS[lang]["source"]}</p></main></body></html>'
    )


def _answer(title: str, indicators: list[Any], region: str) -> flask.Response:
    ctx = api.context()
    lang = request_language()
    now = utcnow()
    region_name = ctx.catalogue.regions_by_code[region].label(lang)

    def make() -> flask.Response:
        tiles = view.tiles(ctx.engine, ctx.catalogue, indicators, region, now, lang)
        return flask.Response(page(title, tiles, region_name, lang), mimetype="text/html")

    # "updated … ago" moves with the clock: the validator changes each minute.
    flask.g.odsk_no_cookies = True  # a public, cacheable page framed by another site
    return conditional.answer(
        ctx.engine, ctx.catalogue, lang, "html", make, MAX_AGE_SECONDS, f"@{now:%Y%m%d%H%M}"
    )


def indicator_panel(code: str) -> flask.Response:
    ctx = api.context()
    indicator = api.readable(ctx.catalogue, code)
    region = params.one_region(ctx.catalogue, flask.request.args)
    return _answer(indicator.name.get(request_language()), [indicator], region)


def domain_panel(domain_id: str) -> flask.Response:
    ctx = api.context()
    if domain_id not in {d.id for d in ctx.catalogue.domains}:
        raise Problem(404, "not_found.domain", value=domain_id)
    region = params.one_region(ctx.catalogue, flask.request.args)
    domain = ctx.catalogue.domain(domain_id)
    return _answer(
        domain.name.get(request_language()),
        view.domain_indicators(ctx.catalogue, domain_id),
        region,
    )


def frame_ancestors(origins: list[str]) -> str:
    return " ".join(["'self'", *origins])


def install_headers(server: flask.Flask, settings: Settings) -> None:
    """After Talisman (registered later, so it runs earlier): open /embed/ to the origins."""
    allowed = frame_ancestors(settings.embed_origins)

    @server.after_request
    def _embed_frames(response: flask.Response) -> flask.Response:
        if not flask.request.path.startswith(PREFIX + "/"):
            return response
        policy = response.headers.get("Content-Security-Policy", "")
        parts = [p.strip() for p in policy.split(";") if p.strip()]
        parts = [p for p in parts if not p.startswith("frame-ancestors")]
        response.headers["Content-Security-Policy"] = "; ".join(
            [*parts, f"frame-ancestors {allowed}"]
        )
        response.headers.pop("X-Frame-Options", None)
        return response


def register(server: flask.Flask, settings: Settings) -> None:
    rule = Rule(Permission.PUBLIC)
    route(
        server,
        rule,
        f"{PREFIX}/indicator/<code>",
        "embed_indicator",
        api.api_view(indicator_panel),
        methods=["GET"],
    )
    route(
        server,
        rule,
        f"{PREFIX}/domain/<domain_id>",
        "embed_domain",
        api.api_view(domain_panel),
        methods=["GET"],
    )
    install_headers(server, settings)
