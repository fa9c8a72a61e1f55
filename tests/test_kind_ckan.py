"""CKAN datastore_search: recorded pages, CKAN's own error envelopes, paging over loopback."""

from __future__ import annotations

import json
from datetime import date

import pytest
from payloads import kit

from collectors.base import ParseError, PermanentFetchError
from collectors.ckan import KIND


def both_pages() -> bytes:
    # What fetch archives: the page bodies, byte for byte, as one JSON array.
    return (
        b"["
        + kit.recorded("ckan/datastore_search_p1.json")
        + b","
        + kit.recorded("ckan/datastore_search_p2.json")
        + b"]"
    )


def test_recorded_pages_map_every_record():
    result = kit.parse("naker-ckan", both_pages())
    assert len(result.rows) == 180 and not kit.reasons(result)
    first = result.rows[0]
    assert (first.indicator, first.region, first.period_start, first.grain, first.value) == (
        "ECO.PENEMPATAN",
        "71.01",
        date(2025, 1, 1),
        "month",
        37.0,
    )
    assert first.raw["nama_kabupaten_kota"] == "KABUPATEN BOLAANG MONGONDOW"
    assert result.bookmark == "2025-12-01"


def test_bps_codes_of_the_portal_become_kemendagri_codes():
    result = kit.parse("naker-ckan", both_pages())
    by_name = {c.raw["nama_kabupaten_kota"]: c.region for c in result.rows}
    assert by_name["KABUPATEN MINAHASA TENGGARA"] == "71.07"  # BPS 7109
    assert by_name["KABUPATEN BOLAANG MONGONDOW UTARA"] == "71.08"  # BPS 7107
    assert by_name["KABUPATEN SIAU TAGULANDANG BIARO"] == "71.09"  # BPS 7108
    assert by_name["KABUPATEN BOLAANG MONGONDOW SELATAN"] == "71.11"  # BPS 7110
    assert by_name["KABUPATEN BOLAANG MONGONDOW TIMUR"] == "71.10"  # BPS 7111


@pytest.mark.parametrize(
    "name, error_class, text",
    [
        (
            "ckan/error_not_found.json",
            "http",
            'Not Found Error: Not found: Resource "3f1c2a9e-0000" was not found.',
        ),
        (
            "ckan/error_validation.json",
            "schema",
            "Validation Error: filters: ['field \"tahunn\" not in table']",
        ),
        ("ckan/error_authorization.json", "auth", "Authorization Error: Access denied"),
    ],
)
def test_a_failure_envelope_fails_with_ckans_message(name, error_class, text):
    with pytest.raises(ParseError) as err:
        kit.parse("naker-ckan", kit.recorded(name))
    assert err.value.error_class == error_class
    assert text in err.value.message_en and "CKAN menjawab" in err.value.message_id


def test_a_single_complete_page_saved_by_hand_is_read():
    page = kit.ckan_page(kit.ckan_dataset()[:40], offset=0, limit=100)
    assert len(kit.parse("naker-ckan", page).rows) == 40


def test_a_partial_set_of_pages_is_refused_not_stored_as_if_complete():
    with pytest.raises(ParseError) as err:
        kit.parse("naker-ckan", kit.recorded("ckan/datastore_search_p1.json"))
    assert err.value.error_class == "schema" and "100 of 180" in err.value.message_en


def test_a_declared_column_missing_from_the_resource_lists_its_fields():
    with pytest.raises(ParseError) as err:
        kit.parse(
            "naker-ckan",
            both_pages(),
            {
                "columns": {
                    "region": "kode_kab",
                    "year": "tahun",
                    "period": "bulan",
                    "value": "jumlah_penempatan",
                }
            },
        )
    assert err.value.error_class == "schema"
    assert (
        "column 'kode_kab' is missing" in err.value.message_en
        and "'kode_kabupaten_kota'" in err.value.message_en
    )


# --- fetch over a loopback CKAN --------------------------------------------------------------


