"""The SKPD simulator: plausible deterministic values, and feeds the real collector reads cleanly."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import mean

import httpx
import pytest
from babel.numbers import parse_decimal

from collectors.base import SourceContext
from collectors.http_json import HttpJsonOptions
from collectors.registry import get_kind
from dashboard.catalogue import load_catalogue
from dashboard.catalogue.periods import step
from dashboard.regions import RegionRegistry
from dashboard.simulator import FaultPlan, Generator, make_server
from dashboard.simulator.periods import served_periods
from dashboard.simulator.shapes import Cell, ShapeError, build_document, value_label

CONFIG = Path(__file__).resolve().parents[1] / "config"
TODAY = date(2026, 3, 15)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CONFIG)


@pytest.fixture(scope="module")
def generator(catalogue):
    return Generator(catalogue, seed=0)


class Running:
    """A simulator serving on a free loopback port, and the catalogue pointing at it."""

    def __init__(self, catalogue, **kwargs):
        self.clock = kwargs.pop("clock", Clock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC)))
        self.server = make_server(catalogue, "127.0.0.1", 0, clock=self.clock, **kwargs)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = self.server.base_url
        self.catalogue = load_catalogue(CONFIG, env={"ODSK_SIMULATOR_URL": self.url})
        self.regions = RegionRegistry(self.catalogue.regions)

    def collect(self, source_id: str, backfill: bool = False, bookmark: str | None = None):
        source = self.catalogue.source(source_id)
        ctx = SourceContext(
            source,
            self.catalogue.source_options[source_id],
            self.catalogue,
            self.regions,
            bookmark=bookmark,
            backfill=backfill,
        )
        kind = get_kind(source.kind)
        return kind.parse(kind.fetch(ctx), ctx)

    def get(self, path: str, **params) -> httpx.Response:
        return httpx.get(self.url + path, params=params, timeout=10)

    def post(self, path: str, body: dict) -> httpx.Response:
        return httpx.post(self.url + path, json=body, timeout=10)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def sim(catalogue):
    running = Running(catalogue)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_sim(catalogue):
    running = Running(catalogue)
    yield running
    running.stop()


def values_by(rows):
    return {(r.indicator, r.region, r.period_start): r.value for r in rows}


# --- the generator ---------------------------------------------------------------------


def test_values_are_deterministic_per_seed(catalogue):
    a, b, c = (
        Generator(catalogue, seed=7),
        Generator(catalogue, seed=7),
        Generator(catalogue, seed=8),
    )
    sample = [(i.code, r.code) for i in catalogue.indicators for r in catalogue.regions]
    rows_a = [a.rows(code, TODAY, history_months=12) for code in {code for code, _ in sample}]
    # Asked in another order, the same seed still gives the same numbers.
    rows_b = [b.rows(code, TODAY, history_months=12) for code in {code for code, _ in sample}]
    assert rows_a == rows_b
    assert [a.value(code, region, date(2025, 1, 1)) for code, region in sample] != [
        c.value(code, region, date(2025, 1, 1)) for code, region in sample
    ]


def test_province_follows_the_aggregation(catalogue, generator):
    subregions = [r for r in catalogue.regions if r.kind != "province"]
    weights = {r.code: r.population for r in subregions}
    for ind in catalogue.indicators:
        if ind.aggregation.method == "none":
            continue
        for row_start in served_periods(ind.grain, TODAY, history_months=6):
            parts = {r.code: generator.value(ind.code, r.code, row_start) for r in subregions}
            province = generator.value(ind.code, "71", row_start)
            if ind.aggregation.method == "sum":
                expected = sum(parts.values())
            elif ind.aggregation.method == "mean":
                expected = mean(parts.values())
            else:
                expected = sum(v * weights[c] for c, v in parts.items()) / sum(weights.values())
            assert province == pytest.approx(expected, abs=0.5 * 10**-ind.decimals + 1e-9), ind.code


def test_values_stay_in_their_valid_range_for_five_years(catalogue, generator):
    for ind in catalogue.indicators:
        low, high = ind.valid_range.min, ind.valid_range.max
        for row in generator.rows(ind.code, TODAY, history_months=60):
            assert low is None or row.value >= low, (ind.code, row)
            assert high is None or row.value <= high, (ind.code, row)
            if ind.decimals == 0:
                assert isinstance(row.value, int), (ind.code, row)


def test_counts_scale_with_the_region(catalogue, generator):
    for ind in catalogue.indicators:
        if ind.aggregation.method != "sum":
            continue
        rows = generator.rows(ind.code, TODAY, history_months=24)
        manado = sum(r.value for r in rows if r.region == "71.71")
        province = sum(r.value for r in rows if r.region == "71")
        assert 0 < manado < province, ind.code
    # Manado is about a sixth of the province; Sitaro, small and remote, far less.
    placements = generator.rows("ECO.PENEMPATAN", TODAY, history_months=24)
    by_region = defaultdict(int)
    for r in placements:
        by_region[r.region] += r.value
    assert 0.1 < by_region["71.71"] / by_region["71"] < 0.5
    assert by_region["71.09"] < by_region["71.71"] / 5


def province_series(generator, code, months=60):
    return {
        r.start: r.value
        for r in generator.rows(code, TODAY, history_months=months)
        if r.region == "71"
    }


def test_rates_sit_at_realistic_levels(generator):
    stunting = province_series(generator, "LIV.STUNTING")
    early = mean(v for d, v in stunting.items() if d.year == 2022)
    late = mean(v for d, v in stunting.items() if d.year == 2025)
    assert 15 <= early <= 25 and late < early  # about 20% and falling slowly
    inflation = province_series(generator, "ECO.INFLASI").values()
    assert min(inflation) >= 0.5 and max(inflation) <= 7
    ipm = province_series(generator, "SOC.IPM").values()
    assert all(70 <= v <= 80 for v in ipm)
    pm25 = province_series(generator, "ENV.PM25", months=12).values()
    assert 5 <= mean(pm25) <= 40


def test_tourism_peaks_in_the_holidays(generator):
    occupancy = province_series(generator, "BRD.TPK")
    arrivals = province_series(generator, "BRD.WISMAN")
    for series in (occupancy, arrivals):
        by_month = defaultdict(list)
        for start, value in series.items():
            by_month[start.month].append(value)
        assert mean(by_month[12]) > mean(by_month[2])
        assert mean(by_month[7]) > mean(by_month[2])


def test_budget_realisation_climbs_through_the_year(generator):
    for region in ("71", "71.71", "71.04"):
        series = {
            r.start: r.value
            for r in generator.rows("GOV.REALISASI-APBD", TODAY, history_months=60)
            if r.region == region
        }
        for year in (2022, 2023, 2024, 2025):
            months = [series[date(year, m, 1)] for m in range(1, 13)]
            assert months == sorted(months), (region, year)
            assert months[0] < 10 and 85 <= months[-1] <= 100


def test_only_ended_periods_are_served():
    assert served_periods("month", TODAY) == [date(2026, 1, 1), date(2026, 2, 1)]
    assert served_periods("day", TODAY) == [date(2026, 3, 13), date(2026, 3, 14)]
    assert served_periods("quarter", TODAY) == [date(2025, 7, 1), date(2025, 10, 1)]
    assert served_periods("year", TODAY) == [date(2024, 1, 1), date(2025, 1, 1)]
    assert len(served_periods("month", TODAY, history_months=60)) == 60
    assert served_periods("month", TODAY, since=date(2025, 12, 1)) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    # The bookmark of a mixed feed is a month; the yearly period begun before it still comes.
    assert served_periods("year", date(2027, 1, 20), since=date(2026, 12, 1)) == [date(2026, 1, 1)]


def test_the_day_turns_in_wita(catalogue):
    # 16:30 UTC on 28 February is already 1 March in Manado.
    clock = Clock(datetime(2026, 2, 28, 16, 30, tzinfo=UTC))
    server = make_server(catalogue, port=0, clock=clock)
    try:
        status, content, _, _ = server.route("/skpd/dinkes/indikator.json", {})
        assert status == 200
        body = json.loads(content)
        monthly = {r["periode"][:7] for r in body["data"] if r["kode_indikator"] == "LIV.STUNTING"}
        assert monthly == {"2026-01", "2026-02"}
    finally:
        server.server_close()


# --- the served shapes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, decimals, text",
    [
        (1234.5, 1, "1.234,5"),
        (12500, 0, "12.500"),
        (0.45, 2, "0,45"),
        (98.0, 1, "98,0"),
        (-1.5, 2, "-1,50"),
        (1234567.25, 2, "1.234.567,25"),
        (33.333, 1, "33,333"),
    ],
)
def test_indonesian_numbers_read_back_with_babel(value, decimals, text):
    assert value_label(value, decimals, "id") == text
    assert float(parse_decimal(text, locale="id", strict=True)) == pytest.approx(value)


def test_shapes_follow_the_mapping():
    options = HttpJsonOptions.model_validate(
        {
            "url": "http://x/y",
            "records": "stasiun[].pengukuran[]",
            "fields": {"region": "lokasi.kode", "period": "tanggal", "value": "nilai.rata_rata"},
            "indicator": "ENV.PM25",
        }
    )
    cells = [Cell("ENV.PM25", region, "2026-03-14", 10.0) for region in ("7171", "7171", "7172")]
    document = build_document(options, cells, {"sumber": "uji"})
    assert document["stasiun"] == [
        {
            "pengukuran": [
                {"lokasi": {"kode": "7171"}, "tanggal": "2026-03-14", "nilai": {"rata_rata": 10.0}}
            ]
            * 2
        },
        {
            "pengukuran": [
                {"lokasi": {"kode": "7172"}, "tanggal": "2026-03-14", "nilai": {"rata_rata": 10.0}}
            ]
        },
    ]
    assert document["meta"] == {"sumber": "uji"}
    filtered = options.model_copy(update={"records": "data[?nilai > `0`]"})
    with pytest.raises(ShapeError):
        build_document(filtered, cells, {})


# --- over HTTP ----------------------------------------------------------------------------


def test_port_zero_health_and_index(sim, catalogue):
    assert not sim.url.endswith(":0")
    health = sim.get("/_health").json()
    assert (
        health["status"] == "ok"
        and health["feeds"] == len(catalogue.sources)
        and health["faults"] is False
    )
    feeds = sim.get("/").json()["feeds"]
    assert {f["source"] for f in feeds} == {s.id for s in catalogue.sources}
    assert sim.get("/skpd/tidak-ada.json").status_code == 404


HTTP_JSON_SOURCES = [s.id for s in load_catalogue(CONFIG).sources if s.kind == "http_json"]


@pytest.mark.parametrize("source_id", HTTP_JSON_SOURCES)
def test_every_source_parses_cleanly_with_the_real_collector(shared_sim, generator, source_id):
    source = shared_sim.catalogue.source(source_id)
    backfill = shared_sim.collect(source_id, backfill=True)
    latest = shared_sim.collect(source_id)
    since = shared_sim.collect(source_id, bookmark=backfill.bookmark)
    for result in (backfill, latest, since):
        assert [r.reasons for r in result.rows if r.reasons] == []
    for result in (backfill, latest):
        assert {r.indicator for r in result.rows} == set(source.indicators)
        assert {r.region for r in result.rows} == {r.code for r in shared_sim.catalogue.regions}
    # After the bookmark: only periods that end after it (a quarter already over is not sent again).
    bookmark = date.fromisoformat(backfill.bookmark)
    assert all(step(r.period_start, r.grain) > bookmark for r in since.rows)
    # The values are the generator's, whatever shape and locale carried them.
    for (code, region, start), value in values_by(latest.rows).items():
        assert value == pytest.approx(generator.value(code, region, start))
    assert len(backfill.rows) > len(latest.rows) and backfill.bookmark is not None

    # The bookmark waits for the indicator furthest behind: none misses its newest period.
    def newest(rows):
        return {
            code: max(r.period_start for r in rows if r.indicator == code)
            for code in {r.indicator for r in rows}
        }

    assert newest(since.rows) == newest(latest.rows)


def test_which_periods_the_query_asks_for(shared_sim):
    def periods(**params):
        body = shared_sim.get("/skpd/dinkes/indikator.json", **params).json()
        return sorted(
            {r["periode"][:7] for r in body["data"] if r["kode_indikator"] == "LIV.STUNTING"}
        )

    assert periods() == ["2026-01", "2026-02"]
    assert len(periods(history="12")) == 12 and periods(history="12")[0] == "2025-03"
    assert periods(since="2025-12-01") == ["2025-12", "2026-01", "2026-02"]
    assert periods(since="2026-03-01") == []
    assert shared_sim.get("/skpd/dinkes/indikator.json", history="banyak").status_code == 400
    assert shared_sim.get("/skpd/dinkes/indikator.json", since="kemarin").status_code == 400


def test_an_override_is_served_and_the_province_follows(sim):
    before = values_by(sim.collect("dinkes-sik").rows)
    key = ("LIV.STUNTING", "71.71", date(2026, 2, 1))
    answer = sim.post(
        "/_control/override",
        {"indicator": "LIV.STUNTING", "region": "71.71", "period": "2026-02", "value": 33.3},
    )
    assert answer.status_code == 200 and answer.json()["period"] == "2026-02-01"
    after = values_by(sim.collect("dinkes-sik").rows)
    assert after[key] == 33.3
    assert after[("LIV.STUNTING", "71", key[2])] > before[("LIV.STUNTING", "71", key[2])]
    # An Indonesian-formatted feed carries it too, by region name.
    sim.post(
        "/_control/override",
        {
            "indicator": "BRD.WISMAN",
            "region": "Kota Manado",
            "period": "2026-02-01",
            "value": 12345,
        },
    )
    assert values_by(sim.collect("dispar-statistik").rows)[("BRD.WISMAN", "71.71", key[2])] == 12345
    # null removes the override.
    sim.post(
        "/_control/override",
        {"indicator": "LIV.STUNTING", "region": "71.71", "period": "2026-02", "value": None},
    )
    assert values_by(sim.collect("dinkes-sik").rows)[key] == before[key]


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {"indicator": "LIV.NOPE", "region": "71.71", "period": "2026-02", "value": 1},
            "unknown indicator 'LIV.NOPE'",
        ),
        (
            {"indicator": "LIV.BOR", "region": "Minahasa Barat", "period": "2026-02", "value": 1},
            "unknown region 'Minahasa Barat'",
        ),
        (
            {"indicator": "LIV.BOR", "region": "71.71", "period": "Februari", "value": 1},
            "period: 'Februari' is not a period I can read",
        ),
        (
            {"indicator": "LIV.BOR", "region": "71.71", "period": "2026-02", "value": "tinggi"},
            "value must be a number, or null to remove the override",
        ),
    ],
)
def test_a_bad_override_is_refused(shared_sim, body, message):
    answer = shared_sim.post("/_control/override", body)
    assert (answer.status_code, answer.json()) == (400, {"error": message})


def test_an_outage_answers_503_until_it_ends(sim):
    path = "/skpd/bpbd/rekap-kejadian.json"
    answer = sim.post("/_control/outage", {"source_path": path, "seconds": 30})
    assert answer.status_code == 200
    assert sim.get(path).status_code == 503
    assert sim.get("/skpd/dinkes/indikator.json").status_code == 200
    sim.clock.advance(31)
    assert sim.get(path).status_code == 200
    # By source id, and a full URL works as the path too.
    sim.post("/_control/outage", {"source": "dlh-ispu", "seconds": 5})
    assert sim.get("/skpd/dlh/ispu/pm25.json").status_code == 503
    sim.post(
        "/_control/outage", {"source_path": sim.url + "/skpd/dlh/ispu/pm25.json", "seconds": 0}
    )
    assert sim.get("/skpd/dlh/ispu/pm25.json").status_code == 200
    assert (
        sim.post("/_control/outage", {"source_path": "/nowhere", "seconds": 5}).status_code == 400
    )


def test_reset_forgets_overrides_and_outages(sim):
    sim.post(
        "/_control/override",
        {"indicator": "LIV.BOR", "region": "71", "period": "2026-02", "value": 99},
    )
    sim.post("/_control/outage", {"source": "dinkes-sirs-bor", "seconds": 600})
    assert sim.post("/_control/reset", {}).json() == {"ok": True, "reset": True}
    assert sim.get("/_health").json()["overrides"] == 0
    assert sim.get("/skpd/dinkes/sirs/rekap-bor-rsud.xlsx").status_code == 200


# --- faults ------------------------------------------------------------------------------------


def test_bad_rows_show_up_with_reasons(catalogue):
    every_time = FaultPlan(bad_row_rate=1.0, outage_rate=0, slow_rate=0, clean_requests=0)
    running = Running(catalogue, faults=every_time, seed=5)
    try:
        seen = set()
        for source_id in HTTP_JSON_SOURCES:  # bad rows are an http_json feed's fault
            rows = running.collect(source_id).rows
            bad = [r for r in rows if r.reasons]
            out_of_range = [r for r in rows if not r.reasons and _outside(running.catalogue, r)]
            assert len(bad) + len(out_of_range) == 1, source_id
            for r in bad:
                seen.add("region" if r.region is None else "value")
            if out_of_range:
                seen.add("range")
        assert seen == {"region", "value", "range"}
    finally:
        running.stop()


def _outside(catalogue, row) -> bool:
    valid = catalogue.indicator(row.indicator).valid_range
    return (valid.min is not None and row.value < valid.min) or (
        valid.max is not None and row.value > valid.max
    )


def test_faults_are_deterministic_by_seed(catalogue):
    def bodies(seed):
        plan = FaultPlan(bad_row_rate=0.5, outage_rate=0.2, slow_rate=0, clean_requests=0)
        server = make_server(
            catalogue,
            port=0,
            faults=plan,
            seed=seed,
            clock=Clock(datetime(2026, 3, 15, tzinfo=UTC)),
        )
        try:
            return [server.route(path, {})[:2] for path in server.feeds for _ in range(3)]
        finally:
            server.server_close()

    assert bodies(11) == bodies(11)
    assert bodies(11) != bodies(12)


def test_outages_and_slow_answers_when_faults_are_on(catalogue):
    running = Running(
        catalogue, faults=FaultPlan(bad_row_rate=0, outage_rate=1.0, slow_rate=0, clean_requests=2)
    )
    try:
        # A feed's first requests are spared, so a fresh demo backfills before the faults begin.
        assert [running.get("/skpd/dinkes/indikator.json").status_code for _ in range(3)] == [
            200,
            200,
            503,
        ]
        running.clock.advance(181)  # outages last at most three minutes
        running.server.plan = None
        assert running.get("/skpd/dinkes/indikator.json").status_code == 200
    finally:
        running.stop()
    running = Running(
        catalogue,
        faults=FaultPlan(
            bad_row_rate=0, outage_rate=0, slow_rate=1.0, slow_seconds=(0.4, 0.4), clean_requests=0
        ),
    )
    try:
        started = time.monotonic()
        assert running.get("/skpd/dinkes/sirs/rekap-bor-rsud.xlsx").status_code == 200
        assert time.monotonic() - started >= 0.4
    finally:
        running.stop()
