"""Hostile requests at the edge: each is answered 4xx or with a message on the page, never 500.

A body over the limit (413 before anything reads it), texts longer than their field, a
screen's malformed heartbeat (refused; an old malformed row does not break /ops/screens),
ids beyond any row, an upload that is not a file or names no source.
"""

from __future__ import annotations

import base64
import io
import json
import os

import pytest
from access_kit import call, client_as, csrf_header, outputs_of, wall_token
from analyst_kit import route
from wall_kit import add_alert

from dashboard.access.guard import DEVICE_HEADER
from dashboard.alerts.lifecycle import acknowledge, alert_by_id
from dashboard.alerts.shiftlog import add_note, recent_notes
from dashboard.alerts.silences import active_silences, add_silence
from dashboard.edge_limits import gunicorn_limits
from dashboard.settings import Settings
from dashboard.store import limits
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.limits import TextTooLong, parse_id
from dashboard.store.screens import list_screens, record_beat
from dashboard.webapp import context_of, create_app


@pytest.fixture
def make_app(sqlite_url, tmp_path):
    def make(**overrides):
        settings = Settings(database_url=sqlite_url, data_dir=tmp_path, access_log="", **overrides)
        app = create_app(settings)
        sync_catalogue(context_of(app).engine, context_of(app).catalogue)
        return app

    return make


@pytest.fixture
def app(make_app):
    return make_app()


def key_of(app, part: str) -> str:
    return next(k for k in app.callback_map if part in k)


# --- the body --------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_413_before_the_guard_reads_it(make_app):
    app = make_app(max_request_mb=0.05)  # 52 KB
    client = app.server.test_client()  # not signed in, no CSRF token: the guard would say 4xx
    body = json.dumps({"output": "x", "inputs": [{"value": "a" * 100_000}]})
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413
    message = response.json["odsk"]["message"]
    assert "0.05 MB" in message and "paling banyak" in message and "at most" in message
    assert response.headers["Connection"] == "close"
    # The same on any route, sign-in form included.
    assert client.post("/login", data={"username": "a" * 100_000}).status_code == 413


def test_a_streamed_body_without_a_length_is_cut_at_the_limit(make_app):
    app = make_app(max_request_mb=0.05)
    client = client_as(app, "admin")
    stream = io.BytesIO(b"a" * 200_000)
    response = client.post(
        "/_dash-update-component",
        input_stream=stream,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked", **csrf_header(client)},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn marks a chunked body
    )
    assert response.status_code == 413, response.get_data(as_text=True)[:300]


def test_gunicorn_refuses_long_request_lines_and_many_headers():
    assert gunicorn_limits() == {
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
    }


# --- texts a person types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "limit"),
    [
        (lambda engine, text: add_note(engine, "op", text), limits.SHIFT_NOTE),
        (
            lambda engine, text: add_silence(engine, "rule", None, 4, text, "op"),
            limits.SILENCE_REASON,
        ),
    ],
    ids=["shift_note", "silence_reason"],
)
def test_each_writer_refuses_a_text_longer_than_its_field(engine, write, limit):
    with pytest.raises(TextTooLong) as refused:
        write(engine, "x" * (limit + 1))
    assert (refused.value.length, refused.value.limit) == (limit + 1, limit)
    with engine.connect() as conn:
        assert recent_notes(conn) == []
        assert active_silences(conn) == []
    write(engine, "x" * limit)  # the limit itself is fine


def test_an_acknowledgement_with_a_megabyte_note_is_refused_and_the_alert_stays_firing(engine):
    alert_id = add_alert(engine, severity="warning", title="BOR")
    with pytest.raises(TextTooLong):
        acknowledge(engine, alert_id, "op", "n" * (limits.ACK_NOTE + 1))
    with engine.connect() as conn:
        assert alert_by_id(conn, alert_id).state == "firing"


def test_the_alerts_page_says_the_note_is_too_long_in_the_readers_language(app):
    engine = context_of(app).engine
    alert_id = add_alert(engine, severity="warning", title="BOR")
    client = client_as(app, "operator")
    response = call(
        client,
        key_of(app, "alerts-ack-note.value"),
        inputs=[("alerts-tick", "n_intervals", 1), ("alerts-ack-confirm", "n_clicks", 1)],
        state=[
            ("alerts-ack-target", "data", alert_id),
            ("alerts-ack-note", "value", "n" * 3 * 2**20),  # 3 MiB typed past the browser
            ("alerts-lang", "data", "en"),
        ],
        changed=["alerts-ack-confirm.n_clicks"],
    )
    assert response.status_code == 200
    error = response.json["response"]["alerts-ack-error"]["children"]
    assert error.startswith("Acknowledgement note is too long: 3145728 characters, at most 2000")
    with engine.connect() as conn:
        assert alert_by_id(conn, alert_id).state == "firing"
    shift = call(
        client,
        key_of(app, "shift-text.value"),
        inputs=[("shift-add", "n_clicks", 1), ("alerts-tick", "n_intervals", 1)],
        state=[
            ("shift-text", "value", "s" * 5000),
            ("shift-kind", "value", "note"),
            ("alerts-lang", "data", "id"),
        ],
        changed=["shift-add.n_clicks"],
    )
    feedback = shift.json["response"]["shift-feedback"]["children"]["props"]["children"]
    assert feedback.startswith(
        "Catatan log shift terlalu panjang: 5000 karakter, paling banyak 4000"
    )


