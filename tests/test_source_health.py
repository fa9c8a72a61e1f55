"""Source health as on Prometheus' target page: health, timings, trends, uptime, rejected rows."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.catalogue import load_catalogue
from dashboard.catalogue.freshness import Staleness, classify
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.heartbeats import beat
from dashboard.store.runs import RunRecord
from dashboard.store.schema import CollectionRun, QuarantinedRow
from dashboard.views.ops import load_rejected, load_source_health, sources_page, sparkline

SMALL = Path(__file__).parent / "catalogue_small"
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def run_row(status, ended=NOW):
    return RunRecord(
        id=1,
        source_id="s",
        trigger="schedule",
        status=status,
        started_at=ended - timedelta(seconds=1),
        finished_at=ended,
        rows_accepted=1,
        rows_rejected=0,
        rows_changed=0,
        error_class=None,
        message=None,
        message_id=None,
        replay_of=None,
        payload_sha256=None,
        events_accepted=0,
        events_changed=0,
        file_name=None,
    )


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"enabled": False, "last_run_succeeded": None}, "disabled"),
        ({"last_run_succeeded": None}, "unknown"),
        ({"last_run_succeeded": False, "last_success_at": NOW - timedelta(seconds=30)}, "failing"),
        ({"last_success_at": NOW - timedelta(seconds=170)}, "ok"),
        ({"last_success_at": NOW - timedelta(seconds=190)}, "late"),
        ({"last_success_at": None, "first_attempt_at": NOW - timedelta(seconds=190)}, "late"),
        ({"last_success_at": NOW - timedelta(seconds=30), "uptime": 0.63}, "unstable"),
        ({"last_success_at": NOW - timedelta(seconds=30), "uptime": 0.9}, "ok"),
        ({"last_success_at": NOW - timedelta(seconds=190), "uptime": 0.5}, "late"),
    ],
)
def test_classify(kwargs, expected):
    args = {
        "enabled": True,
        "last_run_succeeded": True,
        "last_success_at": None,
        "first_attempt_at": None,
        "gap_seconds": 60,
        "uptime": None,
        "now": NOW,
        **kwargs,
    }
    assert classify(Staleness(after_gaps=3, min_uptime=0.9), **args) == expected


def test_sparkline_scales_from_lowest_to_highest():
    assert sparkline((1.0, 2.0, 3.0)) == "▁▅█" and sparkline((0.0, 7.0, 1.0)) == "▁█▂"
    assert sparkline((2.0, 2.0)) == "▁▁" and sparkline(()) == ""


@pytest.fixture
def small():
    return load_catalogue(SMALL)


def add_run(
    engine,
    source,
    status,
    ended,
    seconds=1.0,
    accepted=0,
    rejected=0,
    error_class=None,
    message=None,
):
    with begin_write(engine) as conn:
        return conn.execute(
            CollectionRun.__table__.insert()
            .values(
                source_id=source,
                trigger="schedule",
                started_at=ended - timedelta(seconds=seconds),
                finished_at=ended,
                status=status,
                rows_accepted=accepted,
                rows_rejected=rejected,
                error_class=error_class,
                message=message,
                message_id=f"pesan: {message}" if message else None,
            )
            .returning(CollectionRun.id)
        ).scalar_one()


def test_source_health_from_the_store(engine, small):
    sync_catalogue(engine, small)
    minute = timedelta(minutes=1)
    # dinkes-feed: a month-old failure (outside 30 days), then 3 ok, 1 failed, and a partial last.
    add_run(engine, "dinkes-feed", "failed", NOW - timedelta(days=31), error_class="timeout")
    for i, (seconds, rows) in enumerate([(1.0, 100), (2.0, 104), (3.0, 98)]):
        add_run(
            engine, "dinkes-feed", "ok", NOW - (10 - i) * minute, seconds=seconds, accepted=rows
        )
    add_run(
        engine,
        "dinkes-feed",
        "failed",
        NOW - 3 * minute,
        seconds=5.0,
        error_class="http",
        message="HTTP 503",
    )
    last = add_run(
        engine, "dinkes-feed", "partial", NOW - 1 * minute, seconds=4.0, accepted=20, rejected=2
    )
    # naker-feed: failing twice in a row, never succeeded.
    add_run(engine, "naker-feed", "failed", NOW - 2 * minute, error_class="auth", message="401")
    add_run(engine, "naker-feed", "failed", NOW - 1 * minute, error_class="auth", message="401")
    with begin_write(engine) as conn:
        conn.execute(
            QuarantinedRow.__table__.insert().values(
                run_id=last,
                source_id="dinkes-feed",
                row_number=7,
                raw={"wilayah": "Atlantis", "nilai": "1"},
                reasons=[
                    {
                        "column": "wilayah",
                        "value": "Atlantis",
                        "reason_id": "wilayah 'Atlantis' tidak dikenal",
                        "reason_en": "region 'Atlantis' is unknown",
                    }
                ],
            )
        )
    beat(
        engine,
        "scheduler:h:1",
        "scheduler",
        {"jobs": {"source:dinkes-feed": (NOW + 30 * timedelta(seconds=1)).isoformat()}},
    )

    # 80 % uptime passes a 0.8 floor (the default 0.9 would call it unstable: see below).
    tolerant = small.model_copy(update={"staleness": Staleness(min_uptime=0.8)})
    with engine.connect() as conn:
        healths = {h.source_id: h for h in load_source_health(conn, tolerant, NOW)}
        strict = {h.source_id: h.health for h in load_source_health(conn, small, NOW)}
    assert strict == {"dinkes-feed": "unstable", "naker-feed": "failing"}
    dinkes, naker = healths["dinkes-feed"], healths["naker-feed"]
    assert dinkes.health == "ok" and naker.health == "failing"
    assert dinkes.skpd_id == "dinkes" and dinkes.indicators == ("LIV.STUNTING", "LIV.BOR")
    assert dinkes.last_attempt.id == last and dinkes.last_success_at == NOW - minute
    assert dinkes.next_run_at == NOW + timedelta(seconds=30)
    assert dinkes.durations[-5:] == (1.0, 2.0, 3.0, 5.0, 4.0)
    assert dinkes.rows_last == 20 and dinkes.rows_usual == 99.0  # median of 100, 104, 98, 20
    assert dinkes.last_error.error_class == "http" and dinkes.consecutive_failures == 0
    assert dinkes.uptime == pytest.approx(4 / 5)  # the 31-day-old failure is outside the window
    assert (dinkes.last_run_id, dinkes.last_run_rejected) == (last, 2)
    assert naker.consecutive_failures == 2 and naker.uptime == 0 and naker.rows_last is None
    assert naker.next_run_at is None  # the heartbeat lists no job for it

    page = sources_page(small, list(healths.values()), NOW - timedelta(seconds=10), NOW, "id")
    assert page.counts == {
        "ok": 1,
        "unstable": 0,
        "late": 0,
        "failing": 1,
        "disabled": 0,
        "unknown": 0,
    }
    assert [g.skpd_id for g in page.groups] == ["dinkes", "disnakertrans"]
    row = page.groups[0].rows[0]
    assert row.health_label == "OK" and row.next_run.startswith("dalam 30 detik")
    # Just due (the heartbeat has not reported the next time yet) is "now"; long past, "overdue".
    soon = sources_page(small, [dinkes], NOW, NOW + timedelta(seconds=60), "id").groups[0].rows[0]
    late = sources_page(small, [dinkes], NOW, NOW + timedelta(minutes=5), "en").groups[0].rows[0]
    assert (soon.next_run, late.next_run) == ("sekarang", "overdue")
    assert row.rows == "20 (99)" and row.rows_unusual
    assert row.uptime == "80,0 %" and row.duration == "4,0 s"
    # A sentence in the reader's language, since the failure began; the detail behind it.
    assert row.error_class == "http"
    assert (
        row.error_message.startswith("Sumber ")
        and "tidak menjawab (HTTP 503) sejak" in row.error_message
    )
    assert row.error_message.endswith("WITA")
    assert row.error_detail == "http: pesan: HTTP 503"
    assert row.rejected_href == f"/ops/sources?run={last}"
    assert page.scheduler_ok and page.scheduler.startswith("Penjadwal terakhir melapor")

    english = sources_page(small, list(healths.values()), None, NOW, "en", only_problems=True)
    assert [g.skpd_id for g in english.groups] == ["disnakertrans"]
    assert (
        english.groups[0].rows[0].health_label == "Failing"
        and english.groups[0].summary == "0/1 OK"
    )
    assert not english.scheduler_ok and english.scheduler == "The scheduler has never reported"

    rejected = load_rejected(engine, last, "en")
    assert rejected.title == f"Rows rejected in run #{last} (dinkes-feed)"
    assert rejected.rows[0].row_number == 7 and rejected.rows[0].reasons == (
        "wilayah: region 'Atlantis' is unknown",
    )
    assert load_rejected(engine, 999999, "id").empty == "Proses #999999 tidak ditemukan."


def test_disabled_and_late_sources(engine, small):
    sync_catalogue(engine, small)
    sources = [
        s.model_copy(update={"enabled": False}) if s.id == "naker-feed" else s
        for s in small.sources
    ]
    catalogue = small.model_copy(update={"sources": sources})
    add_run(engine, "dinkes-feed", "ok", NOW - timedelta(minutes=5))  # every 60 s: 5 gaps behind
    with engine.connect() as conn:
        healths = {h.source_id: h.health for h in load_source_health(conn, catalogue, NOW)}
    assert healths == {"dinkes-feed": "late", "naker-feed": "disabled"}
