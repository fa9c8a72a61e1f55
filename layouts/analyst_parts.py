"""Pieces the analyst pages share (domain, indicator, region, provenance). Registers no page.

- ``env_for(domain)``: the per-request view environment (store, catalogue, the app's memo,
  the domain's data version, today in WITA);
- small UI parts: status badges, breadcrumbs, the "not found" block, the AG Grid theme.
"""

from __future__ import annotations

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from dashboard import i18n
from dashboard.analysis.memo import VersionedMemo
from dashboard.catalogue.periods import WITA
from dashboard.views.indicator import Env
from dashboard.webapp import current_context
from layouts import store_down
from layouts.shell import href

MEMO_KEY = "odsk.analyst_memo"
STATUS_COLOR = {
    "on_track": "success",
    "at_risk": "warning",
    "behind": "danger",
    "no_target": "secondary",
    "no_data": "dark",
}
STATUS_ICON = {
    "on_track": "bi-check-circle-fill",
    "at_risk": "bi-exclamation-triangle-fill",
    "behind": "bi-x-octagon-fill",
    "no_target": "bi-dash-circle",
    "no_data": "bi-question-circle",
}
# AG Grid's JavaScript theming API (no CSS theme from a CDN), in Bootstrap's dark colours.
GRID_THEME = {
    "function": (
        "themeQuartz.withParams({backgroundColor: '#212529', foregroundColor: '#dee2e6', "
        "headerBackgroundColor: '#2b3035', chromeBackgroundColor: '#2b3035', oddRowBackgroundColor: '#25292e', "
        "borderColor: 'rgba(222, 226, 230, 0.16)', accentColor: '#6ea8fe', fontFamily: 'inherit', "
        "fontSize: 14, headerFontWeight: 600, spacing: 6})"
    )
}


def install_memo(app: dash.Dash) -> None:
    """One memo per app (and so per worker); every analyst page shares it.

    Bounded by entries: the largest (a thousand-point view with its table) is about a
    megabyte, most are tens of kilobytes, so a worker keeps well under 100 MB.
    """
    app.server.extensions.setdefault(MEMO_KEY, VersionedMemo(maxsize=160))


def _memo() -> VersionedMemo:
    """The memo of the request's clearance: views cached for one set of readable indicators
    are never served to a principal who may read fewer."""
    memo = flask.current_app.extensions.get(MEMO_KEY)
    if memo is None:
        return VersionedMemo(maxsize=1)
    codes = frozenset(current_context().catalogue.indicators_by_code)
    per_clearance = flask.current_app.extensions.setdefault(MEMO_KEY + ".clearance", {})
    if codes == frozenset(context_catalogue_codes()):
        return memo
    found = per_clearance.get(codes)
    if found is None:
        found = per_clearance[codes] = VersionedMemo(maxsize=40)
    return found


def context_catalogue_codes() -> list[str]:
    from dashboard.runtime import EXTENSION_KEY

    return [i.code for i in flask.current_app.extensions[EXTENSION_KEY].catalogue.indicators]


def env_for(domain: str | None) -> Env:
    """The view environment for one request; the memo key is the domain's data version."""
    context = current_context()
    versions = store_down.read("analyst: data version, not memoising", context.signal.current)
    version = (
        None
        if versions is None
        else versions.get(f"domain:{domain}", versions.get("all", 0))
        if domain
        else versions.get("all", 0)
    )
    today = datetime.now(WITA).date()
    return Env(context.engine, context.catalogue, _memo(), version, today)


def status_badge(status: str, lang: str, **kwargs) -> dbc.Badge:
    return dbc.Badge(
        [html.I(className=f"bi {STATUS_ICON[status]} me-1"), i18n.label(f"status.{status}", lang)],
        color=STATUS_COLOR[status],
        className=f"odsk-status odsk-status-{status}",
        **kwargs,
    )


def breadcrumbs(lang: str, items: list[tuple[str, str | None]]) -> html.Nav:
    """``items``: (text, path or None for the current page)."""
    crumbs = []
    for text, path in items:
        if path is None:
            crumbs.append(
                html.Li(text, className="breadcrumb-item active", **{"aria-current": "page"})
            )
        else:
            crumbs.append(
                html.Li(dcc.Link(text, href=href(path, lang)), className="breadcrumb-item")
            )
    return html.Nav(
        html.Ol(crumbs, className="breadcrumb mb-1 small"), **{"aria-label": "breadcrumb"}
    )


def not_found(lang: str, what: str) -> html.Div:
    return dbc.Alert(
        [
            html.H1(i18n.label("analyst.not_found", lang), className="h4"),
            html.P(what),
            dcc.Link(i18n.label("analyst.back_home", lang), href=href("/", lang)),
        ],
        color="warning",
        className="mt-3 odsk-not-found",
    )


def number_formatter(lang: str, decimals: int) -> dict:
    """An AG Grid valueFormatter in the page's locale (d3-format, inside the grid's own scope)."""
    sep = "decimal: ',', thousands: '.'" if lang == "id" else "decimal: '.', thousands: ','"
    return {
        "function": f"params.value == null ? '' : d3.formatLocale({{{sep}, grouping: [3], "
        f"currency: ['', '']}}).format(',.{decimals}f')(params.value)"
    }
