"""``/followup``: follow-ups (tindak lanjut) — the list with filters and an Excel export,
the form that opens one from an exception, and an item's detail where the SKPD answers
and the governor's office closes or reopens it.

State lives in the URL: ``?skpd=dinkes&status=pending&overdue=1`` (the list),
``?id=12`` (an item), ``?kind=behind&subject=LIV.STUNTING`` (the form that opens one, as
the scorecard's "Tindak lanjut" action links it). An SKPD officer sees only their SKPDs'
items; every write checks the permission for the item's SKPD and is audited.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, audit, callback, current_principal, route
from dashboard.store.engine import begin_write
from dashboard.store.followups import (
    PRIORITIES,
    Attachment,
    FollowupError,
    FollowupRecord,
    answer,
    close,
    get_followup,
    list_followups,
    open_followup,
    read_attachment,
    reopen,
    save_attachment,
)
from dashboard.store.schema import utcnow
from dashboard.views.followup import (
    DetailView,
    FollowupRow,
    NewForm,
    attachment_limit,
    decode_attachment,
    detail_view,
    error_text,
    filters,
    label,
    new_form,
    parse_due,
    select_rows,
    workbook,
    workbook_name,
)
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import as_cards, href, page_shell

dash.register_page(
    __name__,
    path="/followup",
    title=titles.title("nav.followup"),
    name="Tindak lanjut",
    access=P.FOLLOWUP_READ,
)

ALL = "all"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_BADGE = {
    "open": "primary",
    "in_progress": "info",
    "done": "success",
    "declined": "warning",
    "closed": "secondary",
}


def _scope() -> frozenset[str] | None:
    return current_principal().scope(P.FOLLOWUP_READ)


def _records() -> list[FollowupRecord]:
    with current_context().engine.connect() as conn:
        return list_followups(conn, skpds=_scope())


def _item(item_id: int) -> FollowupRecord | None:
    """The item when the reader may see it (an officer: their SKPDs' only)."""
    with current_context().engine.connect() as conn:
        found = get_followup(conn, item_id)
    scope = _scope()
    if found is None or (scope is not None and found.skpd_id not in scope):
        return None
    return found


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def layout(
    lang: str | None = None,
    skpd: str | None = None,
    status: str | None = None,
    overdue: str | None = None,
    id: str | None = None,
    kind: str | None = None,
    subject: str | None = None,
    region: str | None = None,
    alert: str | None = None,
    **_query,
):
    lang = i18n.language(lang)
    context, principal, now = current_context(), current_principal(), utcnow()
    catalogue = context.catalogue
    f = filters(catalogue, lang, skpd, status, overdue == "1", _scope())
    query = {"skpd": f.skpd, "status": f.status, "overdue": "1" if f.overdue else None}
    body: list = []
    try:
        records = _records()
        item_id = _int(id)
        item = _item(item_id) if item_id is not None else None
    except store_down.Error as exc:
        store_down.noted("followup", exc)
        records, item_id, item = [], None, None
        body.append(store_down.panel(lang))
    form = (
        new_form(
            catalogue,
            now,
            lang,
            kind=kind,
            subject=subject,
            region=region,
            alert_id=_int(alert),
            skpd=skpd,
        )
        if principal.can(P.FOLLOWUP_MANAGE)
        else None
    )
    if form is not None:
        body.append(_new_card(form, catalogue_skpds(), lang))
    if item_id is not None:
        if item is None:
            body.append(dbc.Alert(label("error.not_found", lang, id=item_id), color="warning"))
        else:
            detail = detail_view(
                item,
                catalogue,
                now,
                lang,
                can_answer=principal.can(P.FOLLOWUP_ANSWER, skpd=item.skpd_id),
                can_manage=principal.can(P.FOLLOWUP_MANAGE),
            )
            body.append(_detail_card(detail, lang, query))
    rows = select_rows(
        records, catalogue, now, lang, skpd=f.skpd, status=f.status, overdue=f.overdue
    )
    body += [_filters(f, lang, query), _table(rows, lang)]
    full_query = {**query, "id": id, "kind": kind, "subject": subject}
    return page_shell(
        "followup",
        lang,
        "/followup",
        [
            dcc.Location(id="fu-location", refresh="callback-nav"),
            dcc.Store(id="fu-state", data={"lang": lang, "query": query}),
            html.Div(
                className="odsk-followup",
                lang=lang,
                children=[
                    html.H1(label("title", lang), className="h3 mb-1"),
                    html.P(label("intro", lang), className="text-body-secondary"),
                    html.Div(id="fu-feedback", role="status"),
                    *body,
                ],
            ),
        ],
        query={k: v for k, v in full_query.items() if v},
    )


def catalogue_skpds() -> list[tuple[str, str]]:
    return [(s.id, s.short_name) for s in current_context().catalogue.skpd]


def _field(label_text: str, control, control_id: str) -> html.Div:
    return html.Div(
        [dbc.Label(label_text, html_for=control_id, className="small mb-0"), control],
        className="mb-2",
    )


def _new_card(form: NewForm, skpds: list[tuple[str, str]], lang: str) -> dbc.Card:
    return dbc.Card(
        id="fu-new",
        className="mb-3 fu-card",
        children=[
            dbc.CardHeader(
                [html.I(className="bi bi-clipboard-plus me-2"), label("open.title", lang)]
            ),
            dbc.CardBody(
                [
                    dcc.Store(
                        id="fu-new-data",
                        data={
                            "kind": form.kind,
                            "subject_kind": form.subject_kind,
                            "subject": form.subject,
                            "region": form.region,
                            "alert": form.alert_id,
                        },
                    ),
                    html.P(
                        [
                            html.Strong(f"{label('open.exception', lang)}: "),
                            f"{form.kind_label} — {form.subject_name}",
                        ],
                        id="fu-new-exception",
                    ),
                    dbc.Row(
                        [
                            dbc.Col(
                                _field(
                                    label("open.skpd", lang),
                                    dbc.Select(
                                        id="fu-new-skpd",
                                        options=[{"label": n, "value": i} for i, n in skpds],
                                        value=form.skpd,
                                    ),
                                    "fu-new-skpd",
                                ),
                                md=4,
                            ),
                            dbc.Col(
                                _field(
                                    label("open.due", lang),
                                    dbc.Input(id="fu-new-due", type="date", value=form.due),
                                    "fu-new-due",
                                ),
                                md=4,
                            ),
                            dbc.Col(
                                _field(
                                    label("open.priority", lang),
                                    dbc.Select(
                                        id="fu-new-priority",
                                        options=[
                                            {"label": label(f"priority.{p}", lang), "value": p}
                                            for p in PRIORITIES
                                        ],
                                        value="normal",
                                    ),
                                    "fu-new-priority",
                                ),
                                md=4,
                            ),
                        ]
                    ),
                    _field(
                        label("open.request", lang),
                        dbc.Textarea(
                            id="fu-new-request", value=form.request, rows=3, maxLength=2000
                        ),
                        "fu-new-request",
                    ),
                    html.Div(
                        [
                            dbc.Button(
                                label("open.submit", lang), id="fu-new-submit", color="primary"
                            ),
                            dbc.Button(
                                label("open.cancel", lang),
                                href=href("/followup", lang),
                                color="link",
                                id="fu-new-cancel",
                            ),
                        ],
                        className="d-flex gap-2 flex-wrap",
                    ),
                ]
            ),
        ],
    )


def _status_badge(row: FollowupRow, lang: str) -> html.Span:
    return html.Span(
        [
            dbc.Badge(row.status_label, color=STATUS_BADGE[row.status], className="me-1"),
            dbc.Badge(label("overdue", lang), color="danger", className="fu-overdue me-1")
            if row.overdue
            else None,
            html.Small(row.back_on_target, className="d-block text-success fu-back")
            if row.back_on_target
            else None,
        ]
    )


def _detail_card(d: DetailView, lang: str, query: dict) -> dbc.Card:
    r = d.row
    facts = [
        (label("col.skpd", lang), r.skpd_name),
        (label("col.exception", lang), f"{r.kind_label} — {r.subject_name}"),
        (label("col.request", lang), r.request),
        (label("col.priority", lang), r.priority_label),
        (label("col.due", lang), r.due),
        (label("col.age", lang), f"{r.opened} ({r.age}) · {r.opened_by}"),
    ]
    steps = html.Ol(
        [
            html.Li(
                [
                    html.Small(s.when, className="text-body-secondary d-block"),
                    s.text,
                    html.Div(s.note, className="fu-step-note") if s.note else None,
                    html.A(
                        s.attachment,
                        href=f"/followup/attachment/{r.id}/{s.attachment_sha}",
                        className="odsk-target",
                    )
                    if s.attachment
                    else None,
                ],
                className="mb-2",
            )
            for s in d.steps
        ],
        className="fu-steps",
    )
    forms = []
    if d.can_answer:
        forms.append(
            html.Div(
                id="fu-answer",
                className="fu-form mt-3",
                children=[
                    html.H2(label("answer.title", lang), className="h6"),
                    dbc.Label(label("answer.status", lang), html_for="fu-answer-status"),
                    dbc.Select(
                        id="fu-answer-status",
                        options=[{"label": t, "value": s} for s, t in d.answers],
                        value="in_progress",
                    ),
                    dbc.Label(
                        label("answer.note", lang), html_for="fu-answer-note", className="mt-2"
                    ),
                    dbc.Textarea(id="fu-answer-note", rows=3, maxLength=2000),
                    html.Div(
                        label("answer.attachment", lang, limit=attachment_limit(lang)),
                        className="small mt-2",
                    ),
                    dcc.Upload(
                        id="fu-answer-file",
                        multiple=False,
                        className="fu-upload border border-2 border-secondary rounded p-3 "
                        "text-center text-body-secondary",
                        children=html.Div(
                            label("answer.attachment.pick", lang), id="fu-answer-file-name"
                        ),
                    ),
                    dbc.Button(
                        label("answer.submit", lang),
                        id="fu-answer-submit",
                        color="primary",
                        className="mt-2",
                    ),
                ],
            )
        )
    if d.can_close or d.can_reopen:
        forms.append(
            html.Div(
                id="fu-office",
                className="fu-form mt-3",
                children=[
                    html.H2(label("office.title", lang), className="h6"),
                    dbc.Label(label("office.note", lang), html_for="fu-office-note"),
                    dbc.Textarea(id="fu-office-note", rows=2, maxLength=2000),
                    html.Div(
                        [
                            dbc.Button(label("office.close", lang), id="fu-close", color="success")
                            if d.can_close
                            else None,
                            dbc.Button(
                                label("office.reopen", lang), id="fu-reopen", color="warning"
                            )
                            if d.can_reopen
                            else None,
                        ],
                        className="d-flex gap-2 mt-2",
                    ),
                ],
            )
        )
    card = dbc.Card(
        className="mb-3 fu-card",
        children=[
            dbc.CardHeader(
                html.Div(
                    [
                        html.Strong(label("detail.title", lang, id=r.id), className="me-2"),
                        _status_badge(r, lang),
                        html.A(
                            label("detail.back", lang),
                            href=href("/followup", lang, **query),
                            className="ms-auto small odsk-target",
                        ),
                    ],
                    className="d-flex flex-wrap align-items-center gap-2",
                )
            ),
            dbc.CardBody(
                [
                    dcc.Store(id="fu-item", data={"id": r.id}),
                    html.Dl(
                        [x for k, v in facts for x in (html.Dt(k), html.Dd(v))],
                        className="fu-facts",
                    ),
                    html.H2(label("steps", lang), className="h6"),
                    steps,
                    *forms,
                ]
            ),
        ],
    )
    return html.Div(card, id="fu-detail", **{"data-id": str(r.id), "data-status": r.status})


def _filters(f, lang: str, query: dict) -> html.Div:
    return html.Div(
        className="fu-filters d-flex flex-wrap align-items-end gap-3 mb-2",
        children=[
            _field(
                label("filter.skpd", lang),
                dbc.Select(
                    id="fu-skpd",
                    options=[{"label": label("filter.all_skpd", lang), "value": ALL}]
                    + [{"label": n, "value": i} for i, n in f.skpds],
                    value=f.skpd or ALL,
                    size="sm",
                ),
                "fu-skpd",
            ),
            _field(
                label("filter.status", lang),
                dbc.Select(
                    id="fu-status",
                    options=[{"label": label("filter.all_status", lang), "value": ALL}]
                    + [{"label": n, "value": s} for s, n in f.statuses],
                    value=f.status or ALL,
                    size="sm",
                ),
                "fu-status",
            ),
            dbc.Checkbox(
                id="fu-overdue",
                label=label("filter.overdue", lang),
                value=f.overdue,
                className="mb-2 fu-check",
            ),
            dbc.Button(
                [html.I(className="bi bi-file-earmark-spreadsheet me-1"), label("export", lang)],
                href=href("/followup/export.xlsx", lang, **query),
                external_link=True,
                color="light",
                outline=True,
                size="sm",
                id="fu-export",
                className="mb-2",
            ),
        ],
    )


def _table(rows: list[FollowupRow], lang: str):
    overdue = sum(r.overdue for r in rows)
    count = html.P(
        label("count", lang, n=len(rows), overdue=overdue), className="small", id="fu-count"
    )
    if not rows:
        hint = html.P(label("none.hint", lang), className="small text-body-secondary")
        return html.Div([count, html.P(label("none", lang), className="text-body-secondary"), hint])
    heads = [
        "col.id",
        "col.skpd",
        "col.exception",
        "col.request",
        "col.due",
        "col.status",
        "col.age",
    ]
    body = html.Tbody(
        [
            html.Tr(
                className="fu-row" + (" fu-row-overdue" if r.overdue else ""),
                **{"data-id": str(r.id), "data-skpd": r.skpd},
                children=[
                    html.Td(
                        html.A(
                            f"#{r.id}", href=f"?id={r.id}" + ("&lang=en" if lang == "en" else "")
                        )
                    ),
                    html.Td(html.Span(r.skpd_name, className="sc-owner")),
                    html.Td(
                        [
                            html.Div(r.subject_name),
                            html.Small(r.kind_label, className="text-body-secondary"),
                        ]
                    ),
                    html.Td(r.request, className="fu-request"),
                    html.Td(
                        [
                            html.Div(r.due),
                            html.Small(r.priority_label, className="text-body-secondary"),
                        ]
                    ),
                    html.Td(_status_badge(r, lang)),
                    html.Td(r.age),
                ],
            )
            for r in rows
        ]
    )
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th(label(k, lang)) for k in heads])), body],
        size="sm",
        hover=True,
        responsive=True,
        className="fu-table align-middle",
        id="fu-table",
    )
    return html.Div([count, as_cards(table, [label(k, lang) for k in heads])])


