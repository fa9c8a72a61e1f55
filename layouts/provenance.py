"""``/provenance/<obs_id>``: where one stored value came from.

Which source and which collection run wrote it, when, the archived raw payload that run
parsed (downloadable from ``/analyst/payload/<sha256>``), and every earlier value it had
(revisions), each with its own run and payload. Reads ``dashboard.store.provenance``.
"""

from __future__ import annotations

import logging
import re

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from dashboard import i18n
from dashboard.access import Permission, Rule, audit, current_principal, route
from dashboard.archive import read_payload
from dashboard.store.limits import parse_id
from dashboard.store.provenance import (
    Provenance,
    RunInfo,
    Version,
    payload_record,
    payload_sources,
    provenance,
)
from dashboard.webapp import current_context
from layouts import analyst_parts as parts
from layouts import store_down
from layouts.shell import href, page_shell

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path_template="/provenance/<obs_id>",
    title=lambda obs_id=None: f"#{obs_id} — Command Centre ODSK",
    name="Provenance",
    access=Permission.READ,
)

PAYLOAD_URL = "/analyst/payload/"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_EXTENSION = {
    "application/json": "json",
    "text/csv": "csv",
    "text/xml": "xml",
    "application/xml": "xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def layout(obs_id: str | None = None, **query):
    lang = i18n.language(query.get("lang"))
    path = f"/provenance/{obs_id}"
    record_id = parse_id(obs_id)  # huge or odd ids are unknown ones, never a 500
    if record_id is None:
        return page_shell(
            "domains",
            lang,
            path,
            parts.not_found(lang, i18n.label("analyst.prov.unknown", lang, id=obs_id)),
            query,
        )
    context = current_context()
    try:
        with context.engine.connect() as conn:
            record = provenance(conn, record_id)
    except store_down.Error as exc:
        store_down.noted("provenance page", exc)
        return page_shell("domains", lang, path, store_down.panel(lang, className="mt-3"), query)
    if record is None or record.indicator_code not in context.catalogue.indicators_by_code:
        # An observation of an indicator this reader may not read does not exist for it.
        return page_shell(
            "domains",
            lang,
            path,
            parts.not_found(lang, i18n.label("analyst.prov.unknown", lang, id=obs_id)),
            query,
        )
    return page_shell(
        "domains",
        lang,
        path,
        html.Div(page(record, lang), className="odsk-analyst odsk-provenance"),
        query,
    )


def page(record: Provenance, lang: str) -> list:
    catalogue = current_context().catalogue
    indicator = catalogue.indicators_by_code.get(record.indicator_code)
    region = catalogue.regions_by_code.get(record.region_code)
    name = indicator.name.get(lang) if indicator else record.indicator_code
    unit = indicator.unit.get(lang) if indicator else ""
    decimals = indicator.decimals if indicator else 2
    period = i18n.period(record.period_start, record.grain, lang)
    crumbs = [(name, f"/indicator/{record.indicator_code}"), (f"#{record.observation_id}", None)]
    if indicator:
        crumbs.insert(
            0, (catalogue.domain(indicator.domain).name.get(lang), f"/domain/{indicator.domain}")
        )
    current = record.current
    facts = [
        (
            i18n.label("analyst.col.indicator", lang),
            dcc.Link(
                name,
                href=href(
                    f"/indicator/{record.indicator_code}",
                    lang,
                    grain=record.grain,
                    regions=record.region_code if region and region.kind != "province" else None,
                    period=record.period_start.isoformat(),
                ),
            ),
        ),
        (
            i18n.label("analyst.col.region", lang),
            dcc.Link(region.name, href=href(f"/region/{region.code}", lang))
            if region and region.kind != "province"
            else (region.label(lang) if region else record.region_code),
        ),
        (i18n.label("analyst.col.period", lang), period),
        (
            i18n.label("analyst.col.value", lang),
            html.Strong(f"{i18n.number(current.value, lang, decimals)} {unit}", id="prov-value"),
        ),
        (
            i18n.label("analyst.col.revision", lang),
            html.Span(str(current.revision), id="prov-revision"),
        ),
        (
            i18n.label("analyst.col.source", lang),
            f"{record.source_name or record.source_id} "
            f"({record.source_id}, {record.source_kind or '?'})",
        ),
        (i18n.label("analyst.prov.stored", lang), i18n.wita_datetime(current.ingested_at, lang)),
        (
            i18n.label("analyst.prov.run", lang),
            html.Span(f"#{current.run.id}" if current.run else "—", id="prov-run"),
        ),
    ]
    return [
        parts.breadcrumbs(lang, crumbs),
        html.H1(i18n.label("analyst.prov.title", lang, id=record.observation_id), className="h3"),
        dbc.Card(
            className="odsk-card mb-3",
            body=True,
            children=html.Dl(
                className="row mb-0",
                children=[
                    item
                    for key, value in facts
                    for item in (
                        html.Dt(key, className="col-sm-3 text-body-secondary"),
                        html.Dd(value, className="col-sm-9"),
                    )
                ],
            ),
        ),
        html.H2(i18n.label("analyst.prov.history", lang), className="h5"),
        html.P(
            i18n.label("analyst.prov.history_hint", lang), className="small text-body-secondary"
        ),
        versions_table(record.versions, decimals, lang),
    ]


def versions_table(versions: tuple[Version, ...], decimals: int, lang: str) -> dbc.Table:
    keys = (
        "analyst.col.revision",
        "analyst.col.value",
        "analyst.prov.run",
        "analyst.prov.status",
        "analyst.prov.stored",
        "analyst.prov.replaced",
        "analyst.prov.payload",
    )
    rows = []
    for v in versions:
        rows.append(
            html.Tr(
                className="prov-version" + (" table-active" if v.superseded_at is None else ""),
                id=f"prov-rev-{v.revision}",
                children=[
                    html.Td(f"r{v.revision}"),
                    html.Td(
                        i18n.number(v.value, lang, decimals), className="text-end font-monospace"
                    ),
                    html.Td(run_cell(v.run, lang)),
                    html.Td(i18n.label(f"run.status.{v.run.status}", lang) if v.run else "—"),
                    html.Td(i18n.wita_datetime(v.ingested_at, lang)),
                    html.Td(
                        i18n.wita_datetime(v.superseded_at, lang)
                        if v.superseded_at
                        else i18n.label("analyst.prov.now", lang)
                    ),
                    html.Td(payload_cell(v.run, lang)),
                ],
            )
        )
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(i18n.label(k, lang)) for k in keys])), html.Tbody(rows)],
        size="sm",
        responsive=True,
        className="small align-middle odsk-versions",
    )