# --- wall heartbeats -------------------------------------------------------------------------


def beat(client, token: str, **fields):
    payload = {"device": "hall", "w": 1920, "h": 1080, "dpr": 1, "index": 0, **fields}
    return call(
        client,
        "wall-command.data",
        inputs=[("wall-beat-payload", "data", payload)],
        changed=["wall-beat-payload.data"],
        headers={DEVICE_HEADER: token},
    )


@pytest.mark.parametrize(
    "bad",
    [{"dpr": "x"}, {"w": 10**30}, {"heap_mb": -1}, {"path": "/wall?" + "a" * 5000}, {"index": 1.5}],
    ids=["dpr-text", "huge-width", "negative-heap", "long-path", "fractional-index"],
)
def test_a_malformed_heartbeat_is_refused_400_and_not_stored(app, bad):
    token = wall_token(app, "hall")
    client = app.server.test_client()
    response = beat(client, token, **bad)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Laporan layar ditolak" in text and "Screen report refused" in text
    assert next(iter(bad)) in text  # names the field
    assert list_screens(context_of(app).engine) == []
    assert beat(client, token).status_code in (200, 204)  # a good report goes through


def test_ops_screens_shows_a_screen_whose_stored_report_is_malformed(app):
    engine = context_of(app).engine
    record_beat(
        engine,
        "hall",
        {"dpr": "x", "w": "wide", "h": 1080, "heap_mb": "lots", "index": "a", "screen": 7},
    )
    client = client_as(app, "admin")
    response = route(client, "/ops/screens", "?lang=en")
    assert response.status_code == 200
    assert "hall" in response.get_data(as_text=True)


# --- ids in URLs -----------------------------------------------------------------------------


def test_ids_beyond_any_row_are_unknown_not_errors(app):
    client = client_as(app, "admin")
    for path in ("/provenance/99999999999999999999999", "/provenance/²", "/provenance/-1"):
        response = route(client, path, "?lang=en")
        assert response.status_code == 200, path
        assert "does not exist" in response.get_data(as_text=True) or "not found" in (
            response.get_data(as_text=True).lower()
        )
    response = route(client, "/ops/sources", "?run=99999999999999999999999")
    assert response.status_code == 200


def test_parse_id_accepts_only_row_ids():
    assert [parse_id(v) for v in ("1", "42", 7, str(2**63 - 1))] == [1, 42, 7, 2**63 - 1]
    for bad in (None, "", "0", "-1", "1.0", "²", "١", str(2**63), "9" * 40, True, 2**64, [1]):
        assert parse_id(bad) is None, bad


# --- uploads ---------------------------------------------------------------------------------


def preview(client, app, contents, source, lang="en"):
    return call(
        client,
        key_of(app, "upload-preview.children"),
        inputs=[("upload-file", "contents", contents), ("upload-source", "value", source)],
        state=[("upload-file", "filename", "x.json"), ("upload-lang", "data", lang)],
        changed=["upload-file.contents"],
    )


@pytest.mark.parametrize(
    ("contents", "source", "words"),
    [
        ("no comma, no base64", "dinkes-sik", "could not be read"),
        ("data:text/csv;base64,@@@not-base64@@@", "dinkes-sik", "could not be read"),
        (12345, "dinkes-sik", "could not be read"),
        (
            "data:application/json;base64," + base64.b64encode(os.urandom(2000)).decode(),
            "dinkes-sik",
            "refused as a whole",
        ),
        ("data:text/csv;base64,YQ==", "no-such-source", "Source no-such-source is unknown"),
        ("data:text/csv;base64,YQ==", ["dinkes-sik"], "is unknown"),
    ],
    ids=["no-comma", "bad-base64", "not-text", "random-bytes", "unknown-source", "source-list"],
)
def test_the_upload_page_answers_bad_uploads_with_a_message(app, contents, source, words):
    client = client_as(app, "admin")
    response = preview(client, app, contents, source)
    assert response.status_code == 200
    assert words in json.dumps(response.json["response"]["upload-preview"])
    confirm = call(
        client,
        key_of(app, "upload-result.children@"),
        inputs=[("upload-confirm", "n_clicks", 1)],
        state=[
            ("upload-file", "contents", contents),
            ("upload-file", "filename", "x.json"),
            ("upload-source", "value", source),
            ("upload-lang", "data", "en"),
        ],
        changed=["upload-confirm.n_clicks"],
    )
    assert confirm.status_code in (200, 204), confirm.get_data(as_text=True)[:300]


@pytest.mark.parametrize("forged", ["99999999999999999999999", "abc", -1])
def test_a_forged_silence_id_lifts_nothing_and_breaks_nothing(app, forged):
    client = client_as(app, "operator")
    button = {"silence": forged, "type": "silence-lift"}
    key = next(
        k
        for k in app.callback_map
        if "alerts-feedback.children@" in k and "alerts-silence-modal" not in k
    )
    body = {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [{"id": "alerts-lang", "property": "data", "value": "en"}],
        "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert response.status_code in (204, 400), response.get_data(as_text=True)[:300]