# --- writes ---------------------------------------------------------------------------


def _fail(error: Exception, lang: str, what: str):
    """A refused request says why; a store that is down says so (and is logged)."""
    if not isinstance(error, FollowupError):
        store_down.noted(what, error)
        return store_down.panel(lang), dash.no_update
    return dbc.Alert(error_text(error, lang), color="danger", className="fu-error"), dash.no_update


def _done(message: str, search: str):
    return dbc.Alert(message, color="success"), search


def _search(lang: str, **params) -> str:
    return href("", lang, **params)


def _principal_item(item_id: int, permission: P) -> FollowupRecord:
    item = _item(item_id)
    if item is None:
        raise FollowupError("not_found", id=item_id)
    if not current_principal().can(permission, skpd=item.skpd_id):
        raise FollowupError("forbidden")
    return item


def register_callbacks(app: dash.Dash) -> None:
    server = app.server
    route(server, Rule(P.FOLLOWUP_READ), "/followup/export.xlsx", "odsk_followup_xlsx", _export)
    route(
        server,
        Rule(P.FOLLOWUP_READ),
        "/followup/attachment/<int:item_id>/<sha>",
        "odsk_followup_attachment",
        _attachment,
    )

    @callback(
        app,
        Rule(P.FOLLOWUP_READ),
        Output("fu-location", "search", allow_duplicate=True),
        Input("fu-skpd", "value"),
        Input("fu-status", "value"),
        Input("fu-overdue", "value"),
        State("fu-state", "data"),
        prevent_initial_call=True,
    )
    def filter_changed(skpd, status, overdue, state):
        state = state or {}
        lang = state.get("lang", "id")
        query = {
            "skpd": skpd if skpd and skpd != ALL else None,
            "status": status if status and status != ALL else None,
            "overdue": "1" if overdue else None,
        }
        if query == {k: (state.get("query") or {}).get(k) for k in query}:
            raise PreventUpdate
        return _search(lang, **query)

    @callback(
        app,
        Rule(P.FOLLOWUP_READ, on={"fu-new-submit": P.FOLLOWUP_MANAGE}),
        Output("fu-feedback", "children", allow_duplicate=True),
        Output("fu-location", "search", allow_duplicate=True),
        Input("fu-new-submit", "n_clicks"),
        State("fu-new-data", "data"),
        State("fu-new-skpd", "value"),
        State("fu-new-request", "value"),
        State("fu-new-due", "value"),
        State("fu-new-priority", "value"),
        State("fu-state", "data"),
        prevent_initial_call=True,
    )
    def open_item(n_clicks, data, skpd, request, due, priority, state):
        if not n_clicks or not data:
            raise PreventUpdate
        lang = (state or {}).get("lang", "id")
        catalogue = current_context().catalogue
        try:
            if skpd not in {s.id for s in catalogue.skpd}:
                raise FollowupError("unknown_skpd", value=str(skpd)[:50])
            known = (
                catalogue.indicators_by_code
                if data.get("subject_kind") == "indicator"
                else {s.id for s in catalogue.sources}
            )
            if data.get("subject") not in known:
                raise FollowupError("bad_subject", value=str(data.get("subject"))[:100])
            now = utcnow()
            actor = current_principal().label
            with begin_write(current_context().engine) as conn:
                new_id = open_followup(
                    conn,
                    kind=str(data.get("kind")),
                    subject_kind=str(data.get("subject_kind")),
                    subject=str(data.get("subject")),
                    skpd_id=skpd,
                    request=request or "",
                    due_on=parse_due(due),
                    priority=str(priority),
                    actor=actor,
                    now=now,
                    region_code=data.get("region"),
                    alert_id=data.get("alert") if isinstance(data.get("alert"), int) else None,
                )
                audit.record(
                    conn,
                    "followup.open",
                    f"followup:{new_id}",
                    after={
                        "kind": data.get("kind"),
                        "subject": data.get("subject"),
                        "skpd": skpd,
                        "due": due,
                        "priority": priority,
                    },
                )
        except (FollowupError, store_down.Error) as exc:
            return _fail(exc, lang, "followup open")
        return _done(label("open.done", lang, id=new_id), _search(lang, id=new_id))

    @callback(
        app,
        Rule(P.FOLLOWUP_READ, on={"fu-answer-submit": P.FOLLOWUP_ANSWER}),
        Output("fu-feedback", "children", allow_duplicate=True),
        Output("fu-location", "search", allow_duplicate=True),
        Input("fu-answer-submit", "n_clicks"),
        State("fu-item", "data"),
        State("fu-answer-status", "value"),
        State("fu-answer-note", "value"),
        State("fu-answer-file", "contents"),
        State("fu-answer-file", "filename"),
        State("fu-state", "data"),
        prevent_initial_call=True,
    )
    def answer_item(n_clicks, item, status, note, contents, filename, state):
        if not n_clicks or not item:
            raise PreventUpdate
        lang = (state or {}).get("lang", "id")
        item_id = int(item.get("id") or 0)
        try:
            _principal_item(item_id, P.FOLLOWUP_ANSWER)
            attachment = None
            if contents:
                name, raw = decode_attachment(contents, filename)
                sha, size = save_attachment(
                    current_context().settings.followup_dir, Attachment(name, raw)
                )
                attachment = (name, sha, size)
            with begin_write(current_context().engine) as conn:
                before = get_followup(conn, item_id, with_steps=False)
                after = answer(
                    conn,
                    item_id,
                    str(status),
                    actor=current_principal().label,
                    now=utcnow(),
                    note=note,
                    attachment=attachment,
                )
                audit.record(
                    conn,
                    "followup.answer",
                    f"followup:{item_id}",
                    before={"status": before.status if before else None},
                    after={
                        "status": after.status,
                        "attachment": attachment[0] if attachment else None,
                    },
                )
        except (FollowupError, store_down.Error) as exc:
            return _fail(exc, lang, "followup answer")
        return _done(label("answer.done", lang), _search(lang, id=item_id))

    @callback(
        app,
        Rule(P.FOLLOWUP_READ, on={"fu-close": P.FOLLOWUP_MANAGE, "fu-reopen": P.FOLLOWUP_MANAGE}),
        Output("fu-feedback", "children", allow_duplicate=True),
        Output("fu-location", "search", allow_duplicate=True),
        Input("fu-close", "n_clicks"),
        Input("fu-reopen", "n_clicks"),
        State("fu-item", "data"),
        State("fu-office-note", "value"),
        State("fu-state", "data"),
        prevent_initial_call=True,
    )
    def close_or_reopen(close_clicks, reopen_clicks, item, note, state):
        trigger = dash.ctx.triggered_id
        if trigger not in ("fu-close", "fu-reopen") or not item:
            raise PreventUpdate
        if not (close_clicks if trigger == "fu-close" else reopen_clicks):
            raise PreventUpdate
        lang = (state or {}).get("lang", "id")
        item_id = int(item.get("id") or 0)
        step = close if trigger == "fu-close" else reopen
        try:
            before = _principal_item(item_id, P.FOLLOWUP_MANAGE)
            with begin_write(current_context().engine) as conn:
                after = step(
                    conn, item_id, actor=current_principal().label, now=utcnow(), note=note
                )
                audit.record(
                    conn,
                    "followup.close" if trigger == "fu-close" else "followup.reopen",
                    f"followup:{item_id}",
                    before={"status": before.status},
                    after={"status": after.status},
                )
        except (FollowupError, store_down.Error) as exc:
            return _fail(exc, lang, f"followup {trigger}")
        key = "office.closed" if trigger == "fu-close" else "office.reopened"
        return _done(label(key, lang, id=item_id), _search(lang, id=item_id))

    @callback(
        app,
        Rule(P.FOLLOWUP_READ),
        Output("fu-answer-file-name", "children"),
        Input("fu-answer-file", "filename"),
        State("fu-state", "data"),
        prevent_initial_call=True,
    )
    def show_file_name(filename, state):
        if not filename:
            raise PreventUpdate
        return str(filename)[:200]


def _export():
    args = flask.request.args
    lang = i18n.language(args.get("lang"))
    context, now = current_context(), utcnow()
    f = filters(
        context.catalogue,
        lang,
        args.get("skpd"),
        args.get("status"),
        args.get("overdue") == "1",
        _scope(),
    )
    try:
        rows = select_rows(
            _records(),
            context.catalogue,
            now,
            lang,
            skpd=f.skpd,
            status=f.status,
            overdue=f.overdue,
        )
        name = workbook_name(now, lang)
        audit.record_alone(context.engine, "export.followup.xlsx", name)
    except store_down.Error as exc:
        store_down.noted("followup export", exc)
        return store_down.response(lang)
    response = flask.Response(workbook(rows, lang, now), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(item_id: int, sha: str):
    item = _item(item_id)
    step = next((s for s in item.steps if s.attachment_sha256 == sha), None) if item else None
    if step is None:
        flask.abort(404)
    content = read_attachment(current_context().settings.followup_dir, sha)
    if content is None:
        flask.abort(404)
    response = flask.Response(content, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{(step.attachment_name or "lampiran").replace(chr(34), "")}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
