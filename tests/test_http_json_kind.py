"""The generic HTTP JSON kind: pure parse over recorded payloads, fetch over loopback."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from collectors.base import ParseError, Payload, SourceContext, TransientFetchError
from collectors.http_json import KIND, HttpJsonOptions
from dashboard.catalogue import load_catalogue
from dashboard.regions import RegionRegistry

SMALL = Path(__file__).parent / "catalogue_small"


@pytest.fixture(scope="module")
def small():
    return load_catalogue(SMALL)


def ctx(catalogue, source_id="dinkes-feed", **kw):
    return SourceContext(
        catalogue.source(source_id),
        catalogue.source_options[source_id],
        catalogue,
        RegionRegistry(catalogue.regions),
        **kw,
    )


def payload(obj) -> Payload:
    return Payload(json.dumps(obj).encode(), "application/json")


def test_records_are_typed_with_names_and_indonesian_numbers(small):
    result = KIND.parse(
        payload(
            {
                "data": [
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "KOTA MANADO",
                        "periode": "2026-09",
                        "nilai": "21,5",
                    },
                    {
                        "indikator": "LIV.BOR",
                        "wilayah": "Mitra",
                        "periode": "2026-09-14",
                        "nilai": "1.074,0",
                    },
                ]
            }
        ),
        ctx(small),
    )
    first, second = result.rows
    assert (first.indicator, first.region, first.period_start, first.grain, first.value) == (
        "LIV.STUNTING",
        "71.71",
        date(2026, 9, 1),
        "month",
        21.5,
    )
    assert (second.region, second.period_start, second.value) == ("71.07", date(2026, 9, 1), 1074.0)
    assert not first.reasons and not second.reasons
    assert result.bookmark == "2026-09-01"


def test_bps_codes_are_translated_to_kemendagri(small):
    result = KIND.parse(
        payload(
            {
                "result": {
                    "records": [
                        {"kode_bps": "7109", "bulan": "2026-10", "jumlah": 120},
                    ]
                }
            }
        ),
        ctx(small, "naker-feed"),
    )
    assert result.rows[0].region == "71.07"  # Minahasa Tenggara: BPS 7109, Kemendagri 71.07
    assert result.rows[0].indicator == "ECO.PLACEMENTS"


@pytest.mark.parametrize(
    "record, column, reason_en",
    [
        (
            {
                "indikator": "LIV.STUNTING",
                "wilayah": "Atlantis",
                "periode": "2026-09",
                "nilai": "1",
            },
            "wilayah",
            "region 'Atlantis' is unknown",
        ),
        (
            {
                "indikator": "LIV.STUNTING",
                "wilayah": "Manado",
                "periode": "2026-09",
                "nilai": "12a",
            },
            "nilai",
            "'12a' is not a number",
        ),
        (
            {"indikator": "LIV.STUNTING", "wilayah": "Manado", "periode": "2026-09", "nilai": "-"},
            "nilai",
            "value is missing",
        ),
        (
            {
                "indikator": "LIV.STUNTING",
                "wilayah": "Manado",
                "periode": "September",
                "nilai": "1",
            },
            "periode",
            "'September' is not a period I can read",
        ),
        (
            {"indikator": "NOPE", "wilayah": "Manado", "periode": "2026-09", "nilai": "1"},
            "indikator",
            "indicator 'NOPE' is unknown",
        ),
        # A year is not silently read as January of a monthly series.
        (
            {"indikator": "LIV.STUNTING", "wilayah": "Manado", "periode": "2026", "nilai": "1"},
            "periode",
            "'2026' is a yearly period but this indicator is monthly",
        ),
        # Strict locale parsing: "5.8" is not a valid Indonesian number (it would silently be 58).
        (
            {
                "indikator": "LIV.STUNTING",
                "wilayah": "Manado",
                "periode": "2026-09",
                "nilai": "5.8",
            },
            "nilai",
            "'5.8' is not a number",
        ),
    ],
)
def test_bad_fields_give_a_reason_naming_the_column(small, record, column, reason_en):
    (row,) = KIND.parse(payload({"data": [record]}), ctx(small)).rows
    assert [(r.column, r.en) for r in row.reasons] == [(column, reason_en)]
    assert row.reasons[0].id  # and in Bahasa Indonesia


@pytest.mark.parametrize(
    "content, error_class",
    [
        (b"<html>maintenance</html>", "format"),
        (json.dumps({"data": {"not": "a list"}}).encode(), "schema"),
        (b"[" * 100_000 + b"]" * 100_000, "too_large"),
    ],
)
def test_unreadable_payloads_fail_the_run_with_a_class(small, content, error_class):
    with pytest.raises(ParseError) as info:
        KIND.parse(Payload(content), ctx(small))
    assert info.value.error_class == error_class


class _Feed(BaseHTTPRequestHandler):
    calls: list[str] = []
    status = 200

    def do_GET(self):
        type(self).calls.append(self.path)
        body = json.dumps({"data": []}).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server(monkeypatch):
    _Feed.calls, _Feed.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ODSK_TEST_FEED_URL", f"http://127.0.0.1:{server.server_port}/feed.json")
    yield _Feed
    server.shutdown()


def test_fetch_sends_backfill_then_bookmark(feed_server):
    catalogue = load_catalogue(SMALL)
    KIND.fetch(ctx(catalogue, backfill=True))
    KIND.fetch(ctx(catalogue, bookmark="2026-09-01"))
    assert feed_server.calls == ["/feed.json?history=60", "/feed.json?since=2026-09-01"]


def test_server_errors_are_transient_and_retried(feed_server):
    feed_server.status = 503
    catalogue = load_catalogue(SMALL)
    with pytest.raises(TransientFetchError):
        KIND.fetch(ctx(catalogue))
    assert len(feed_server.calls) == 3  # tenacity: three attempts, then give up


def mixed_feed(catalogue) -> SourceContext:
    """A statistics office's JSON feed carrying a monthly and a yearly indicator."""
    options = {
        "url": "http://127.0.0.1:9/tabel.json",
        "records": "hasil.data",
        "fields": {"indicator": "var", "region": "kode_bps", "period": "periode", "value": "nilai"},
        "indicator_map": {"IPM": "SOC.IPM", "INFLASI_YOY": "ECO.INFLASI"},
        "region_system": "bps",
    }
    source = catalogue.source("dinkes-sik").model_copy(
        update={"id": "bps-json", "indicators": ["SOC.IPM", "ECO.INFLASI"], "options": options}
    )
    return SourceContext(
        source,
        HttpJsonOptions.model_validate(options),
        catalogue,
        RegionRegistry(catalogue.regions),
    )


