"""The simulator speaks each service's published protocol, and the real collectors read it.

BPS WebAPI (``/v1/api/list/model/data``: the dimension lists and ``datacontent``,
"list-not-available", an invalid key), CKAN's Action API (``package_show``,
``datastore_search`` paging and filters, ``success: false`` envelopes with CKAN's HTTP
statuses), BMKG's three feeds in JSON and XML with their own field names, SKPD workbooks.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from collectors.base import SourceContext
from collectors.registry import get_kind
from dashboard.catalogue import load_catalogue
from dashboard.regions import RegionRegistry
from dashboard.settings import PROJECT_ROOT
from dashboard.simulator import Generator, make_server
from dashboard.simulator.periods import latest_complete

CONFIG = PROJECT_ROOT / "config"
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10.00 WITA
# Every entry's fields, then what each feed adds (BMKG's own names).
BMKG_COMMON = {
    "Tanggal",
    "Jam",
    "DateTime",
    "Coordinates",
    "Lintang",
    "Bujur",
    "Magnitude",
    "Kedalaman",
    "Wilayah",
}
BMKG_FIELDS = {
    "autogempa": BMKG_COMMON | {"Potensi", "Shakemap"},
    "gempaterkini": BMKG_COMMON | {"Potensi"},
    "gempadirasakan": BMKG_COMMON | {"Dirasakan"},
}


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def sim():
    catalogue = load_catalogue(CONFIG)
    clock = Clock(NOW)
    server = make_server(catalogue, "127.0.0.1", 0, faults=False, seed=3, clock=clock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.test_catalogue = load_catalogue(CONFIG, env={"ODSK_SIMULATOR_URL": server.base_url})
    yield server
    server.shutdown()
    server.server_close()


def context(sim, source_id: str, **kw) -> SourceContext:
    catalogue = sim.test_catalogue
    return SourceContext(
        catalogue.source(source_id),
        catalogue.source_options[source_id],
        catalogue,
        RegionRegistry(catalogue.regions),
        **kw,
    )


def collect(sim, source_id: str, **kw):
    ctx = context(sim, source_id, **kw)
    kind = get_kind(ctx.source.kind)
    return kind.parse(kind.fetch(ctx), ctx)


def get(sim, path: str, **params) -> httpx.Response:
    return httpx.get(sim.base_url + path, params=params, timeout=10)


def values(result) -> dict:
    return {(r.indicator, r.region, r.period_start): r.value for r in result.rows}


# --- BPS WebAPI ------------------------------------------------------------------------------

BPS_SOURCES = [s.id for s in load_catalogue(CONFIG).sources if s.kind == "bps"]


@pytest.mark.parametrize("source_id", BPS_SOURCES)
def test_every_bps_table_is_read_cleanly_with_the_generators_values(sim, source_id, monkeypatch):
    monkeypatch.delenv("ODSK_BPS_KEY", raising=False)  # the catalogue's demo key is used
    generator = Generator(sim.catalogue, seed=3)
    result = collect(sim, source_id)
    assert result.rows and [r.reasons for r in result.rows if r.reasons] == []
    for (code, region, start), value in values(result).items():
        assert value == pytest.approx(generator.value(code, region, start))
    grain = sim.catalogue.indicator(sim.catalogue.source(source_id).indicators[0]).grain
    assert max(r.period_start for r in result.rows) == latest_complete(date(2026, 3, 15), grain)


def test_a_bps_answer_has_the_webapi_dimensions_and_datacontent_keys(sim):
    body = get(sim, "/bps/v1/api/list/model/data/lang/ind/domain/7100/var/2076/key/abc/").json()
    assert (body["status"], body["data-availability"]) == ("OK", "available")
    for name in ("var", "turvar", "vervar", "tahun", "turtahun"):
        assert all(set(item) >= {"val", "label"} for item in body[name]), name
    assert [v["val"] for v in body["vervar"]] == [7171, 7174, 7100]  # cities with a CPI, then Sulut
    assert body["tahun"][-1] == {"val": 126, "label": "2026"}
    assert body["turtahun"][0] == {"val": 1, "label": "Januari"}
    assert body["turtahun"][-1] == {"val": 13, "label": "Tahunan"}
    # vervar, var, turvar, tahun, turtahun written one after the other: February 2026 in Manado.
    assert isinstance(body["datacontent"]["7171207601262"], float)
    assert "7171207601263" not in body["datacontent"]  # March 2026 has not ended


def test_bps_says_list_not_available_before_release_and_refuses_a_bad_key(sim):
    base = "/bps/v1/api/list/model/data/lang/ind/domain/7100/var/414"
    assert get(sim, f"{base}/th/126/key/abc/").json() == {
        "status": "OK",
        "data-availability": "list-not-available",
    }
    assert get(sim, f"{base}/th/120:125/key/abc/").json()["tahun"][0] == {
        "val": 120,
        "label": "2020",
    }
    refused = get(sim, f"{base}/key/invalid/").json()
    assert refused["status"] == "Error" and refused["message"] == "Invalid Key"
    unknown = get(sim, "/bps/v1/api/list/model/data/lang/ind/domain/7100/var/99999/key/abc/")
    assert unknown.json()["data-availability"] == "list-not-available"


# --- CKAN ------------------------------------------------------------------------------------

CKAN_SOURCES = [s.id for s in load_catalogue(CONFIG).sources if s.kind == "ckan"]


@pytest.mark.parametrize("source_id", CKAN_SOURCES)
def test_every_satu_data_dataset_is_found_and_paged_through(sim, source_id):
    generator = Generator(sim.catalogue, seed=3)
    ctx = context(sim, source_id)
    payload = get_kind("ckan").fetch(ctx)
    result = get_kind("ckan").parse(payload, ctx)
    # Paged by 500 until a short page: 60 months of 15 regencies and the province, two pages.
    assert payload.meta["pages"] == len(result.rows) // 500 + 1
    assert [r.reasons for r in result.rows if r.reasons] == []
    for (code, region, start), value in values(result).items():
        assert value == pytest.approx(generator.value(code, region, start))


def test_package_show_lists_the_datastore_resource_in_ckans_envelope(sim):
    body = get(
        sim, "/satudata/api/3/action/package_show", id="realisasi-pendapatan-asli-daerah-provinsi"
    ).json()
    assert body["success"] is True and body["help"].endswith("help_show?name=package_show")
    resources = body["result"]["resources"]
    assert [r["datastore_active"] for r in resources] == [True, False]
    page = get(
        sim, "/satudata/api/3/action/datastore_search", resource_id=resources[0]["id"], limit=5
    ).json()["result"]
    assert (
        page["total"] == 60 and len(page["records"]) == 5 and page["total_was_estimated"] is False
    )
    assert {f["id"] for f in page["fields"]} >= {"_id", "tahun", "bulan", "persentase_realisasi"}
    assert page["_links"]["next"].endswith("&offset=5")


def test_ckan_answers_failures_with_success_false_and_its_http_status(sim):
    missing = get(sim, "/satudata/api/3/action/datastore_search", resource_id="tidak-ada")
    assert missing.status_code == 404
    assert missing.json()["success"] is False
    assert missing.json()["error"]["__type"] == "Not Found Error"
    rid = get(
        sim, "/satudata/api/3/action/package_show", id="jumlah-lowongan-kerja-terdaftar"
    ).json()["result"]["resources"][0]["id"]
    bad_filter = get(
        sim, "/satudata/api/3/action/datastore_search", resource_id=rid, filters='{"tahunn": 2025}'
    )
    assert bad_filter.status_code == 409
    assert bad_filter.json()["error"] == {
        "__type": "Validation Error",
        "filters": ['field "tahunn" not in table'],
    }
    filtered = get(
        sim, "/satudata/api/3/action/datastore_search", resource_id=rid, filters='{"tahun": 2025}'
    ).json()["result"]
    assert filtered["total"] == 12 * 16 and {r["tahun"] for r in filtered["records"]} == {2025}


def test_the_collector_names_a_dataset_without_a_datastore_resource(sim):
    from collectors.base import PermanentFetchError

    ctx = context(sim, "satudata-pad")
    ctx.options = ctx.options.model_copy(update={"resource_name": "Tabel yang tidak ada"})
    with pytest.raises(PermanentFetchError) as err:
        get_kind("ckan").fetch(ctx)
    assert "no datastore resource named 'Tabel yang tidak ada'" in err.value.message_en
    assert "'Metadata indikator (PDF)' (PDF)" in err.value.message_en


# --- BMKG ------------------------------------------------------------------------------------


@pytest.mark.parametrize("feed", ["autogempa", "gempaterkini", "gempadirasakan"])
def test_each_bmkg_feed_has_bmkgs_fields_and_reads_the_same_in_json_and_xml(sim, feed):
    body = get(sim, f"/bmkg/DataMKG/TEWS/{feed}.json").json()
    gempa = body["Infogempa"]["gempa"]
    entries = [gempa] if feed == "autogempa" else gempa
    assert isinstance(gempa, dict) == (feed == "autogempa")
    for entry in entries:
        # autogempa carries Dirasakan when the quake was felt.
        expected = BMKG_FIELDS[feed] | ({"Dirasakan"} if "Dirasakan" in entry else set())
        assert set(entry) == expected
        assert all(isinstance(v, str) for v in entry.values())
        assert entry["Jam"].endswith(" WIB") and entry["Kedalaman"].endswith(" km")
    if feed != "autogempa":
        assert len(entries) == 15
    if feed == "gempaterkini":
        assert all(float(e["Magnitude"]) >= 5.0 for e in entries)
    kind = get_kind("bmkg")
    events = {}
    for fmt in ("json", "xml"):
        ctx = context(sim, "bmkg-autogempa")
        ctx.options = ctx.options.model_copy(update={"feed": feed, "format": fmt})
        result = kind.parse(kind.fetch(ctx), ctx)
        assert result.rows == []
        events[fmt] = [(e.external_id, e.magnitude, e.depth_km) for e in result.events]
    assert events["json"] == events["xml"] and len(events["json"]) == len(entries)


def test_a_quake_from_the_control_api_leads_the_feeds(sim):
    made = httpx.post(
        sim.base_url + "/_control/quake",
        json={"magnitude": 5.8, "lat": 2.1, "lon": 125.9, "depth_km": 30},
        timeout=10,
    ).json()
    try:
        assert made["ok"] and made["Potensi"] == "Tidak berpotensi tsunami"
        latest = get(sim, "/bmkg/DataMKG/TEWS/autogempa.json").json()["Infogempa"]["gempa"]
        assert (latest["Magnitude"], latest["Coordinates"]) == ("5.8", "2.10,125.90")
        assert latest["DateTime"] == NOW.isoformat()
        assert latest["Dirasakan"]  # felt on Sitaro and Sangihe
        strong = get(sim, "/bmkg/DataMKG/TEWS/gempaterkini.xml").text
        assert "<Magnitude>5.8</Magnitude>" in strong.split("</gempa>")[0]
        bad = httpx.post(sim.base_url + "/_control/quake", json={"magnitude": "besar"}, timeout=10)
        assert bad.status_code == 400 and "magnitude" in bad.json()["error"]
    finally:
        httpx.post(sim.base_url + "/_control/reset", json={}, timeout=10)


def test_the_quiet_background_has_felt_quakes_daily_and_about_one_strong_one_a_day():
    from dashboard.simulator.quakes import QuakeStream, distance_km

    stream = QuakeStream(seed=0)
    start = int(NOW.timestamp()) // 3600
    quakes = [q for slot in range(start - 24 * 60, start) for q in stream.slot(slot)]
    near_strong = [
        q for q in quakes if q.strong and distance_km(1.4748, 124.8421, q.lat, q.lon) <= 300
    ]
    felt = [q for q in quakes if not q.strong and q.felt]
    assert 0.5 <= len(near_strong) / 60 <= 1.5
    assert len(felt) / 60 >= 1
    assert all(q.potensi.startswith("Gempa ini dirasakan") for q in felt)


# --- SKPD files --------------------------------------------------------------------------------


def test_the_dinkes_workbook_has_title_rows_indonesian_numbers_and_reads_cleanly(sim):
    import io

    import openpyxl

    generator = Generator(sim.catalogue, seed=3)
    content = get(sim, "/skpd/dinkes/sirs/rekap-bor-rsud.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("REKAPITULASI") and rows[3] == (None,) * len(rows[3])
    assert rows[5][:3] == ("(1)", "(2)", "(3)")
    assert any(isinstance(c, str) and "," in c for row in rows[6:] for c in row[1:])
    assert rows[-2][0].startswith("Sumber:")
    result = collect(sim, "dinkes-sirs-bor")
    assert [r.reasons for r in result.rows if r.reasons] == []
    assert {r.region for r in result.rows} == {r.code for r in sim.catalogue.regions}
    for (code, region, start), value in values(result).items():
        assert value == pytest.approx(generator.value(code, region, start))


def test_the_simulators_index_lists_every_source_with_its_protocol(sim):
    feeds = get(sim, "/").json()["feeds"]
    assert {f["source"] for f in feeds} == {s.id for s in sim.catalogue.sources}
    paths = {f["source"]: f["path"] for f in feeds}
    assert paths["bmkg-gempaterkini"] == "/bmkg/DataMKG/TEWS/gempaterkini.xml"
    assert paths["bps-ipm"].startswith("/bps/v1/api/list/model/data/lang/ind/domain/7100/var/414")
    assert paths["disperindag-harga"].startswith("drop: ")


def test_an_outage_of_a_protocol_source_answers_503_until_it_ends(sim):
    sim.clock.now = NOW
    httpx.post(
        sim.base_url + "/_control/outage",
        json={"source": "bmkg-autogempa", "seconds": 60},
        timeout=10,
    )
    try:
        assert get(sim, "/bmkg/DataMKG/TEWS/autogempa.json").status_code == 503
        sim.clock.now = NOW + timedelta(seconds=61)
        assert get(sim, "/bmkg/DataMKG/TEWS/autogempa.json").status_code == 200
    finally:
        sim.clock.now = NOW
        httpx.post(sim.base_url + "/_control/reset", json={}, timeout=10)
    assert json.loads(get(sim, "/_health").content)["quakes_injected"] == 0
