"""/followup through the app, as each role would use it: the governor's office opens an item
from an exception, the SKPD's officer answers (a reason when it cannot, an attachment), an
officer of another SKPD sees nothing of it, the office closes it; every step audited and
refused input answered with a reason in both languages. The list exports to Excel."""

import base64
import io
import json
import sys
from datetime import date

import pytest
from access_kit import add_user, call, login
from openpyxl import load_workbook
from scorecard_kit import put_sample
from sqlalchemy import select

from dashboard.access.principal import Principal, set_principal
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.access_tables import AuditEntry
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.store.followups import MAX_ATTACHMENT_BYTES, get_followup, list_followups
from dashboard.webapp import context_of, create_app


@pytest.fixture
def app(database_url, tmp_path, catalogue):
    engine = make_engine(database_url)
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    engine.dispose()
    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    yield app
    context_of(app).engine.dispose()


def _client(app, role, name, skpds=("dinkes",)):
    client = app.server.test_client()
    add_user(context_of(app).engine, role, name, skpds=skpds)
    assert login(client, name).status_code == 302
    return client


def _key(app, function: str) -> str:
    for key, spec in app.callback_map.items():
        func = spec.get("callback")
        func = getattr(func, "__wrapped__", func)
        if func is not None and func.__name__ == function and "followup" in func.__module__:
            return key
    raise KeyError(function)


def _result(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data(as_text=True))["response"]


STATE_ID = ("fu-state", "data", {"lang": "id", "query": {}})
STATE_EN = ("fu-state", "data", {"lang": "en", "query": {}})


def _open(app, client, lang_state=STATE_ID, **changes):
    values = {
        "data": {
            "kind": "behind",
            "subject_kind": "indicator",
            "subject": "LIV.STUNTING",
            "region": None,
            "alert": None,
        },
        "skpd": "dinkes",
        "request": "Rencana aksi penurunan stunting di 3 kabupaten",
        "due": "2026-12-02",
        "priority": "high",
    }
    values.update(changes)
    return call(
        client,
        _key(app, "open_item"),
        inputs=[("fu-new-submit", "n_clicks", 1)],
        state=[
            ("fu-new-data", "data", values["data"]),
            ("fu-new-skpd", "value", values["skpd"]),
            ("fu-new-request", "value", values["request"]),
            ("fu-new-due", "value", values["due"]),
            ("fu-new-priority", "value", values["priority"]),
            lang_state,
        ],
        changed=["fu-new-submit.n_clicks"],
    )


def _answer(app, client, item_id, status, note=None, contents=None, filename=None, state=STATE_ID):
    return call(
        client,
        _key(app, "answer_item"),
        inputs=[("fu-answer-submit", "n_clicks", 1)],
        state=[
            ("fu-item", "data", {"id": item_id}),
            ("fu-answer-status", "value", status),
            ("fu-answer-note", "value", note),
            ("fu-answer-file", "contents", contents),
            ("fu-answer-file", "filename", filename),
            state,
        ],
        changed=["fu-answer-submit.n_clicks"],
    )


def _office(app, client, item_id, button):
    return call(
        client,
        _key(app, "close_or_reopen"),
        inputs=[
            ("fu-close", "n_clicks", 1 if button == "fu-close" else None),
            ("fu-reopen", "n_clicks", 1 if button == "fu-reopen" else None),
        ],
        state=[("fu-item", "data", {"id": item_id}), ("fu-office-note", "value", None), STATE_ID],
        changed=[f"{button}.n_clicks"],
    )


def _audit(app, action):
    t = AuditEntry.__table__
    with context_of(app).engine.connect() as conn:
        return conn.execute(select(t).where(t.c.action == action)).all()


def _page(app, role, skpds=(), **query):
    with app.server.test_request_context("/followup"):
        set_principal(
            Principal(
                "account", 0, f"{role}-page", role, skpds=frozenset(skpds), clearance="restricted"
            )
        )
        return str(sys.modules["layouts.followup"].layout(**query))


