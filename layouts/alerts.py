"""``/alerts``: active and recent alerts, acknowledging with a note, silencing a rule for a
while (and lifting it), the shift log (``?lang=en``).

Reads only prepared data (``dashboard.views.alerts``); refreshes every 30 s.
"""

from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import i18n
from dashboard.access import Permission as P
from dashboard.access import Rule, callback, current_actor, current_principal
from dashboard.alerts.lifecycle import acknowledge, alert_by_id
from dashboard.alerts.shiftlog import add_note
from dashboard.alerts.silences import add_silence, lift_silence
from dashboard.store import limits
from dashboard.store.schema import utcnow
from dashboard.views.alerts import AlertRow, AlertsPage, label, load_alerts_page
from dashboard.webapp import current_context
from layouts import store_down, titles
from layouts.shell import as_cards, href, page_shell

dash.register_page(
    __name__, path="/alerts", title=titles.title("nav.alerts"), name="Peringatan", access=P.READ
)

REFRESH_SECONDS = 30
BADGE = {"critical": "danger", "warning": "warning", "info": "info"}
SILENCE_HOURS = (1, 4, 12, 24, 72)


def _load(lang: str) -> AlertsPage | None:
    context = current_context()
    return store_down.read(
        "alerts page", lambda: load_alerts_page(context.engine, utcnow(), lang, context.catalogue)
    )


def layout(lang: str | None = None, **_query):
    lang = i18n.language(lang)
    page = _load(lang)
    return page_shell(
        "alerts",
        lang,
        "/alerts",
        html.Div(
            className="odsk-alerts",
            children=[
                html.H1(label("title", lang), className="h3"),
                html.P(
                    page.counts if page else "", id="alerts-counts", className="text-body-secondary"
                ),
                html.Div(None if page else store_down.panel(lang), id="alerts-feedback"),
                dcc.Store(id="alerts-lang", data=lang),
                dcc.Store(id="alerts-ack-target"),
                dcc.Store(id="alerts-silence-target"),
                dcc.Interval(id="alerts-tick", interval=REFRESH_SECONDS * 1000),
                html.H2(label("active", lang), className="h5 mt-3"),
                html.Div(active_table(page, lang), id="alerts-active"),
                html.H2(label("silence.active", lang), className="h5 mt-4"),
                html.Div(silence_table(page, lang), id="alerts-silences"),
                html.H2(label("recent", lang), className="h5 mt-4"),
                html.Div(recent_table(page, lang), id="alerts-recent"),
                html.H2(label("shift.title", lang), className="h5 mt-4"),
                shift_form(lang),
                html.Div(shift_list(page, lang), id="alerts-shiftlog"),
                ack_modal(lang),
                silence_modal(lang),
            ],
        ),
    )


def _badge(row: AlertRow) -> dbc.Badge:
    return dbc.Badge(
        row.severity_label, color=BADGE.get(row.severity, "secondary"), className="text-uppercase"
    )


def _followup_link(row: AlertRow, lang: str):
    """The governor's office opens a follow-up on what the alert is about (its owner's)."""
    subject = row.subject
    if not row.owner or not current_principal().can(P.FOLLOWUP_MANAGE):
        return None
    if "@" in subject:
        code, region = subject.split("@", 1)
        query = {"kind": "alert", "subject": code, "region": region, "alert": row.id}
    elif subject.startswith("source:"):
        query = {"kind": "alert", "subject": subject, "alert": row.id}
    else:
        return None
    return html.A(
        [html.I(className="bi bi-clipboard-plus me-1"), label("followup", lang)],
        href=href("/followup", lang, **query),
        className="alerts-followup small odsk-target me-2",
    )


def _title_cell(row: AlertRow, lang: str) -> html.Td:
    return html.Td(
        [
            html.Div(
                [
                    row.title,
                    html.Span(row.owner, className="alerts-owner badge text-bg-secondary ms-2")
                    if row.owner
                    else None,
                ]
            ),
            _followup_link(row, lang),
            # The rule and subject are configuration keys: kept for tools, not shown.
            html.Small(
                f"#{row.id}",
                className="text-body-secondary",
                **{"data-rule": row.rule, "data-subject": row.subject},
            ),
        ]
    )