def run_cell(run: RunInfo | None, lang: str):
    if run is None:
        return "—"
    when = i18n.wita_datetime(run.started_at, lang)
    detail = i18n.label(
        "analyst.prov.run_detail",
        lang,
        trigger=i18n.LABELS[i18n.language(lang)].get(f"run.trigger.{run.trigger}", run.trigger),
        accepted=run.rows_accepted,
        changed=run.rows_changed,
    )
    children = [
        html.Div(f"#{run.id} · {run.source_id}"),
        html.Div(when, className="text-body-secondary"),
        html.Div(detail, className="text-body-secondary"),
    ]
    if run.replay_of:
        children.append(html.Div(i18n.label("analyst.prov.replay_of", lang, run=run.replay_of)))
    if run.rows_rejected:
        children.append(
            dcc.Link(
                i18n.label("analyst.prov.rejected", lang, n=run.rows_rejected),
                href=href("/ops/sources", lang, run=run.id),
            )
        )
    return children


def payload_cell(run: RunInfo | None, lang: str):
    if run is None or not run.payload_sha256:
        return i18n.label("analyst.prov.no_payload", lang)
    size_bytes = run.payload_size or 0
    size = (
        f"{i18n.number(size_bytes, lang, 0)} B"
        if size_bytes < 1024
        else f"{i18n.number(size_bytes / 1024, lang, 1)} KiB"
    )
    return [
        html.A(
            [html.I(className="bi bi-download me-1"), run.payload_sha256[:12]],
            href=PAYLOAD_URL + run.payload_sha256,
            className="font-monospace prov-payload-link",
            download=f"{run.payload_sha256[:12]}.{_EXTENSION.get(run.payload_type or '', 'bin')}",
        ),
        html.Div(f"{size} · {run.payload_type or '?'}", className="text-body-secondary"),
    ]


def _serve_payload(sha256: str):
    """The archived raw bytes, as an attachment (never rendered inline: it is outside data)."""
    if not _SHA.match(sha256):
        flask.abort(404)
    context = current_context()
    try:
        with context.engine.connect() as conn:
            record = payload_record(conn, sha256)
            sources = payload_sources(conn, sha256)
    except store_down.Error as exc:
        store_down.noted(f"payload {sha256}", exc)
        flask.abort(503)
    if record is None or not _may_download(sources):
        flask.abort(404)
    try:
        content = read_payload(context.settings.payload_dir, sha256)
    except (OSError, ValueError) as exc:
        log.warning("payload %s unreadable: %s", sha256, exc)
        flask.abort(410)
    _, _, content_type = record
    try:
        audit.record_alone(context.engine, "payload.download", sha256, detail=", ".join(sources))
    except store_down.Error as exc:
        store_down.noted(f"payload {sha256}: download not audited, refused", exc)
        flask.abort(503)
    response = flask.Response(content, mimetype=content_type or "application/octet-stream")
    name = f"{sha256[:12]}.{_EXTENSION.get(content_type or '', 'bin')}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


def _may_download(sources: list[str]) -> bool:
    """A raw payload holds every indicator its source feeds: the reader must hold them all
    (and, for an skpd_officer, the source must be of their own SKPD)."""
    from dashboard.runtime import EXTENSION_KEY

    full = flask.current_app.extensions[EXTENSION_KEY].catalogue
    mine = current_context().catalogue.indicators_by_code
    principal = current_principal()
    for source_id in sources:
        try:
            source = full.source(source_id)
        except KeyError:
            return False
        if not principal.can(Permission.PAYLOAD_READ, skpd=source.skpd):
            return False
        if any(code not in mine for code in source.indicators):
            return False
    return bool(sources)


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks: the page is static. Registers the payload download route."""
    route(
        app.server,
        Rule(Permission.PAYLOAD_READ),
        PAYLOAD_URL + "<sha256>",
        "odsk_analyst_payload",
        _serve_payload,
    )