def test_the_bookmark_waits_for_the_indicator_furthest_behind(catalogue):
    """BPS publishes inflation monthly and IPM yearly in one feed. Bookmarking October 2026
    (the newest month) would make the next pull ask `since=2026-10-01` and never receive
    IPM 2026 (period 2026-01-01); the bookmark is IPM's latest year instead."""
    result = KIND.parse(
        payload(
            {
                "hasil": {
                    "data": [
                        {
                            "var": "INFLASI_YOY",
                            "kode_bps": "7100",
                            "periode": "2026-09",
                            "nilai": 2.31,
                        },
                        {
                            "var": "INFLASI_YOY",
                            "kode_bps": "7100",
                            "periode": "2026-10",
                            "nilai": 2.41,
                        },
                        {"var": "IPM", "kode_bps": "7100", "periode": "2024", "nilai": 73.88},
                        {"var": "IPM", "kode_bps": "7100", "periode": "2025", "nilai": 74.32},
                    ]
                }
            }
        ),
        mixed_feed(catalogue),
    )
    assert not any(r.reasons for r in result.rows)
    assert result.bookmark == "2025-01-01"


def test_a_backfill_can_be_asked_for_again(feed_server, sqlite_url, tmp_path):
    from click.testing import CliRunner

    from dashboard.cli import main

    env = {
        "ODSK_CONFIG_DIR": str(SMALL),
        "ODSK_DATA_DIR": str(tmp_path),
        "ODSK_DATABASE_URL": sqlite_url,
        "ODSK_REDIS_URL": "",
    }
    for args in (
        ["collect", "dinkes-feed"],
        ["collect", "dinkes-feed"],
        ["collect", "dinkes-feed", "--backfill"],
    ):
        assert CliRunner().invoke(main, args, env=env, catch_exceptions=False).exit_code == 0
    # the first run fetches history, the next the latest, --backfill the history again
    assert feed_server.calls == ["/feed.json?history=60", "/feed.json", "/feed.json?history=60"]
