"""``/region/<code>``: every indicator of one kab/kota against the province and the other kab/kota.

Per indicator, at the region's latest period: its value, the province's, its rank among
the 15, the spread, and a strip placing it among the others (right is better, whatever
the indicator's direction). Reads prepared data from ``dashboard.views.region``; no callbacks.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.access import Permission
from dashboard.analysis.cartogram import tile_label
from dashboard.views.region import Line, RegionView, load_region
from dashboard.webapp import current_context
from layouts import analyst_parts as parts
from layouts import store_down, titles
from layouts.shell import href, page_shell


def region_title(lang: str, code: str | None) -> str | None:
    region = current_context().catalogue.regions_by_code.get(code or "")
    return region.label(lang) if region else None


dash.register_page(
    __name__,
    path_template="/region/<code>",
    title=titles.title_of(region_title, "nav.overview"),
    name="Wilayah",
    access=Permission.READ,
)


def layout(code: str | None = None, **query):
    lang = i18n.language(query.get("lang"))
    catalogue = current_context().catalogue
    region = catalogue.regions_by_code.get(code or "")
    path = f"/region/{code}"
    if region is None or region.kind == "province":
        return page_shell(
            "domains",
            lang,
            path,
            parts.not_found(lang, i18n.label("analyst.unknown_region", lang, code=code)),
            query,
        )
    env = parts.env_for(None)
    try:
        # The body depends on the data and the language only: built once per data version.
        body = env.memo.get(
            env.version,
            ("region-page", region.code, lang),
            lambda: _body(load_region(env, region.code, lang), lang),
        )
    except store_down.Error as exc:
        store_down.noted("region page", exc)
        body = store_down.panel(lang, className="mt-3")
    return page_shell("domains", lang, path, body, query)


def _body(view: RegionView, lang: str) -> html.Div:
    catalogue = current_context().catalogue
    return html.Div(
        className="odsk-analyst odsk-region",
        children=[
            parts.breadcrumbs(lang, [(catalogue.province.label(lang), None), (view.name, None)]),
            html.H1(view.name, className="h3 mb-0", id="region-title"),
            html.P(
                i18n.label(
                    "analyst.region.sub",
                    lang,
                    kind=i18n.label(f"analyst.kind.{view.kind}", lang),
                    population=view.population,
                ),
                className="text-body-secondary mb-2",
            ),
            region_nav(view.code, lang),
            html.P(i18n.label("analyst.region.how", lang), className="small text-body-secondary"),
            *[block(b.name, b.lines, view.code, lang) for b in view.blocks],
            html.P(
                i18n.label("analyst.region.missing", lang, n=view.missing),
                className="small text-body-secondary",
            )
            if view.missing
            else None,
        ],
    )


def region_nav(active: str, lang: str) -> html.Div:
    regions = [r for r in current_context().catalogue.regions if r.kind != "province"]
    return html.Div(
        className="mb-3 d-flex flex-wrap gap-1 odsk-region-nav",
        children=[
            dcc.Link(
                tile_label(r),
                href=href(f"/region/{r.code}", lang),
                className="btn btn-sm "
                + ("btn-info" if r.code == active else "btn-outline-secondary"),
            )
            for r in regions
        ],
    )


def block(title: str, lines: tuple[Line, ...], region: str, lang: str) -> html.Section:
    position = html.Div(
        [
            html.Span(["← ", i18n.label("analyst.worse", lang)]),
            html.Span([i18n.label("analyst.better", lang), " →"]),
        ],
        className="d-flex justify-content-between fw-normal small text-body-secondary odsk-strip-scale",
    )
    header = html.Thead(
        html.Tr(
            [
                html.Th(i18n.label(k, lang), className=c)
                for k, c in (
                    ("analyst.col.indicator", ""),
                    ("analyst.col.period", ""),
                    ("analyst.col.value", "text-end"),
                    ("analyst.col.province", "text-end"),
                    ("analyst.col.rank", "text-end"),
                )
            ]
            + [
                html.Th(
                    [i18n.label("analyst.col.position", lang), position], className="odsk-strip-col"
                ),
                html.Th(i18n.label("analyst.col.vs_province", lang)),
            ]
        )
    )
    return html.Section(
        className="mb-4",
        children=[
            html.H2(title, className="h5"),
            dbc.Table(
                [header, html.Tbody([row(line, region, lang) for line in lines])],
                size="sm",
                hover=True,
                responsive=True,
                className="align-middle odsk-region-table",
            ),
        ],
    )


def row(line: Line, region: str, lang: str) -> html.Tr:
    # Cell alignment and weight come from the table's CSS (column by column), not per cell.
    return html.Tr(
        [
            html.Td(
                dcc.Link(line.name, href=href(f"/indicator/{line.code}", lang, regions=region))
            ),
            html.Td(line.period),
            html.Td(f"{line.value} {line.unit}"),
            html.Td(line.province or "—"),
            html.Td(f"{line.rank}/{line.of}" if line.rank else "—"),
            html.Td(html.Img(src=line.strip, alt=line.spread, title=line.spread)),
            html.Td(
                i18n.label(f"analyst.vs.{line.better}", lang) if line.better else "",
                className=f"odsk-vs-{line.better}" if line.better else None,
            ),
        ],
        id=f"region-line-{line.code}",
    )


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks (the page is static); shares the analyst memo."""
    parts.install_memo(app)