def active_table(page: AlertsPage | None, lang: str):
    if page is None or not page.active:
        return html.P(
            label("none_active", lang), className="text-body-secondary", id="alerts-none-active"
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(label(k, lang))
                for k in ("col.severity", "col.alert", "col.since", "col.state", "col.ack")
            ]
            + [html.Th(html.Span(label("col.actions", lang), className="visually-hidden"))]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                className=f"alerts-table-row severity-{row.severity}",
                children=[
                    html.Td(_badge(row)),
                    _title_cell(row, lang),
                    html.Td(
                        [
                            html.Div(row.fired_age),
                            html.Small(row.fired, className="text-body-secondary"),
                        ]
                    ),
                    html.Td(
                        [
                            html.Div(row.state_label),
                            html.Small(
                                [html.I(className="bi bi-bell-slash me-1"), row.silenced],
                                className="alerts-silenced d-block text-body-secondary",
                            )
                            if row.silenced
                            else None,
                            html.Small(
                                [html.I(className="bi bi-arrow-down-circle me-1"), row.clearing],
                                className="alerts-clearing d-block text-body-secondary",
                            )
                            if row.clearing
                            else None,
                        ]
                    ),
                    html.Td(row.acknowledgement),
                    html.Td(
                        html.Div(
                            className="d-flex gap-1 justify-content-end",
                            children=[
                                dbc.Button(
                                    label("ack.button", lang),
                                    id={"type": "alert-ack-open", "alert": row.id},
                                    size="sm",
                                    color="primary",
                                    outline=True,
                                )
                                if row.can_acknowledge
                                else None,
                                dbc.Button(
                                    label("silence.button", lang),
                                    id={"type": "alert-silence-open", "alert": row.id},
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                )
                                if not row.silenced
                                else None,
                            ],
                        )
                    ),
                ],
            )
            for row in page.active
        ]
    )
    keys = ("col.severity", "col.alert", "col.since", "col.state", "col.ack")
    return as_cards(
        dbc.Table([header, body], hover=True, size="sm", responsive=True, className="align-middle"),
        [label(k, lang) for k in keys],
    )


def silence_table(page: AlertsPage | None, lang: str):
    if page is None or not page.silences:
        return html.P(label("silence.none", lang), className="text-body-secondary")
    header = html.Thead(
        html.Tr(
            [html.Th("#")]
            + [
                html.Th(label(k, lang))
                for k in ("silence.col.scope", "silence.col.until", "silence.col.why")
            ]
            + [html.Th(html.Span(label("col.actions", lang), className="visually-hidden"))]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                className="alerts-silence-row",
                children=[
                    html.Td(str(row.id)),
                    html.Td(row.scope),
                    html.Td(row.until),
                    html.Td(row.why),
                    html.Td(
                        dbc.Button(
                            label("silence.lift", lang),
                            id={"type": "silence-lift", "silence": row.id},
                            size="sm",
                            color="warning",
                            outline=True,
                        ),
                        className="text-end",
                    ),
                ],
            )
            for row in page.silences
        ]
    )
    return dbc.Table([header, body], size="sm", responsive=True, className="align-middle")


def recent_table(page: AlertsPage | None, lang: str):
    if page is None or not page.recent:
        return html.P(label("none_recent", lang), className="text-body-secondary")
    header = html.Thead(
        html.Tr(
            [
                html.Th(label(k, lang))
                for k in ("col.severity", "col.alert", "col.since", "col.resolved", "col.ack")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(_badge(row)),
                    _title_cell(row, lang),
                    html.Td(row.fired),
                    html.Td(row.resolved),
                    html.Td(row.acknowledgement),
                ]
            )
            for row in page.recent
        ]
    )
    keys = ("col.severity", "col.alert", "col.since", "col.resolved", "col.ack")
    return as_cards(
        dbc.Table([header, body], size="sm", responsive=True, className="align-middle"),
        [label(k, lang) for k in keys],
    )


