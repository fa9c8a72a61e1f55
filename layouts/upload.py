"""``/ops/upload``: an SKPD officer uploads a file for a source, sees every row that will be
accepted or rejected and why, then confirms; the upload becomes a recorded run."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_actor, current_principal
from dashboard.access.clearance import scoped_catalogue
from dashboard.access.scopes import source_skpd
from dashboard.runtime import Runtime
from dashboard.views.upload import (
    MAX_UPLOAD_BYTES,
    PREVIEW_ROWS,
    UploadError,
    decode_upload,
    label,
    preview_view,
    store_upload,
)
from dashboard.webapp import current_context
from layouts import titles
from layouts.shell import page_shell

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path="/ops/upload",
    title=titles.title("nav.upload"),
    name="Unggah data",
    access=P.UPLOAD,
)


def _runtime() -> Runtime:
    return current_context()


def _sources():
    """The sources this account may upload for (an skpd_officer: their own SKPDs')."""
    catalogue = scoped_catalogue(current_context().catalogue, current_principal().scope(P.UPLOAD))
    return catalogue.sources


def layout(lang: str | None = None, source: str | None = None, **_query):
    lang = i18n.language(lang)
    options = [{"label": f"{s.name} ({s.id})", "value": s.id} for s in _sources()]
    return page_shell(
        "upload",
        lang,
        "/ops/upload",
        query={"source": source},
        children=[
            html.H1(label("title", lang), className="h3"),
            dcc.Store(id="upload-lang", data=lang),
            dbc.Row(
                className="g-3 mb-3",
                children=[
                    dbc.Col(
                        md=5,
                        children=[
                            dbc.Label(label("source", lang), html_for="upload-source"),
                            dbc.Select(
                                id="upload-source",
                                options=options,
                                value=source if source in {o["value"] for o in options} else None,
                            ),
                        ],
                    ),
                    dbc.Col(
                        md=7,
                        children=dcc.Upload(
                            id="upload-file",
                            max_size=MAX_UPLOAD_BYTES,
                            multiple=False,
                            className="border border-2 border-secondary rounded p-4 text-center text-body-secondary h-100",
                            children=html.Div(label("drop", lang)),
                        ),
                    ),
                ],
            ),
            html.Div(
                id="upload-preview",
                children=html.P(label("choose", lang), className="text-body-secondary"),
            ),
            dbc.Button(
                label("confirm", lang),
                id="upload-confirm",
                color="primary",
                disabled=True,
                className="mt-2",
            ),
            html.Div(id="upload-result", className="mt-3"),
        ],
    )


def _table(rows: list[dict], columns: list[tuple[str, str]], lang: str, table_id: str):
    head = html.Thead(html.Tr([html.Th(label(f"col.{key}", lang)) for key, _ in columns]))
    body = html.Tbody([html.Tr([html.Td(str(row[field])) for _, field in columns]) for row in rows])
    return dbc.Table([head, body], id=table_id, size="sm", striped=True, className="align-middle")


def _checked(contents, filename, source_id):
    """The upload as a payload for one of the sources this account may upload for."""
    if not isinstance(source_id, str) or source_id not in {s.id for s in _sources()}:
        raise UploadError("source")
    return decode_upload(contents, filename if isinstance(filename, str) else None)


def _refusal(exc: UploadError, source_id, lang: str) -> str:
    if str(exc) == "source":
        return i18n.label("input.upload_source", lang, source=str(source_id)[:100])
    key = "error.size" if str(exc) == "size" else "error.decode"
    return label(key, lang, mb=MAX_UPLOAD_BYTES // 2**20)


def register_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.UPLOAD, skpd=source_skpd("upload-source")),
        Output("upload-preview", "children"),
        Output("upload-confirm", "disabled"),
        Output("upload-result", "children"),
        Input("upload-file", "contents"),
        Input("upload-source", "value"),
        State("upload-file", "filename"),
        State("upload-lang", "data"),
    )
    def show_preview(contents, source_id, filename, lang):
        if not contents or not source_id:
            return html.P(label("choose", lang), className="text-body-secondary"), True, ""
        try:
            payload = _checked(contents, filename, source_id)
        except UploadError as exc:
            return dbc.Alert(_refusal(exc, source_id, lang), color="danger"), True, ""
        view = preview_view(_runtime(), source_id, payload, lang)
        if view.error:
            return dbc.Alert(view.error, color="danger", id="upload-error"), True, ""
        rejected = (
            _table(
                view.rejected_rows,
                [("row", "row"), ("column", "column"), ("value", "value"), ("reason", "reason")],
                lang,
                "upload-rejected",
            )
            if view.rejected_rows
            else html.P(label("none", lang), className="text-body-secondary")
        )
        return (
            [
                dbc.Alert(
                    label("summary", lang, accepted=view.accepted, rejected=view.rejected),
                    color="warning" if view.rejected else "success",
                    id="upload-summary",
                ),
                html.H2(label("rejected", lang), className="h5"),
                rejected,
                html.H2(label("accepted", lang, n=PREVIEW_ROWS), className="h5 mt-3"),
                _table(
                    view.sample,
                    [
                        ("row", "row"),
                        ("indicator", "indicator"),
                        ("region", "region"),
                        ("period", "period"),
                        ("value", "value"),
                    ],
                    lang,
                    "upload-accepted",
                ),
            ],
            view.accepted == 0,
            "",
        )

    @callback(
        app,
        Rule(P.UPLOAD, skpd=source_skpd("upload-source")),
        Output("upload-result", "children", allow_duplicate=True),
        Output("upload-confirm", "disabled", allow_duplicate=True),
        Input("upload-confirm", "n_clicks"),
        State("upload-file", "contents"),
        State("upload-file", "filename"),
        State("upload-source", "value"),
        State("upload-lang", "data"),
        prevent_initial_call=True,
    )
    def confirm(clicks, contents, filename, source_id, lang):
        if not clicks or not contents or not source_id:
            raise PreventUpdate
        try:
            payload = _checked(contents, filename, source_id)
        except UploadError as exc:
            return dbc.Alert(_refusal(exc, source_id, lang), color="danger"), True
        try:
            receipt = store_upload(_runtime(), source_id, payload, current_actor())
        except (SQLAlchemyError, OSError) as exc:  # a full disk, a read-only store
            log.warning("upload of %s not stored: %s", source_id, exc)
            return dbc.Alert(i18n.label("input.not_stored", lang), color="danger"), False
        colour = {"ok": "success", "partial": "warning"}.get(receipt.status, "danger")
        return dbc.Alert(
            [
                html.Div(
                    label(
                        "done",
                        lang,
                        run=receipt.run_id,
                        status=receipt.status,
                        accepted=receipt.accepted,
                        rejected=receipt.rejected,
                        changed=receipt.changed,
                    )
                ),
                html.Div(
                    label("receipt", lang, where=f"{receipt.stored_as}.receipt.txt"),
                    className="small",
                ),
            ],
            color=colour,
            id="upload-done",
        ), True