class FakeCkan:
    """datastore_search as CKAN answers it: limit/offset/filters, a failure envelope on demand."""

    def __init__(self, records, fail: dict[int, tuple[int, dict]] | None = None):
        self.records = records
        self.fail = dict(fail or {})
        self.calls = 0

    def __call__(self, path, query):
        self.calls += 1
        if self.calls in self.fail:
            status, body = self.fail.pop(self.calls)
            return status, json.dumps(body).encode(), "application/json"
        assert path == "/api/3/action/datastore_search"
        filters = json.loads(query["filters"][0]) if "filters" in query else {}
        rows = [r for r in self.records if all(r.get(k) == v for k, v in filters.items())]
        page = kit.ckan_page(
            rows,
            offset=int(query.get("offset", ["0"])[0]),
            limit=int(query["limit"][0]),
            filters=filters or None,
        )
        return 200, json.dumps(page).encode(), "application/json"


def fetch(server, **options):
    ctx = kit.context("naker-ckan", {"base_url": server.url, **options})
    return KIND.fetch(ctx), ctx


def test_fetch_pages_until_a_short_page():
    fake = FakeCkan(kit.ckan_dataset(2025) + kit.ckan_dataset(2026))
    with kit.Loopback(fake) as server:
        payload, ctx = fetch(server, page_size=50, filters={"tahun": 2025})
    offsets = [q["offset"][0] for _, q in server.requests]
    assert offsets == ["0", "50", "100", "150"]  # 180 records: 50, 50, 50, 30
    assert all(
        q["filters"] == ['{"tahun":2025}'] and q["limit"] == ["50"] for _, q in server.requests
    )
    assert payload.meta["pages"] == 4
    pages = json.loads(payload.content)
    assert [len(p["result"]["records"]) for p in pages] == [50, 50, 50, 30]
    result = KIND.parse(payload, ctx)
    assert len(result.rows) == 180 and not kit.reasons(result)


def test_fetch_stops_on_an_empty_page_when_the_total_is_a_multiple_of_the_page_size():
    with kit.Loopback(FakeCkan(kit.ckan_dataset()[:150])) as server:
        payload, ctx = fetch(server, page_size=50, filters={})
    assert [q["offset"][0] for _, q in server.requests] == ["0", "50", "100", "150"]
    assert len(KIND.parse(payload, ctx).rows) == 150


@pytest.mark.parametrize(
    "status, kind, error_class",
    [
        (404, "Not Found Error", "http"),
        (409, "Validation Error", "schema"),
        (403, "Authorization Error", "auth"),
        (200, "Not Found Error", "http"),  # a failure envelope even with HTTP 200
    ],
)
def test_fetch_fails_with_ckans_own_message(status, kind, error_class):
    error = (
        {"message": "Not found: Resource was not found."}
        if kind != "Validation Error"
        else {"offset": ["Must be a natural number"]}
    )
    with kit.Loopback(FakeCkan([], fail={1: (status, kit.ckan_error(kind, **error))})) as server:
        with pytest.raises(PermanentFetchError) as err:
            fetch(server)
    assert err.value.error_class == error_class
    assert kind in err.value.message_en
    assert (
        "Must be a natural number" if kind == "Validation Error" else "Resource was not found"
    ) in err.value.message_en


def test_a_server_error_mid_paging_is_retried():
    fake = FakeCkan(kit.ckan_dataset(), fail={2: (503, {"error": "busy"})})
    with kit.Loopback(fake) as server:
        payload, ctx = fetch(server, page_size=100, filters={})
    assert [q["offset"][0] for _, q in server.requests] == ["0", "100", "100"]
    assert len(KIND.parse(payload, ctx).rows) == 180


def test_a_runaway_resource_stops_at_max_pages():
    with kit.Loopback(FakeCkan(kit.ckan_dataset())) as server:
        with pytest.raises(PermanentFetchError) as err:
            fetch(server, page_size=10, max_pages=3, filters={})
    assert err.value.error_class == "too_large" and len(server.requests) == 3


def test_a_non_json_page_fails_the_fetch():
    with (
        kit.Loopback(lambda path, query: (200, b"<html>Maintenance</html>", "text/html")) as server,
        pytest.raises(PermanentFetchError) as err,
    ):
        fetch(server)
    assert err.value.error_class == "format"