def shift_form(lang: str):
    return dbc.Form(
        className="mb-3",
        children=[
            dbc.Row(
                className="g-2",
                children=[
                    dbc.Col(
                        [
                            html.Label(
                                label("shift.kind", lang),
                                htmlFor="shift-kind",
                                className="visually-hidden",
                            ),
                            dbc.Select(
                                id="shift-kind",
                                value="note",
                                options=[
                                    {"label": label("shift.kind.note", lang), "value": "note"},
                                    {
                                        "label": label("shift.kind.handover", lang),
                                        "value": "handover",
                                    },
                                ],
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        dbc.Textarea(
                            id="shift-text",
                            placeholder=label("shift.text", lang),
                            rows=1,
                            maxLength=limits.SHIFT_NOTE,
                        ),
                        md=8,
                    ),
                    dbc.Col(
                        dbc.Button(label("shift.add", lang), id="shift-add", color="secondary"),
                        md=2,
                    ),
                ],
            ),
            html.Div(id="shift-feedback", className="small mt-1"),
        ],
    )


def shift_list(page: AlertsPage | None, lang: str):
    if page is None or not page.shift:
        return html.P(label("shift.none", lang), className="text-body-secondary")
    return dbc.ListGroup(
        [
            dbc.ListGroupItem(
                [
                    html.Div(
                        [
                            html.Strong(e.author),
                            " · ",
                            dbc.Badge(e.kind_label, color="secondary", className="me-1"),
                            html.Small(e.when, className="text-body-secondary"),
                        ]
                    ),
                    html.Div(e.text, style={"whiteSpace": "pre-wrap"}),
                ]
            )
            for e in page.shift
        ],
        flush=True,
    )


def _modal(name: str, lang: str, title: str, confirm: str, fields: list) -> dbc.Modal:
    """An action's dialog: its fields, who acts (the signed-in account), an error line,
    cancel and confirm; ids ``alerts-{name}-…``."""
    return dbc.Modal(
        id=f"alerts-{name}-modal",
        is_open=False,
        children=[
            dbc.ModalHeader(dbc.ModalTitle(title, id=f"alerts-{name}-heading")),
            dbc.ModalBody(
                [
                    *fields,
                    html.Div(
                        [label("ack.who", lang), ": ", html.Strong(current_actor().name)],
                        id=f"alerts-{name}-who",
                        className="mt-2 small text-body-secondary",
                    ),
                    html.Div(id=f"alerts-{name}-error", className="text-danger small mt-2"),
                ]
            ),
            dbc.ModalFooter(
                [
                    dbc.Button(
                        label("ack.cancel", lang),
                        id=f"alerts-{name}-cancel",
                        color="secondary",
                        outline=True,
                    ),
                    dbc.Button(confirm, id=f"alerts-{name}-confirm", color="primary"),
                ]
            ),
        ],
    )


def ack_modal(lang: str):
    return _modal(
        "ack",
        lang,
        label("ack.title", lang),
        label("ack.confirm", lang),
        [
            dbc.Label(label("ack.note", lang), html_for="alerts-ack-note"),
            dbc.Textarea(id="alerts-ack-note", rows=3, maxLength=limits.ACK_NOTE),
        ],
    )


def silence_modal(lang: str):
    return _modal(
        "silence",
        lang,
        label("silence.title", lang),
        label("silence.button", lang),
        [
            dbc.Label(label("silence.scope", lang)),
            dbc.RadioItems(id="alerts-silence-scope", value="subject", options=[]),
            dbc.Label(
                label("silence.hours", lang), html_for="alerts-silence-hours", className="mt-2"
            ),
            dbc.Select(
                id="alerts-silence-hours",
                value="4",
                options=[
                    {"label": label(f"hours.{h}", lang), "value": str(h)} for h in SILENCE_HOURS
                ],
            ),
            dbc.Label(
                label("silence.reason", lang), html_for="alerts-silence-reason", className="mt-2"
            ),
            dbc.Textarea(id="alerts-silence-reason", rows=2, maxLength=limits.SILENCE_REASON),
        ],
    )


def _tables(lang: str):
    """The parts of the page an action changes, read afresh."""
    page = _load(lang)
    if page is None:
        raise PreventUpdate
    return active_table(page, lang), silence_table(page, lang), page.counts, shift_list(page, lang)


def _clicked() -> bool:
    # Buttons appearing after a refresh arrive with n_clicks None: not a click.
    return isinstance(ctx.triggered_id, dict) and bool(ctx.triggered[0]["value"])


def register_silence_callbacks(app: dash.Dash) -> None:
    @callback(
        app,
        Rule(P.READ, on={"alert-silence-open": P.ALERTS_ACT}),
        Output("alerts-silence-modal", "is_open"),
        Output("alerts-silence-target", "data"),
        Output("alerts-silence-heading", "children"),
        Output("alerts-silence-scope", "options"),
        Output("alerts-silence-scope", "value"),
        Output("alerts-silence-error", "children"),
        Input({"type": "alert-silence-open", "alert": ALL}, "n_clicks"),
        Input("alerts-silence-cancel", "n_clicks"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def open_or_cancel_silence(_clicks, _cancel, lang):
        if ctx.triggered_id == "alerts-silence-cancel":
            return False, None, no_update, no_update, no_update, ""
        if not _clicked():
            raise PreventUpdate
        alert_id = ctx.triggered_id["alert"]
        try:
            with current_context().engine.connect() as conn:
                alert = alert_by_id(conn, int(alert_id))
        except store_down.Error as exc:
            store_down.noted("alerts: silence form", exc)
            raise PreventUpdate from exc
        if alert is None:
            raise PreventUpdate
        options = [
            {
                "label": label("silence.scope.subject", lang, subject=alert.subject),
                "value": "subject",
            },
            {"label": label("silence.scope.rule", lang, rule=alert.rule_id), "value": "rule"},
        ]
        target = {"alert": alert.id, "rule": alert.rule_id, "subject": alert.subject}
        return True, target, f"{label('silence.title', lang)} #{alert.id}", options, "subject", ""

    @callback(
        app,
        Rule(P.READ, on={"alerts-silence-confirm": P.ALERTS_ACT}),
        Output("alerts-active", "children", allow_duplicate=True),
        Output("alerts-silences", "children", allow_duplicate=True),
        Output("alerts-counts", "children", allow_duplicate=True),
        Output("alerts-shiftlog", "children", allow_duplicate=True),
        Output("alerts-feedback", "children", allow_duplicate=True),
        Output("alerts-silence-modal", "is_open", allow_duplicate=True),
        Output("alerts-silence-error", "children", allow_duplicate=True),
        Output("alerts-silence-reason", "value"),
        Input("alerts-silence-confirm", "n_clicks"),
        State("alerts-silence-target", "data"),
        State("alerts-silence-scope", "value"),
        State("alerts-silence-hours", "value"),
        State("alerts-silence-reason", "value"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def silence(_confirm, target, scope, hours, reason, lang):
        if not target:
            raise PreventUpdate
        if not (reason or "").strip():
            return (no_update,) * 5 + (True, label("silence.need", lang), no_update)
        hours = int(hours) if str(hours) in {str(h) for h in SILENCE_HOURS} else 4
        subject = target["subject"] if scope != "rule" else None
        try:
            silence_id = add_silence(
                current_context().engine, target["rule"], subject, hours, reason, current_actor()
            )
        except limits.TextTooLong as exc:
            return (no_update,) * 5 + (True, i18n.too_long(exc, lang), no_update)
        except store_down.Error as exc:
            store_down.noted("alerts: silence", exc)
            return (no_update,) * 5 + (True, i18n.label("input.not_stored", lang), no_update)
        until = i18n.wita_datetime(utcnow() + timedelta(hours=hours), lang)
        feedback = dbc.Alert(
            label("silence.done", lang, id=silence_id, until=until),
            color="success",
            dismissable=True,
            duration=8000,
        )
        return (*_tables(lang), feedback, False, "", "")

    @callback(
        app,
        Rule(P.READ, on={"silence-lift": P.ALERTS_ACT}),
        Output("alerts-active", "children", allow_duplicate=True),
        Output("alerts-silences", "children", allow_duplicate=True),
        Output("alerts-counts", "children", allow_duplicate=True),
        Output("alerts-shiftlog", "children", allow_duplicate=True),
        Output("alerts-feedback", "children", allow_duplicate=True),
        Input({"type": "silence-lift", "silence": ALL}, "n_clicks"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def lift(_clicks, lang):
        if not _clicked():
            raise PreventUpdate
        silence_id = limits.parse_id(ctx.triggered_id.get("silence"))
        if silence_id is None:
            raise PreventUpdate  # a forged id: nothing to lift
        try:
            done = lift_silence(current_context().engine, silence_id, current_actor())
        except store_down.Error as exc:
            store_down.noted("alerts: lifting a silence", exc)
            raise PreventUpdate from exc
        feedback = dbc.Alert(
            label("silence.lifted" if done else "silence.gone", lang, id=silence_id),
            color="success" if done else "warning",
            dismissable=True,
            duration=8000,
        )
        return (*_tables(lang), feedback)


def register_callbacks(app: dash.Dash) -> None:
    register_silence_callbacks(app)

    @callback(
        app,
        Rule(P.READ, on={"alert-ack-open": P.ALERTS_ACT}),
        Output("alerts-ack-modal", "is_open"),
        Output("alerts-ack-target", "data"),
        Output("alerts-ack-heading", "children"),
        Output("alerts-ack-error", "children"),
        Input({"type": "alert-ack-open", "alert": ALL}, "n_clicks"),
        Input("alerts-ack-cancel", "n_clicks"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def open_or_cancel(_clicks, _cancel, lang):
        trigger = ctx.triggered_id
        if trigger == "alerts-ack-cancel":
            return False, None, no_update, ""
        if not _clicked():
            raise PreventUpdate
        return True, trigger["alert"], f"{label('ack.title', lang)} #{trigger['alert']}", ""

    @callback(
        app,
        Rule(P.READ, on={"alerts-ack-confirm": P.ALERTS_ACT}),
        Output("alerts-active", "children"),
        Output("alerts-recent", "children"),
        Output("alerts-silences", "children"),
        Output("alerts-counts", "children"),
        Output("alerts-feedback", "children"),
        Output("alerts-ack-modal", "is_open", allow_duplicate=True),
        Output("alerts-ack-error", "children", allow_duplicate=True),
        Output("alerts-ack-note", "value"),
        Input("alerts-tick", "n_intervals"),
        Input("alerts-ack-confirm", "n_clicks"),
        State("alerts-ack-target", "data"),
        State("alerts-ack-note", "value"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def refresh_or_acknowledge(_tick, _confirm, target, note, lang):
        feedback = modal = error = note_value = no_update
        if ctx.triggered_id == "alerts-ack-confirm":
            alert_id = limits.parse_id(target)
            if alert_id is None:
                raise PreventUpdate
            try:
                done = acknowledge(current_context().engine, alert_id, current_actor(), note or "")
            except limits.TextTooLong as exc:
                return (no_update,) * 6 + (i18n.too_long(exc, lang), no_update)
            except store_down.Error as exc:
                store_down.noted("alerts: acknowledge", exc)
                return (no_update,) * 6 + (i18n.label("input.not_stored", lang), no_update)
            feedback = dbc.Alert(
                label("ack.done" if done else "ack.not_firing", lang, id=target),
                color="success" if done else "warning",
                dismissable=True,
                duration=8000,
            )
            modal, error, note_value = False, "", ""
        page = _load(lang)
        if page is None:
            raise PreventUpdate
        return (
            active_table(page, lang),
            recent_table(page, lang),
            silence_table(page, lang),
            page.counts,
            feedback,
            modal,
            error,
            note_value,
        )

    @callback(
        app,
        Rule(P.READ, on={"shift-add": P.ALERTS_ACT}),
        Output("alerts-shiftlog", "children"),
        Output("shift-text", "value"),
        Output("shift-feedback", "children"),
        Input("shift-add", "n_clicks"),
        Input("alerts-tick", "n_intervals"),
        State("shift-text", "value"),
        State("shift-kind", "value"),
        State("alerts-lang", "data"),
        prevent_initial_call=True,
    )
    def add_to_shift_log(_clicks, _tick, text, kind, lang):
        text_value, feedback = no_update, no_update
        if ctx.triggered_id == "shift-add":
            if not (text or "").strip():
                return (
                    no_update,
                    no_update,
                    html.Span(label("shift.need", lang), className="text-danger"),
                )
            try:
                add_note(
                    current_context().engine,
                    current_actor(),
                    text,
                    kind if kind in ("note", "handover") else "note",
                )
            except limits.TextTooLong as exc:
                return (
                    no_update,
                    no_update,
                    html.Span(i18n.too_long(exc, lang), className="text-danger"),
                )
            except store_down.Error as exc:
                store_down.noted("alerts: shift note", exc)
                return (
                    no_update,
                    no_update,
                    html.Span(i18n.label("input.not_stored", lang), className="text-danger"),
                )
            text_value, feedback = (
                "",
                html.Span(label("shift.done", lang), className="text-success"),
            )
        page = _load(lang)
        if page is None:
            raise PreventUpdate
        return shift_list(page, lang), text_value, feedback
