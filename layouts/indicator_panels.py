"""Components the indicator page's callbacks return: ranking, notes, provenance panel. Registers no page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.analysis import text as fmt
from dashboard.analysis.ranking import Ranked
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.status import indicator_status
from dashboard.store.annotations import Note
from dashboard.store.provenance import Brief
from layouts import analyst_parts as parts
from layouts.shell import href


def ranking_table(
    catalogue: Catalogue,
    indicator: Indicator,
    ranked: Sequence[Ranked],
    values: dict[str, float | None],
    grain: str,
    start: date,
    lang: str,
):
    names = {r.code: r.label(lang) for r in catalogue.regions}
    present = [r.value for r in ranked if r.value is not None]
    province = values.get(catalogue.province.code)
    if not present:
        return html.P(
            i18n.label("analyst.no_data_period", lang, period=fmt.period(start, grain, lang)),
            className="text-body-secondary small",
        )
    by_rate = any(r.per_100k is not None for r in ranked)
    bar = [r.per_100k if by_rate else r.value for r in ranked]  # what was ranked
    top = (
        max(abs(v) for v in bar if v is not None) or 1.0
    )  # the regions' scale (a summed province would dwarf them)
    body = []
    for r, length in zip(ranked, bar):
        shown = "—" if r.value is None else fmt.number(r.value, lang, indicator.decimals)
        if r.per_100k is not None:
            shown = f"{shown} · {fmt.number(r.per_100k, lang, 1)}"
        width = 0 if length is None else max(2.0, abs(length) / top * 100)
        body.append(
            html.Tr(
                className="odsk-rank-row",
                children=[
                    html.Td(r.rank or "—", className="text-end text-body-secondary"),
                    html.Td(
                        dcc.Link(
                            names.get(r.region_code, r.region_code),
                            href=href(f"/region/{r.region_code}", lang),
                            className="odsk-region-link",
                            id={"type": "ind-rank-link", "region": r.region_code},
                        )
                    ),
                    html.Td(
                        html.Div(
                            className="odsk-bar",
                            children=html.Div(
                                className="odsk-bar-fill", style={"width": f"{width:.1f}%"}
                            ),
                        )
                    ),
                    html.Td(shown, className="text-end font-monospace"),
                ],
            )
        )
    caption = i18n.label(
        "analyst.ranking_caption",
        lang,
        period=fmt.period(start, grain, lang),
        order=i18n.label(f"analyst.order.{indicator.direction}", lang),
    )
    if by_rate:
        caption = f"{caption} · {i18n.label('analyst.per_capita', lang)}"
    footer = []
    if province is not None:
        status = (
            indicator_status(indicator, province, start, grain)
            if grain == indicator.grain
            else None
        )
        footer = [
            html.Tr(
                className="odsk-rank-province",
                children=[
                    html.Td(""),
                    html.Td(html.Strong(catalogue.province.name)),
                    html.Td(parts.status_badge(status, lang) if status else ""),
                    html.Td(
                        html.Strong(fmt.number(province, lang, indicator.decimals)),
                        className="text-end font-monospace",
                    ),
                ],
            )
        ]
    return html.Div(
        [
            html.Div(caption, className="small text-body-secondary mb-1"),
            dbc.Table(
                [html.Tbody(body + footer)],
                size="sm",
                borderless=True,
                className="mb-0 odsk-ranking align-middle",
            ),
        ]
    )


def notes_list(notes: Sequence[Note], lang: str):
    if not notes:
        return [html.Li(i18n.label("analyst.annot.none", lang), className="text-body-secondary")]
    return [
        html.Li(
            className="odsk-note",
            children=[
                html.I(className="bi bi-caret-down-fill me-1 odsk-note-mark"),
                html.Span(fmt.period(n.on_date, "day", lang), className="me-2 fw-semibold"),
                html.Span(n.text),
                html.Span(
                    f" — {n.author}"
                    + (
                        "" if n.indicator_code else f" · {i18n.label('analyst.annot.global', lang)}"
                    ),
                    className="text-body-secondary",
                ),
            ],
        )
        for n in reversed(notes)
    ]


def provenance_list(
    catalogue: Catalogue,
    indicator: Indicator,
    region: str,
    grain: str,
    start: date,
    found: Sequence[Brief],
    derived: bool,
    lang: str,
):
    names = {r.code: r.label(lang) for r in catalogue.regions}
    title = f"{names.get(region, region)} · {fmt.period(start, grain, lang)}"
    if not found:
        return [
            html.H3(title, className="h6"),
            html.P(i18n.label("analyst.prov.none", lang), className="small"),
        ]
    intro = i18n.label(
        "analyst.prov.derived" if derived else "analyst.prov.made_of", lang, n=len(found)
    )
    rows = [
        html.Tr(
            [
                html.Td(
                    dcc.Link(
                        f"#{b.id}",
                        href=href(f"/provenance/{b.id}", lang),
                        className="odsk-prov-link",
                    )
                ),
                html.Td(
                    names.get(b.region_code, b.region_code)
                    if derived
                    else fmt.period(b.period_start, indicator.grain, lang)
                ),
                html.Td(
                    fmt.number(b.value, lang, indicator.decimals),
                    className="text-end font-monospace",
                ),
                html.Td(f"r{b.revision}", className="text-end"),
                html.Td(b.source_id),
                html.Td(f"#{b.run_id}" if b.run_id else "—"),
                html.Td(
                    i18n.wita_datetime(b.ingested_at, lang) if b.ingested_at else "—",
                    className="text-body-secondary",
                ),
            ]
        )
        for b in found
    ]
    header = html.Thead(
        html.Tr(
            [
                html.Th(i18n.label(k, lang))
                for k in (
                    "analyst.prov.value_id",
                    "analyst.col.region" if derived else "analyst.col.period",
                    "analyst.col.value",
                    "analyst.col.revision",
                    "analyst.col.source",
                    "analyst.prov.run",
                    "analyst.prov.fetched",
                )
            ]
        )
    )
    return [
        html.H3(title, className="h6"),
        html.P(intro, className="small text-body-secondary mb-1"),
        dbc.Table([header, html.Tbody(rows)], size="sm", className="small mb-0 odsk-prov-table"),
    ]
