"""SKPD data compliance for a crafted month: every count exact, the ranking, the workbook."""

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from dashboard.catalogue import load_catalogue
from dashboard.catalogue.periods import due_moment
from dashboard.compliance.rules import default_month, expected_periods, judge
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.health import first_deliveries
from dashboard.store.schema import Observation, ObservationRevision
from dashboard.views.compliance import compliance_workbook, load_compliance

SMALL = Path(__file__).parent / "catalogue_small"
SEPT = date(2026, 9, 1)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The small catalogue plus a quarterly, a yearly and a daily indicator, own deadlines, an SKPD with nothing to send."""
    folder = tmp_path_factory.mktemp("catalogue")
    for f in SMALL.iterdir():
        shutil.copy(f, folder / f.name)
    skpd = yaml.safe_load((folder / "skpd.yaml").read_text())
    days = {"dinkes": 5, "disnakertrans": 10}
    for s in skpd["skpd"]:
        s["delivery_day"] = days[s["id"]]
    skpd["skpd"].append(
        {"id": "bappeda", "name": "Bappeda", "short_name": "Bappeda", "delivery_day": 10}
    )
    (folder / "skpd.yaml").write_text(yaml.safe_dump(skpd))
    indicators = yaml.safe_load((folder / "indicators.yaml").read_text())
    base = {
        "unit": "%",
        "domain": "living",
        "application": "e-health",
        "skpd": "dinkes",
        "direction": "up",
        "aggregation": "mean",
        "classification": "public",
    }
    indicators["indicators"] += [
        {**base, "code": "LIV.TB", "name": "TB", "frequency": "quarterly"},
        {**base, "code": "LIV.PM", "name": "PM", "frequency": "daily"},
        {
            **base,
            "code": "ECO.TPT",
            "name": "TPT",
            "frequency": "yearly",
            "skpd": "disnakertrans",
            "domain": "economy",
            "application": "e-employment",
        },
    ]
    (folder / "indicators.yaml").write_text(yaml.safe_dump(indicators, allow_unicode=True))
    return load_catalogue(folder)


def test_deadline_is_the_end_of_the_delivery_day_in_wita():
    assert due_moment(SEPT, "month", 5) == utc(2026, 10, 5, 16, 0)  # 6 Oct 00:00 WITA
    assert due_moment(date(2026, 12, 1), "month", 10) == utc(2027, 1, 10, 16, 0)


def test_what_is_expected_in_a_month(catalogue):
    assert sorted(expected_periods(catalogue, SEPT)) == [
        ("dinkes", "LIV.BOR", SEPT, "month"),
        ("dinkes", "LIV.STUNTING", SEPT, "month"),
        ("dinkes", "LIV.TB", date(2026, 7, 1), "quarter"),
        ("disnakertrans", "ECO.PLACEMENTS", SEPT, "month"),
    ]
    assert ("disnakertrans", "ECO.TPT", date(2026, 1, 1), "year") in expected_periods(
        catalogue, date(2026, 12, 1)
    )
    assert (
        len(expected_periods(catalogue, date(2026, 10, 1))) == 3
    )  # no quarter, no year ends in October


def observe(conn, code, period, grain, ingested_at, region="71", value=1.0):
    return conn.execute(
        Observation.__table__.insert()
        .values(
            indicator_code=code,
            region_code=region,
            period_start=period,
            grain=grain,
            value=value,
            source_id="dinkes-feed",
            ingested_at=ingested_at,
            revision=1,
        )
        .returning(Observation.id)
    ).scalar_one()


@pytest.fixture
def crafted(engine, catalogue):
    sync_catalogue(engine, catalogue)
    with begin_write(engine) as conn:
        # On time by one minute: 23.59 WITA on the 5th.
        observe(conn, "LIV.STUNTING", SEPT, "month", utc(2026, 10, 5, 15, 59))
        observe(
            conn, "LIV.STUNTING", SEPT, "month", utc(2026, 10, 30), region="71.71"
        )  # a later region
        # Revised late, but first delivered on time: the revision table remembers.
        bor = observe(conn, "LIV.BOR", SEPT, "month", utc(2026, 10, 20))
        conn.execute(
            ObservationRevision.__table__.insert().values(
                observation_id=bor,
                revision=1,
                value=70.0,
                source_id="dinkes-feed",
                ingested_at=utc(2026, 10, 3),
                superseded_at=utc(2026, 10, 20),
            )
        )
        # Late: the quarter's data came on the 7th.
        observe(conn, "LIV.TB", date(2026, 7, 1), "quarter", utc(2026, 10, 7, 2))
        # Not September's: another month, and the right period at the wrong grain.
        observe(conn, "ECO.PLACEMENTS", date(2026, 8, 1), "month", utc(2026, 9, 2))
        observe(conn, "ECO.PLACEMENTS", SEPT, "day", utc(2026, 10, 1))
    return engine


def test_first_deliveries_take_the_earliest_ingestion(crafted):
    with crafted.connect() as conn:
        found = first_deliveries(
            conn, ["LIV.STUNTING", "LIV.BOR", "LIV.TB", "ECO.PLACEMENTS"], [SEPT, date(2026, 7, 1)]
        )
    assert found == {
        ("LIV.STUNTING", SEPT, "month"): utc(2026, 10, 5, 15, 59),
        ("LIV.BOR", SEPT, "month"): utc(2026, 10, 3),
        ("LIV.TB", date(2026, 7, 1), "quarter"): utc(2026, 10, 7, 2),
        ("ECO.PLACEMENTS", SEPT, "day"): utc(2026, 10, 1),
    }


def test_compliance_numbers_for_a_crafted_month_are_exact(crafted, catalogue):
    page = load_compliance(crafted, catalogue, SEPT, utc(2026, 11, 1), "id", history_months=2)
    rows = {
        r.skpd: (r.rank, r.expected, r.on_time, r.late, r.missing, r.pending, r.score)
        for r in page.ranking
    }
    assert rows == {
        "Dinkes": ("1", 3, 2, 1, 0, 0, "66,7 %"),
        "Disnakertrans": ("2", 1, 0, 0, 1, 0, "0,0 %"),
        "Bappeda": ("—", 0, 0, 0, 0, 0, "—"),
    }
    assert [r.skpd for r in page.ranking] == ["Dinkes", "Disnakertrans", "Bappeda"]
    statuses = {d.indicator.split(" — ")[0]: d.status for d in page.details}
    assert statuses == {
        "LIV.STUNTING": "on_time",
        "LIV.BOR": "on_time",
        "LIV.TB": "late",
        "ECO.PLACEMENTS": "missing",
    }
    stunting = next(d for d in page.details if d.indicator.startswith("LIV.STUNTING"))
    assert stunting.due == "Senin, 5 Oktober 2026 23.59 WITA"
    assert stunting.delivered == "Senin, 5 Oktober 2026 23.59 WITA"
    assert page.history_months == ("Agu 2026", "Sep 2026")
    assert dict(page.history)["Disnakertrans"] == (
        "100,0 %",
        "0,0 %",
    )  # August placements came on 2 Sep
    assert [m for m, _ in page.months] == ["2026-09", "2026-08"]


def test_before_the_deadline_nothing_is_missing_yet(crafted, catalogue):
    with crafted.connect() as conn:
        deliveries = first_deliveries(
            conn, ["ECO.PLACEMENTS", "LIV.STUNTING", "LIV.BOR", "LIV.TB"], [SEPT, date(2026, 7, 1)]
        )
    summaries, _items = judge(catalogue, SEPT, deliveries, utc(2026, 10, 8))
    naker = next(s for s in summaries if s.skpd_id == "disnakertrans")
    assert (naker.expected, naker.pending, naker.missing, naker.score, naker.rank) == (
        1,
        1,
        0,
        None,
        None,
    )


def test_default_month_is_the_latest_with_every_deadline_past(catalogue):
    assert default_month(catalogue, utc(2026, 11, 28)) == date(2026, 10, 1)
    assert default_month(catalogue, utc(2026, 11, 3)) == date(
        2026, 9, 1
    )  # October's deadlines are still ahead


def test_excel_export_holds_the_same_numbers(crafted, catalogue):
    page = load_compliance(crafted, catalogue, SEPT, utc(2026, 11, 1), "en", history_months=2)
    book = load_workbook(io.BytesIO(compliance_workbook(page)))
    assert book.sheetnames == ["Ranking", "Details", "History"]
    ranking = [[c.value for c in row] for row in book["Ranking"].iter_rows(min_row=2)]
    assert ranking[0] == [
        "Rank",
        "SKPD",
        "Expected",
        "On time",
        "Late",
        "Missing",
        "Not yet due",
        "Before monitoring",
        "Compliance",
    ]
    assert ranking[1] == ["1", "Dinkes", 3, 2, 1, 0, 0, 0, 66.7]
    assert ranking[2] == ["2", "Disnakertrans", 1, 0, 0, 1, 0, 0, 0.0]
    assert book["Details"].max_row == 2 + 4
    assert book["Ranking"]["A1"].value == "SKPD data compliance — Sep 2026"


def test_deadlines_before_the_command_centre_collected_are_not_judged(crafted, catalogue):
    """A first run backfills history after its deadlines: that says nothing about the SKPD.
    Dinkes' sources were first collected on 6 October 12:00 UTC, after its September
    deadline (5 Oct, end of day WITA); Disnakertrans' is 10 October, when the centre was
    already collecting."""
    with crafted.connect() as conn:
        deliveries = first_deliveries(
            conn, ["ECO.PLACEMENTS", "LIV.STUNTING", "LIV.BOR", "LIV.TB"], [SEPT, date(2026, 7, 1)]
        )
    since = {code: utc(2026, 10, 6, 12) for code in ("LIV.STUNTING", "LIV.BOR", "LIV.TB")}
    summaries, items = judge(catalogue, SEPT, deliveries, utc(2026, 11, 1), since)
    assert {i.indicator_code: i.status for i in items} == {
        "LIV.STUNTING": "on_time",
        "LIV.BOR": "on_time",  # they came before the deadline all the same
        "LIV.TB": "before",  # came on 7 Oct, after a deadline that passed before anyone was watching
        "ECO.PLACEMENTS": "missing",
    }  # never collected: the centre's start (6 Oct) applies, before its deadline
    dinkes = next(s for s in summaries if s.skpd_id == "dinkes")
    assert (dinkes.before, dinkes.late, dinkes.score) == (1, 0, 1.0)
    late_start = {code: utc(2026, 10, 20) for code in since}
    summaries, items = judge(catalogue, SEPT, deliveries, utc(2026, 11, 1), late_start)
    assert {i.indicator_code: i.status for i in items}["ECO.PLACEMENTS"] == "before"
    naker = next(s for s in summaries if s.skpd_id == "disnakertrans")
    assert (naker.before, naker.missing, naker.score, naker.rank) == (
        1,
        0,
        None,
        None,
    )  # nothing judged
