"""BPS WebAPI dynamic tables: exact key lookup, BPS → Kemendagri codes, 'not available yet'."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from payloads import kit

from collectors.base import ParseError, PermanentFetchError
from collectors.bps import KIND


def inflasi() -> dict:
    return json.loads(kit.recorded("bps/inflasi_monthly.json"))


def test_monthly_table_every_cell_by_its_exact_key():
    doc = inflasi()
    result = kit.parse("bps-inflasi", doc)
    assert len(result.rows) == 3 * (12 + 3) and not kit.reasons(
        result
    )  # 2025 in full, 2026 Jan-Mar
    for row in result.rows:
        key = (
            row.raw["vervar"].split()[0]
            + "2076"
            + "0"
            + row.raw["tahun"].split()[0]
            + row.raw["turtahun"].split()[0]
        )
        assert row.value == doc["datacontent"][key]
    assert result.bookmark == "2026-03-01"


def test_january_is_not_confused_with_october_to_december():
    # "…01251" is a prefix of "…012510", "…012511" and "…012512": splitting or prefix
    # matching would mix them up; exact lookup cannot.
    doc = inflasi()
    rows = {(c.region, c.period_start): c.value for c in kit.parse("bps-inflasi", doc).rows}
    for month in (1, 10, 11, 12):
        assert rows[("71.71", date(2025, month, 1))] == doc["datacontent"][f"717120760125{month}"]
    assert len({rows[("71.71", date(2025, m, 1))] for m in (1, 10, 11, 12)}) == 4


def test_bps_region_codes_become_kemendagri_codes():
    result = kit.parse("bps-ipm", kit.recorded("bps/ipm_yearly.json"))
    assert len(result.rows) == 16 * 3 and not kit.reasons(result)
    by_bps = {c.raw["vervar"].split()[0]: c.region for c in result.rows}
    assert by_bps["7109"] == "71.07" and by_bps["7107"] == "71.08" and by_bps["7108"] == "71.09"
    assert by_bps["7111"] == "71.10" and by_bps["7110"] == "71.11"
    assert by_bps["7100"] == "71" and by_bps["7171"] == "71.71"
    assert {c.period_start for c in result.rows} == {
        date(2023, 1, 1),
        date(2024, 1, 1),
        date(2025, 1, 1),
    }
    assert {c.grain for c in result.rows} == {"year"}


@pytest.mark.parametrize("availability", ["list-not-available", "not-available", None])
def test_data_not_available_yet_is_an_empty_run_not_a_failure(availability):
    doc = (
        {"status": "OK"}
        if availability is None
        else {"status": "OK", "data-availability": availability}
    )
    result = kit.parse("bps-ipm", doc, bookmark="2025-01-01")
    assert result.rows == [] and result.events == [] and result.frame is None
    assert result.bookmark == "2025-01-01"
    assert kit.parse("bps-ipm", kit.recorded("bps/not_available.json")).rows == []


def test_an_error_status_fails_with_bps_message():
    with pytest.raises(ParseError) as err:
        kit.parse("bps-ipm", kit.recorded("bps/invalid_key.json"))
    assert err.value.error_class == "http" and "Invalid Key" in err.value.message_en


def test_the_annual_column_is_read_only_when_not_skipped_and_then_rejected_visibly():
    result = kit.parse("bps-inflasi", inflasi(), {"turtahun_skip": []})
    annual = [c for c in result.rows if c.reasons]
    assert len(annual) == 3  # one "Tahunan" cell per city for 2025
    assert annual[0].reasons[0].en == "'2025' is a yearly period but this indicator is monthly"


def table(**overrides) -> dict:
    doc = {
        "status": "OK",
        "data-availability": "available",
        "var": [{"val": 9, "label": "X", "unit": "%", "decimal": 1}],
        "turvar": [{"val": 0, "label": "Tidak ada"}],
        "labelvervar": "Kabupaten/Kota",
        "vervar": [{"val": 7171, "label": "Manado"}],
        "tahun": [{"val": 126, "label": "2026"}],
        "turtahun": [{"val": 1, "label": "Januari"}],
        "datacontent": {"7171901261": 1.5},
    }
    doc.update(overrides)
    return doc


def test_a_key_two_combinations_produce_is_rejected_as_ambiguous():
    # tahun 12 + turtahun 11 and tahun 121 + turtahun 1 write the same digits.
    doc = table(
        tahun=[{"val": 12, "label": "2012"}, {"val": 121, "label": "2021"}],
        turtahun=[{"val": 1, "label": "Januari"}, {"val": 11, "label": "November"}],
        datacontent={"7171901211": 5.0, "71719012111": 4.0},
    )
    result = kit.parse("bps-inflasi", doc, {"turtahun_skip": []})
    assert kit.reasons(result) == [
        (1, "datacontent", "key '7171901211' matches more than one combination of dimensions")
    ]
    assert [(c.period_start, c.value) for c in result.rows if not c.reasons] == [
        (date(2021, 11, 1), 4.0)
    ]


def test_a_key_matching_no_combination_is_reported_not_dropped():
    result = kit.parse("bps-inflasi", table(datacontent={"7171901261": 1.5, "999999": 2.0}))
    assert kit.reasons(result) == [
        (2, "datacontent", "key '999999' matches no combination of the table's dimensions")
    ]
    assert result.rows[1].raw == {"key": "999999", "value": 2.0}


def test_an_unknown_region_is_rejected_unless_the_source_reads_only_its_own():
    doc = table(
        vervar=[{"val": 7171, "label": "Manado"}, {"val": 7271, "label": "Palu"}],
        datacontent={"7171901261": 1.5, "7271901261": 2.5},
    )
    assert kit.reasons(kit.parse("bps-inflasi", doc)) == [
        (2, "wilayah_bps", "region '7271' is unknown")
    ]
    only = kit.parse("bps-inflasi", doc, {"only_known_regions": True})
    assert [(c.region, c.value) for c in only.rows] == [("71.71", 1.5)]


def test_a_vervar_that_is_not_a_region_code_can_be_mapped():
    doc = table(vervar=[{"val": 9999, "label": "Sulawesi Utara"}], datacontent={"9999901261": 2.2})
    result = kit.parse("bps-inflasi", doc, {"vervar_map": {"9999": "71"}})
    assert [(c.region, c.value) for c in result.rows] == [("71", 2.2)]


def test_turvar_breakdowns_map_to_indicators():
    doc = table(
        turvar=[
            {"val": 840, "label": "Laki-laki"},
            {"val": 841, "label": "Perempuan"},
            {"val": 842, "label": "Jumlah"},
        ],
        datacontent={"717198401261": 10.0, "717198411261": 11.0, "717198421261": 21.0},
    )
    result = kit.parse(
        "bps-inflasi", doc, {"indicator": None, "turvar_indicators": {"842": "ECO.INFLASI"}}
    )
    assert [(c.indicator, c.value) for c in result.rows] == [("ECO.INFLASI", 21.0)]


def test_several_turvar_without_a_mapping_are_read_with_one_indicator_and_flagged_as_duplicates_later():
    doc = table(
        turvar=[{"val": 840, "label": "Laki-laki"}, {"val": 842, "label": "Jumlah"}],
        datacontent={"717198401261": 10.0, "717198421261": 21.0},
    )
    rows = kit.parse("bps-inflasi", doc).rows
    assert len(rows) == 2  # same key twice: the ingest's duplicate check rejects both


@pytest.mark.parametrize(
    "change, message",
    [
        ({"datacontent": []}, "datacontent is not an object"),
        ({"vervar": "7171"}, "'vervar' is missing or empty"),
        ({"tahun": [{"label": "2026"}]}, "'tahun' has an item without a plain 'val'"),
    ],
)
def test_a_malformed_table_is_a_schema_error(change, message):
    with pytest.raises(ParseError) as err:
        kit.parse("bps-inflasi", table(**change))
    assert err.value.error_class == "schema" and message in err.value.message_en


# --- fetch over loopback ---------------------------------------------------------------------


def test_fetch_builds_the_webapi_path_and_keeps_the_key_out_of_the_archive(monkeypatch):
    monkeypatch.setenv("ODSK_BPS_KEY", "s3cr3tkey")
    body = kit.recorded("bps/inflasi_monthly.json")
    with kit.Loopback(lambda path, query: (200, body, "application/json")) as server:
        ctx = kit.context("bps-inflasi", {"base_url": f"{server.url}/v1/api", "th": "125;126"})
        payload = KIND.fetch(ctx)
    assert (
        server.requests[0][0]
        == "/v1/api/list/model/data/lang/ind/domain/7100/var/2076/th/125;126/key/s3cr3tkey/"
    )
    assert "s3cr3tkey" not in json.dumps(payload.meta) and "***" in payload.meta["url"]
    assert len(KIND.parse(payload, ctx).rows) == 45


def test_fetch_on_the_first_run_asks_for_the_backfill_years(monkeypatch):
    monkeypatch.setenv("ODSK_BPS_KEY", "k")
    with kit.Loopback(
        lambda path, query: (
            200,
            b'{"status":"OK","data-availability":"list-not-available"}',
            "application/json",
        )
    ) as server:
        ctx = kit.context(
            "bps-ipm",
            {"base_url": server.url, "th": "125", "backfill_th": "115:125"},
            backfill=True,
        )
        assert KIND.parse(KIND.fetch(ctx), ctx).rows == []
    assert "/th/115:125/" in server.requests[0][0]


def test_fetch_without_the_key_is_an_auth_failure(monkeypatch):
    monkeypatch.delenv("ODSK_BPS_KEY", raising=False)
    with pytest.raises(PermanentFetchError) as err:
        KIND.fetch(kit.context("bps-ipm"))
    assert err.value.error_class == "auth" and "ODSK_BPS_KEY" in err.value.message_en


def test_a_key_missing_from_the_environment_comes_from_the_catalogues_default(monkeypatch):
    """sources.yaml's ``environment`` gives the demo's simulator key; a set variable wins."""
    ctx = kit.context("bps-ipm")
    ctx.catalogue = ctx.catalogue.model_copy(update={"environment": {"ODSK_BPS_KEY": "demo"}})
    monkeypatch.delenv("ODSK_BPS_KEY", raising=False)
    assert ctx.env("ODSK_BPS_KEY") == "demo"
    monkeypatch.setenv("ODSK_BPS_KEY", "real")
    assert ctx.env("ODSK_BPS_KEY") == "real"
    assert ctx.env("ODSK_NOT_THERE") is None


def test_a_backfill_of_the_last_years_asks_for_a_range_up_to_this_year(monkeypatch):
    import time_machine

    monkeypatch.setenv("ODSK_BPS_KEY", "k")
    with kit.Loopback(
        lambda path, query: (200, kit.recorded("bps/not_available.json"), "application/json")
    ) as server:
        ctx = kit.context(
            "bps-ipm", {"base_url": server.url, "th": None, "backfill_years": 6}, backfill=True
        )
        # 31 December 2026, 17:00 UTC is already 1 January 2027 in WITA.
        with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), tick=False):
            KIND.fetch(ctx)
    assert "/th/121:127/" in server.requests[0][0]
