"""Follow-ups (tindak lanjut) in a real store, SQLite and PostgreSQL: open, answer (with a
reason, with an attachment), overdue by the clock, marked back on target by the job but
closed only by a person, close and reopen; every step kept with who and when."""

from datetime import UTC, date, datetime, timedelta

import pytest
from scorecard_kit import SAMPLE_NOW, put, put_sample

from dashboard.scorecard.followups import check_back_on_target, load_summary
from dashboard.scorecard.plans import load_plans
from dashboard.settings import PROJECT_ROOT
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.followups import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    FollowupError,
    answer,
    close,
    get_followup,
    list_followups,
    open_followup,
    read_attachment,
    reopen,
    save_attachment,
)

NOW = SAMPLE_NOW  # Saturday 28 Nov 2026 12.00 WITA


@pytest.fixture
def store(engine, catalogue):
    sync_catalogue(engine, catalogue)
    put_sample(engine, catalogue)
    return engine


@pytest.fixture(scope="module")
def plans(catalogue):
    return load_plans(PROJECT_ROOT / "config", {i.code for i in catalogue.indicators})


def _open(engine, now=NOW, **kw):
    values = {
        "kind": "behind",
        "subject_kind": "indicator",
        "subject": "LIV.STUNTING",
        "skpd_id": "dinkes",
        "request": "Rencana aksi penurunan stunting",
        "due_on": date(2026, 12, 5),
        "priority": "high",
        "actor": "kantor-gubernur",
        "now": now,
    }
    values.update(kw)
    with begin_write(engine) as conn:
        return open_followup(conn, **values)


def test_open_answer_close_reopen_keep_every_step(store):
    item_id = _open(store)
    with begin_write(store) as conn:
        answer(conn, item_id, "in_progress", actor="petugas-dinkes", now=NOW + timedelta(hours=1))
    with begin_write(store) as conn:
        with pytest.raises(FollowupError) as refused:
            answer(conn, item_id, "declined", actor="petugas-dinkes", now=NOW, note="  ")
        assert refused.value.code == "reason_required"
    with begin_write(store) as conn:
        answer(
            conn,
            item_id,
            "done",
            actor="petugas-dinkes",
            now=NOW + timedelta(hours=2),
            note="Posyandu dikunjungi",
        )
    with begin_write(store) as conn:
        closed = close(conn, item_id, actor="kantor-gubernur", now=NOW + timedelta(hours=3))
    assert closed.status == "closed" and closed.closed_at == NOW + timedelta(hours=3)
    with begin_write(store) as conn:
        with pytest.raises(FollowupError) as refused:
            answer(conn, item_id, "in_progress", actor="petugas-dinkes", now=NOW)
        assert refused.value.code == "closed_already"
    with begin_write(store) as conn:
        again = reopen(
            conn, item_id, actor="kantor-gubernur", now=NOW + timedelta(hours=4), note="Belum"
        )
    assert again.status == "open" and again.closed_at is None
    with store.connect() as conn:
        item = get_followup(conn, item_id)
    assert [(s.action, s.status, s.actor) for s in item.steps] == [
        ("open", "open", "kantor-gubernur"),
        ("answer", "in_progress", "petugas-dinkes"),
        ("answer", "done", "petugas-dinkes"),
        ("close", "closed", "kantor-gubernur"),
        ("reopen", "open", "kantor-gubernur"),
    ]
    assert [s.at for s in item.steps] == [NOW + timedelta(hours=h) for h in range(5)]
    assert item.steps[2].note == "Posyandu dikunjungi"


def test_declined_needs_a_reason_and_an_attachment_is_kept(store, tmp_path):
    item_id = _open(store, kind="stale", subject_kind="source", subject="dinkes-sik")
    sha, size = save_attachment(tmp_path, Attachment("surat.pdf", b"%PDF-1.4 surat"))
    with begin_write(store) as conn:
        item = answer(
            conn,
            item_id,
            "declined",
            actor="petugas-dinkes",
            now=NOW,
            note="Server SIK sedang diganti",
            attachment=("surat.pdf", sha, size),
        )
    assert item.status == "declined"
    with store.connect() as conn:
        step = get_followup(conn, item_id).steps[-1]
    assert (step.note, step.attachment_name, step.attachment_size) == (
        "Server SIK sedang diganti",
        "surat.pdf",
        14,
    )
    assert read_attachment(tmp_path, step.attachment_sha256) == b"%PDF-1.4 surat"
    with pytest.raises(FollowupError) as refused:
        save_attachment(tmp_path, Attachment("big.bin", b"x" * (MAX_ATTACHMENT_BYTES + 1)))
    assert refused.value.code == "attachment_too_big"


def test_bad_input_is_refused_with_a_reason(store):
    for kw, code in (
        ({"request": " "}, "request_required"),
        ({"priority": "urgent"}, "bad_priority"),
        ({"kind": "bored"}, "bad_kind"),
        ({"due_on": date(2026, 11, 1)}, "due_in_past"),
        ({"request": "x" * 5000}, "request_too_long"),
    ):
        with pytest.raises(FollowupError) as refused:
            _open(store, **kw)
        assert refused.value.code == code
    with store.connect() as conn:
        assert list_followups(conn) == []