def test_lifecycle_through_the_page(app, tmp_path):
    office = _client(app, "analyst", "kantor-gubernur")
    officer = _client(app, "skpd_officer", "petugas-dinkes")
    stranger = _client(app, "skpd_officer", "petugas-bkd", skpds=("bkd",))
    engine = context_of(app).engine

    # The form the scorecard's "Tindak lanjut" link opens, filled in for the exception.
    form = _page(app, "analyst", kind="behind", subject="LIV.STUNTING")
    assert "fu-new-submit" in form and "Prevalensi stunting balita" in form
    assert "fu-new-submit" not in _page(app, "viewer", kind="behind", subject="LIV.STUNTING")

    opened = _result(_open(app, office))
    assert "#1" in json.dumps(opened) and opened["fu-location"]["search"] == "?id=1"
    with engine.connect() as conn:
        (item,) = list_followups(conn)
    assert (item.skpd_id, item.opened_by, item.due_on, item.priority) == (
        "dinkes",
        "kantor-gubernur",
        date(2026, 12, 2),
        "high",
    )
    assert len(_audit(app, "followup.open")) == 1

    detail = _page(app, "skpd_officer", skpds=("dinkes",), id="1")
    assert "fu-answer-submit" in detail and "fu-close" not in detail
    office_view = _page(app, "analyst", id="1")
    assert "fu-close" in office_view and "fu-answer-submit" not in office_view
    assert "fu-detail" not in _page(app, "skpd_officer", skpds=("bkd",), id="1")

    # Cannot: a reason is required, said in the reader's language.
    refused = json.dumps(_result(_answer(app, officer, item.id, "declined", note=" ")))
    assert "memerlukan alasan" in refused
    refused = json.dumps(_result(_answer(app, officer, item.id, "declined", state=STATE_EN)))
    assert "needs a reason" in refused
    too_big = "data:application/pdf;base64," + "A" * ((MAX_ATTACHMENT_BYTES // 3 + 10) * 4)
    refused = json.dumps(
        _result(_answer(app, officer, item.id, "done", contents=too_big, filename="x.pdf"))
    )
    assert "Lampiran terlalu besar" in refused and "5,0 MB" in refused

    letter = b"%PDF-1.4 surat balasan Dinkes"
    contents = "data:application/pdf;base64," + base64.b64encode(letter).decode()
    _result(
        _answer(
            app,
            officer,
            item.id,
            "in_progress",
            note="Tim turun ke lapangan",
            contents=contents,
            filename="surat.pdf",
        )
    )
    # An officer of another SKPD: neither the item nor its answer.
    assert "tidak ditemukan" in json.dumps(_result(_answer(app, stranger, item.id, "done")))
    assert "fu-row" not in _page(app, "skpd_officer", skpds=("bkd",))
    assert 'data-id="1"' in _page(app, "skpd_officer", skpds=("dinkes",)) or "#1" in _page(
        app, "skpd_officer", skpds=("dinkes",)
    )
    with engine.connect() as conn:
        step = get_followup(conn, item.id).steps[-1]
    assert (step.actor, step.status, step.attachment_name) == (
        "petugas-dinkes",
        "in_progress",
        "surat.pdf",
    )
    download = officer.get(f"/followup/attachment/{item.id}/{step.attachment_sha256}")
    assert download.status_code == 200 and download.data == letter
    assert (
        stranger.get(f"/followup/attachment/{item.id}/{step.attachment_sha256}").status_code == 404
    )

    # The officer may not close; the office may, then reopen.
    assert _office(app, officer, item.id, "fu-close").status_code == 403
    _result(_office(app, office, item.id, "fu-close"))
    _result(_office(app, office, item.id, "fu-reopen"))
    with engine.connect() as conn:
        steps = get_followup(conn, item.id).steps
    assert [(s.action, s.actor) for s in steps] == [
        ("open", "kantor-gubernur"),
        ("answer", "petugas-dinkes"),
        ("close", "kantor-gubernur"),
        ("reopen", "kantor-gubernur"),
    ]
    assert [
        len(_audit(app, a)) for a in ("followup.answer", "followup.close", "followup.reopen")
    ] == [1, 1, 1]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_empty_list_says_where_follow_ups_come_from(app, lang):
    page = _page(app, "analyst", lang=lang, skpd="dispar")
    assert ("Tidak ada tindak lanjut" if lang == "id" else "No follow-up matches") in page
    assert ("dibuka dari peringatan" if lang == "id" else "opened from an alert") in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_list_filters_and_excel(app, lang):
    office = _client(app, "analyst", f"kantor-{lang}")
    _result(_open(app, office))
    _result(
        _open(
            app,
            office,
            data={
                "kind": "behind",
                "subject_kind": "indicator",
                "subject": "GOV.REALISASI-APBD",
                "region": None,
                "alert": None,
            },
            skpd="bpkad",
            due="2026-12-30",
        )
    )
    refused = json.dumps(
        _result(
            _open(app, office, due="2020-01-01", lang_state=STATE_ID if lang == "id" else STATE_EN)
        )
    )
    assert ("sudah lewat" if lang == "id" else "has passed") in refused
    page = _page(app, "analyst", lang=lang, skpd="bpkad")
    assert "BPKAD" in page and "Prevalensi" not in page and "Stunting" not in page
    response = office.get(f"/followup/export.xlsx?lang={lang}&skpd=dinkes")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 1
    assert rows[0][1] == "Dinkes" and rows[0][5].date() == date(2026, 12, 2)
    assert rows[0][6] == ("Terbuka" if lang == "id" else "Open")


def test_an_alert_opens_a_follow_up_for_the_governors_office(app, catalogue):
    from datetime import timedelta

    from dashboard.alerts.lifecycle import AlertRecord
    from dashboard.store.schema import utcnow
    from dashboard.views.alerts import alert_row

    now = utcnow()
    alert = AlertRecord(
        5,
        "bor-full",
        "LIV.BOR@71.71",
        "critical",
        "firing",
        "BOR penuh",
        "BOR full",
        now - timedelta(minutes=3),
        None,
        None,
        None,
        None,
        {},
    )
    row = alert_row(alert, now, "id", catalogue=catalogue)
    link = sys.modules["layouts.alerts"]._followup_link
    with app.server.test_request_context("/alerts"):
        set_principal(Principal("account", 0, "kantor", "analyst", clearance="restricted"))
        href = link(row, "id").href
        set_principal(Principal("account", 0, "pimpinan", "viewer", clearance="restricted"))
        assert link(row, "id") is None
    assert href == "/followup?kind=alert&subject=LIV.BOR&region=71.71&alert=5"
    form = _page(app, "analyst", kind="alert", subject="LIV.BOR", region="71.71", alert="5")
    assert "Peringatan — Tingkat hunian tempat tidur rumah sakit" in form
