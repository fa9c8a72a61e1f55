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