def test_overdue_follows_the_clock(store, catalogue):
    late = _open(store, due_on=date(2026, 11, 30))
    on_time = _open(store, subject="GOV.REALISASI-APBD", skpd_id="bpkad", due_on=date(2026, 12, 9))
    with store.connect() as conn:
        items = {f.id: f for f in list_followups(conn)}
    assert not items[late].overdue(date(2026, 11, 30))  # due today: not yet
    assert items[late].overdue(date(2026, 12, 1)) and not items[on_time].overdue(date(2026, 12, 1))
    # An answered "done" waits on the office, not on the SKPD: not overdue.
    with begin_write(store) as conn:
        done = answer(conn, late, "done", actor="petugas-dinkes", now=NOW)
    assert not done.overdue(date(2026, 12, 1))
    summary = load_summary(store, catalogue, datetime(2026, 12, 10, 4, tzinfo=UTC))
    assert [g.skpd_id for g in summary.open_by_skpd] == ["bpkad", "dinkes"]  # overdue first
    assert summary.for_subject("LIV.STUNTING").id == late


def test_back_on_target_is_marked_but_closed_only_by_a_person(store, catalogue, plans):
    stunting = _open(store)
    apbd = _open(store, subject="GOV.REALISASI-APBD", skpd_id="bpkad")
    assert check_back_on_target(store, catalogue, plans, NOW) == []  # both still behind
    # November's stunting figure is under the target of 14.
    put(store, catalogue, "LIV.STUNTING", {date(2026, 11, 1): 13.2})
    later = datetime(2026, 12, 2, 4, tzinfo=UTC)
    assert check_back_on_target(store, catalogue, plans, later) == [stunting]
    assert check_back_on_target(store, catalogue, plans, later) == []  # marked once
    with store.connect() as conn:
        item, other = get_followup(conn, stunting), get_followup(conn, apbd)
    assert item.back_on_target_at == later and item.status == "open"
    assert item.steps[-1].action == "back_on_target" and item.steps[-1].actor == "system"
    assert other.back_on_target_at is None
    with begin_write(store) as conn:
        closed = close(conn, stunting, actor="kantor-gubernur", now=later)
    assert closed.status == "closed"
    summary = load_summary(store, catalogue, later + timedelta(hours=1))
    assert [c.id for c in summary.closed_this_week] == [stunting]


# --- the brief carries the loop ---------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    import io
    import re

    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "id",
            [
                "Tindak lanjut terbuka per SKPD",
                "BPKAD: #2 Realisasi belanja APBD — Percepat realisasi belanja (terbuka; batas "
                "30 Nov 2026, dibuka 1 minggu lalu) — LEWAT BATAS WAKTU",
                "Dinkes: #1 Prevalensi stunting balita — Rencana aksi penurunan stunting "
                "(dikerjakan; batas 20 Des 2026",
                "Tindak lanjut ditutup minggu ini",
                "BKD: #3",
                "[tindak lanjut #1: Dikerjakan]",
                "[belum ada tindak lanjut]",
            ],
        ),
        (
            "en",
            [
                "Open follow-ups by SKPD",
                "BPKAD: #2 APBD spending realisation — Percepat realisasi belanja (open; due "
                "30 Nov 2026, opened 1 week ago) — OVERDUE",
                "Follow-ups closed this week",
                "[follow-up #1: In progress]",
                "[no follow-up yet]",
            ],
        ),
    ],
)
def test_brief_pdf_and_workbook_carry_the_loop(store, catalogue, plans, lang, expected):
    import io

    from openpyxl import load_workbook

    from dashboard.brief.excel import HEADER_ROW, scorecard_workbook
    from dashboard.brief.narrative import build_brief
    from dashboard.brief.pdf import brief_pdf
    from dashboard.scorecard.build import load_scorecard
    from dashboard.scorecard.periods import AsOf

    opened = NOW - timedelta(days=5)
    stunting = _open(store, now=opened, due_on=date(2026, 12, 20))
    apbd = _open(
        store,
        now=opened,
        subject="GOV.REALISASI-APBD",
        skpd_id="bpkad",
        request="Percepat realisasi belanja",
        due_on=date(2026, 11, 30),
    )
    done = _open(store, now=opened, subject="GOV.EKINERJA", skpd_id="bkd")
    with begin_write(store) as conn:
        answer(conn, stunting, "in_progress", actor="petugas-dinkes", now=NOW)
    now = datetime(2026, 12, 1, 4, tzinfo=UTC)  # Tuesday: the 30 Nov due date has passed
    with begin_write(store) as conn:  # Monday: this week
        close(conn, done, actor="kantor-gubernur", now=now - timedelta(days=1))
    summary = load_summary(store, catalogue, now)
    assert [g.skpd_id for g in summary.open_by_skpd] == ["bpkad", "dinkes"]
    assert summary.open_by_skpd[0].items[0].id == apbd
    with store.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, AsOf(2026, 10, True), "71", now)
    brief = build_brief(card, catalogue, lang, followups=summary)
    text = _pdf_text(brief_pdf(brief, card, catalogue))
    for figure in expected:
        assert figure in text, figure
    wb = load_workbook(io.BytesIO(scorecard_workbook(card, catalogue, brief)))
    ws = wb["Tindak lanjut" if lang == "id" else "Follow-ups"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [("BPKAD", apbd), ("Dinkes", stunting), ("BKD", done)]
    assert rows[0][4].date() == date(2026, 11, 30) and rows[0][5] == 8 and rows[0][7]
    assert rows[2][8] is not None  # closed this week, with its time
    behind = wb["Di bawah target" if lang == "id" else "Behind target"]
    heads = [c.value for c in behind[HEADER_ROW]]
    notes = {
        r[heads.index("Kode" if lang == "id" else "Code")]: r[-1]
        for r in behind.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    }
    assert notes["LIV.STUNTING"] == (
        "tindak lanjut #1: Dikerjakan" if lang == "id" else "follow-up #1: In progress"
    )
