"""BMKG earthquake feeds, JSON and XML, into events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from payloads import kit

from collectors.base import ParseError
from collectors.bmkg import KIND

FEEDS = ["autogempa", "gempaterkini", "gempadirasakan"]


def parse(feed: str, fmt: str, content=None):
    content = kit.recorded(f"bmkg/{feed}.{fmt}") if content is None else content
    return kit.parse("bmkg-gempa", content, {"feed": feed, "format": fmt})


def test_autogempa_becomes_one_earthquake_event():
    result = parse("autogempa", "json")
    assert result.rows == []
    (event,) = result.events
    assert event.kind == "earthquake"
    assert event.occurred_at == datetime(2026, 3, 14, 18, 22, 5, tzinfo=UTC)
    assert (event.lat, event.lon, event.magnitude, event.depth_km) == (3.95, 126.62, 5.6, 38.0)
    assert event.description == "Pusat gempa berada di laut 58 km BaratLaut Kep. Talaud"
    assert event.extra["Potensi"] == "Tidak berpotensi tsunami"
    assert event.extra["Dirasakan"] == "III Melonguane, II - III Tahuna"
    assert event.extra["Shakemap"] == "20260315012205.mmi.jpg"
    assert event.external_id == "bmkg:2026-03-14T18:22:05Z@3.95,126.62"


@pytest.mark.parametrize(
    "feed, count", [("autogempa", 1), ("gempaterkini", 5), ("gempadirasakan", 3)]
)
def test_json_and_xml_give_the_same_events(feed, count):
    from_json, from_xml = parse(feed, "json").events, parse(feed, "xml").events
    assert len(from_json) == count
    assert [
        (
            e.external_id,
            e.occurred_at,
            e.lat,
            e.lon,
            e.magnitude,
            e.depth_km,
            e.description,
            e.extra,
        )
        for e in from_json
    ] == [
        (
            e.external_id,
            e.occurred_at,
            e.lat,
            e.lon,
            e.magnitude,
            e.depth_km,
            e.description,
            e.extra,
        )
        for e in from_xml
    ]


def test_the_same_earthquake_has_the_same_id_in_every_feed():
    ids = [parse(feed, "json").events[0].external_id for feed in FEEDS]
    assert len(set(ids)) == 1


def test_southern_and_western_hemispheres_come_out_negative():
    java = next(e for e in parse("gempaterkini", "json").events if "SUKABUMI" in e.description)
    assert (java.lat, java.lon) == (-7.37, 106.12)


def test_xml_coordinates_in_either_order_are_settled_by_lintang_and_bujur():
    old_style = (
        "<Infogempa><gempa><DateTime>2019-08-27T06:31:23+00:00</DateTime>"
        "<point><coordinates>122.05,1.27</coordinates></point>"
        "<Lintang>1.27 LU</Lintang><Bujur>122.05 BT</Bujur><Magnitude>5.0 SR</Magnitude>"
        "<Kedalaman>10 Km</Kedalaman><Wilayah1>84 km TimurLaut BUOL-SULTENG</Wilayah1>"
        "<Potensi>tidak berpotensi TSUNAMI</Potensi></gempa></Infogempa>"
    )
    (event,) = parse("gempaterkini", "xml", old_style).events
    assert (event.lat, event.lon, event.magnitude, event.depth_km) == (1.27, 122.05, 5.0, 10.0)
    assert event.description == "84 km TimurLaut BUOL-SULTENG"


def feed_with(**entry) -> dict:
    base = json.loads(kit.recorded("bmkg/gempaterkini.json"))
    base["Infogempa"]["gempa"][1].update(entry)
    return base


@pytest.mark.parametrize(
    "entry, column, reason",
    [
        (
            {"Coordinates": "-1.62,126.41"},
            "Coordinates",
            "coordinates '-1.62,126.41' disagree with Lintang/Bujur '1.62 LU'/'126.41 BT'",
        ),
        ({"Coordinates": "1.62;126.41"}, "Coordinates", "'1.62;126.41' is not a coordinate pair"),
        ({"Magnitude": "besar"}, "Magnitude", "'besar' is not a readable magnitude"),
        ({"Magnitude": "12.5"}, "Magnitude", "magnitude 12.5 is outside 0–10"),
        ({"Kedalaman": "44 m"}, "Kedalaman", "'44 m' is not a readable depth"),
        ({"Kedalaman": ""}, "Kedalaman", "depth is missing"),
        ({"DateTime": "kemarin"}, "DateTime", "'kemarin' is not an ISO 8601 time"),
    ],
)
def test_an_unreadable_entry_is_rejected_with_its_reason_and_the_others_kept(entry, column, reason):
    result = kit.parse("bmkg-gempa", feed_with(**entry))
    assert len(result.events) == 4
    assert kit.reasons(result) == [(2, column, reason)]
    assert result.rows[0].raw["Wilayah"] == "138 km Tenggara BITUNG-SULUT"


def test_without_datetime_the_local_time_in_wib_is_converted_to_utc():
    result = kit.parse("bmkg-gempa", feed_with(DateTime=None))
    event = next(e for e in result.events if "BITUNG" in e.description)
    assert event.occurred_at == datetime(2026, 3, 12, 7, 5, 41, tzinfo=UTC)  # 14:05:41 WIB


def test_an_entry_that_is_not_an_object_is_rejected():
    doc = {
        "Infogempa": {
            "gempa": ["oops", json.loads(kit.recorded("bmkg/autogempa.json"))["Infogempa"]["gempa"]]
        }
    }
    result = kit.parse("bmkg-gempa", doc)
    assert len(result.events) == 1 and kit.reasons(result) == [
        (1, None, "earthquake entry is not an object")
    ]


def test_xml_with_entity_expansion_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<Infogempa><gempa><Wilayah>&lol3;</Wilayah></gempa></Infogempa>"
    )
    with pytest.raises(ParseError) as err:
        parse("gempaterkini", "xml", laughs)
    assert err.value.error_class == "format" and "DTD or entities" in err.value.message_en


def test_xml_with_an_external_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Infogempa><gempa><Wilayah>&x;</Wilayah></gempa></Infogempa>"
    )
    with pytest.raises(ParseError) as err:
        parse("gempaterkini", "xml", xxe)
    assert err.value.error_class == "format"


@pytest.mark.parametrize(
    "content, fmt, error_class",
    [
        (b"<html><body>Service Unavailable</body></html>", "xml", "format"),
        (b"<Infogempa><gempa>", "xml", "format"),
        (b'{"Infogempa": {}}', "json", "schema"),
        (b"<Infogempa/>", "json", "format"),
        (b'{"Infogempa": {"gempa": []}}', "xml", "format"),
    ],
)
def test_payloads_that_are_not_the_feed_fail_the_run(content, fmt, error_class):
    with pytest.raises(ParseError) as err:
        parse("gempaterkini", fmt, content)
    assert err.value.error_class == error_class


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_fetch_over_loopback(fmt):
    body = kit.recorded(f"bmkg/gempaterkini.{fmt}")
    with kit.Loopback(lambda path, query: (200, body, f"application/{fmt}")) as server:
        ctx = kit.context("bmkg-gempa", {"base_url": f"{server.url}/DataMKG/TEWS", "format": fmt})
        payload = KIND.fetch(ctx)
    assert server.requests[0][0] == f"/DataMKG/TEWS/gempaterkini.{fmt}"
    assert len(KIND.parse(payload, ctx).events) == 5


def test_a_run_counts_its_events_in_the_summary_and_the_run_record(tmp_path, sqlite_url):
    """An earthquake run is judged by its events: 14 stored quakes and one unreadable entry are
    "1 of 15 entries rejected; 14 events read", not "1 of 1 rows rejected"."""
    from sqlalchemy import select

    from collectors.base import Payload
    from dashboard.ingest import collect
    from dashboard.runtime import Runtime
    from dashboard.settings import Settings
    from dashboard.store.catalogue_sync import sync_catalogue
    from dashboard.store.schema import CollectionRun

    good = [
        {
            "DateTime": f"2026-03-{day:02d}T07:05:41+00:00",
            "Coordinates": "1.62,126.41",
            "Lintang": "1.62 LU",
            "Bujur": "126.41 BT",
            "Magnitude": "5.1",
            "Kedalaman": "44 km",
            "Wilayah": "138 km Tenggara BITUNG-SULUT",
        }
        for day in range(1, 15)
    ]
    bad = dict(good[0], Magnitude="besar")
    content = json.dumps({"Infogempa": {"gempa": [*good, bad]}}).encode()
    rt = Runtime.from_settings(
        Settings(database_url=sqlite_url, config_dir=kit.CATALOGUE_DIR, data_dir=tmp_path)
    )
    try:
        sync_catalogue(rt.engine, rt.catalogue)
        summary = collect(rt, "bmkg-gempa", payload=Payload(content, "application/json"))
        assert (summary.status, summary.accepted, summary.rejected) == ("partial", 0, 1)
        assert (summary.events_read, summary.events) == (14, 14)
        assert summary.message == "1 of 15 entries rejected; 14 events read (14 new or changed)"
        with rt.engine.connect() as conn:
            run = conn.execute(select(CollectionRun)).one()
        assert (run.events_accepted, run.events_changed) == (14, 14)
        assert (
            run.message_id == "1 dari 15 entri ditolak; 14 kejadian dibaca (14 baru atau berubah)"
        )

        again = collect(rt, "bmkg-gempa", payload=Payload(content, "application/json"))
        assert again.message == "1 of 15 entries rejected; 14 events read (0 new or changed)"
    finally:
        rt.close()
