"""A collection run end to end: archive, parse, validate, quarantine, upsert, record."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from collectors.base import Payload
from dashboard.archive import payload_path
from dashboard.ingest import collect, preview, replay
from dashboard.runtime import Runtime
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.schema import CollectionRun, Observation, QuarantinedRow, Source
from dashboard.versions import read_from_store

SMALL = Path(__file__).parent / "catalogue_small"
TODAY = date(2026, 11, 28)


@pytest.fixture
def rt(database_url, tmp_path):
    runtime = Runtime.from_settings(
        Settings(database_url=database_url, config_dir=SMALL, data_dir=tmp_path)
    )
    sync_catalogue(runtime.engine, runtime.catalogue)
    yield runtime
    runtime.close()


def feed(*records) -> Payload:
    return Payload(json.dumps({"data": list(records)}).encode(), "application/json")


def rec(region="Manado", period="2026-10", value="21,5", indicator="LIV.STUNTING"):
    return {"indikator": indicator, "wilayah": region, "periode": period, "nilai": value}


def observations(rt):
    with rt.engine.connect() as conn:
        return conn.execute(
            select(
                Observation.indicator_code,
                Observation.region_code,
                Observation.period_start,
                Observation.value,
            ).order_by(Observation.region_code)
        ).all()


def test_good_payload_is_archived_stored_and_signalled(rt):
    content = feed(rec(), rec(region="Sulut", value="20,1"))
    summary = collect(rt, "dinkes-feed", payload=content, today=TODAY)
    assert (summary.status, summary.accepted, summary.rejected, summary.changed) == ("ok", 2, 0, 2)
    assert observations(rt) == [
        ("LIV.STUNTING", "71", date(2026, 10, 1), 20.1),
        ("LIV.STUNTING", "71.71", date(2026, 10, 1), 21.5),
    ]
    assert (
        payload_path(rt.settings.payload_dir, summary.payload_sha256).read_bytes()
        == content.content
    )
    assert read_from_store(rt.engine) == {"all": 1, "domain:living": 1}
    with rt.engine.connect() as conn:
        run = conn.execute(
            select(CollectionRun.__table__).where(CollectionRun.id == summary.run_id)
        ).one()
        assert run.finished_at is not None and run.payload_sha256 == summary.payload_sha256
        assert (
            conn.execute(select(Source.bookmark).where(Source.id == "dinkes-feed")).scalar()
            == "2026-10-01"
        )


def test_bad_rows_are_quarantined_with_reasons_and_good_rows_kept(rt):
    summary = collect(
        rt,
        "dinkes-feed",
        today=TODAY,
        payload=feed(
            rec(), rec(region="Atlantis"), rec(value="12a"), rec(value="130"), rec(period="2027-01")
        ),
    )
    assert (summary.status, summary.accepted, summary.rejected) == ("partial", 1, 4)
    assert [(e["row"], e["reason"]) for e in summary.errors] == [
        (2, "region 'Atlantis' is unknown"),
        (3, "'12a' is not a number"),
        (4, "value 130 is outside the valid range 0.0 … 100.0"),
        (5, "period 2027-01-01 is in the future"),
    ]
    with rt.engine.connect() as conn:
        quarantined = conn.execute(
            select(QuarantinedRow.row_number, QuarantinedRow.raw, QuarantinedRow.reasons).order_by(
                QuarantinedRow.row_number
            )
        ).all()
    assert [q.row_number for q in quarantined] == [2, 3, 4, 5]
    assert quarantined[1].raw["nilai"] == "12a"
    assert quarantined[1].reasons[0]["reason_id"] == "'12a' bukan angka"


def test_an_indicator_the_source_does_not_feed_is_rejected(rt):
    summary = collect(
        rt, "dinkes-feed", today=TODAY, payload=feed(rec(indicator="ECO.PLACEMENTS", value="5"))
    )
    assert summary.status == "failed" and summary.error_class == "validation"
    assert (
        summary.errors[0]["reason"]
        == "indicator 'ECO.PLACEMENTS' is not fed by source 'dinkes-feed'"
    )


def test_conflicting_duplicate_keys_are_reported_not_last_wins(rt):
    summary = collect(
        rt,
        "dinkes-feed",
        today=TODAY,
        payload=feed(
            rec(value="21,5"),
            rec(value="22,0"),
            rec(region="Sulut", value="20"),
            rec(region="Sulut", value="20"),
        ),
    )
    assert (summary.accepted, summary.rejected) == (1, 3)
    reasons = {e["row"]: e["reason"] for e in summary.errors}
    assert reasons[1] == reasons[2] == "the same key appears in rows 1, 2 with different values"
    assert reasons[4] == "duplicate of row 3 (same value)"
    assert observations(rt) == [("LIV.STUNTING", "71", date(2026, 10, 1), 20.0)]


def test_reingesting_the_same_payload_changes_nothing(rt):
    first = collect(rt, "dinkes-feed", payload=feed(rec()), today=TODAY)
    second = collect(rt, "dinkes-feed", payload=feed(rec()), today=TODAY)
    assert (second.status, second.accepted, second.changed) == ("ok", 1, 0)
    assert second.payload_sha256 == first.payload_sha256
    assert read_from_store(rt.engine)["all"] == 1  # no change, no signal


def test_unreadable_payload_fails_but_is_archived_and_replayable(rt):
    summary = collect(
        rt, "dinkes-feed", payload=Payload(b"<html>503</html>", "text/html"), today=TODAY
    )
    assert (summary.status, summary.error_class) == ("failed", "format")
    assert payload_path(rt.settings.payload_dir, summary.payload_sha256).exists()
    again = replay(rt, summary.run_id)
    assert again.status == "failed" and again.run_id != summary.run_id
    with rt.engine.connect() as conn:
        assert (
            conn.execute(
                select(CollectionRun.replay_of).where(CollectionRun.id == again.run_id)
            ).scalar()
            == summary.run_id
        )


def test_replay_parses_the_archived_payload_again(rt):
    first = collect(rt, "dinkes-feed", payload=feed(rec(value="21,5")), today=TODAY)
    with rt.engine.begin() as conn:
        conn.execute(Observation.__table__.delete())
    summary = replay(rt, first.run_id)
    assert (summary.status, summary.accepted, summary.changed) == ("ok", 1, 1)
    assert observations(rt)[0].value == 21.5


def test_unreachable_source_is_a_failed_run_with_its_error_class(rt):
    summary = collect(rt, "naker-feed", today=TODAY)  # nothing listens on port 9
    assert (summary.status, summary.error_class) == ("failed", "connection")
    assert summary.payload_sha256 is None
    with rt.engine.connect() as conn:
        run = conn.execute(
            select(CollectionRun.__table__).where(CollectionRun.id == summary.run_id)
        ).one()
    assert (run.status, run.error_class) == ("failed", "connection")
    assert "cannot connect" in run.message and "tidak dapat terhubung" in run.message_id


def test_bookmark_does_not_move_when_nothing_is_stored(rt):
    collect(rt, "dinkes-feed", payload=feed(rec(period="2026-09")), today=TODAY)
    collect(rt, "dinkes-feed", payload=feed(rec(region="Atlantis", period="2026-10")), today=TODAY)
    with rt.engine.connect() as conn:
        assert (
            conn.execute(select(Source.bookmark).where(Source.id == "dinkes-feed")).scalar()
            == "2026-09-01"
        )


def test_preview_shows_the_verdict_and_stores_nothing(rt):
    result = preview(rt, "dinkes-feed", feed(rec(), rec(region="Atlantis")), today=TODAY)
    assert list(result.accepted["region_code"]) == ["71.71"]
    assert [(c.row, c.reasons[0].en) for c in result.rejected] == [
        (2, "region 'Atlantis' is unknown")
    ]
    assert observations(rt) == []
    broken = preview(rt, "dinkes-feed", Payload(b"nope"), today=TODAY)
    assert broken.error is not None and broken.error.error_class == "format"
