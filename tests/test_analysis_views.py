"""Rankings, URL state, the region map (tile grid and GeoJSON choropleth) and the indicator views."""

import json
from datetime import date

import clock_kit
import pytest

from dashboard.analysis import cartogram, choropleth
from dashboard.analysis import state as state_mod
from dashboard.analysis.memo import VersionedMemo
from dashboard.analysis.ranking import rank_regions
from dashboard.analysis.sparkline import sparkline_uri
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.views import indicator as views

# --- ranking ---------------------------------------------------------------------------


def test_ranking_follows_the_direction_with_shared_ranks_and_missing_last():
    values = {"a": 10.0, "b": 30.0, "c": 20.0, "d": 30.0, "e": None}
    up = rank_regions(values, "up")
    assert [(r.region_code, r.rank) for r in up] == [
        ("b", 1),
        ("d", 1),
        ("c", 3),
        ("a", 4),
        ("e", None),
    ]
    down = rank_regions(values, "down")
    assert [(r.region_code, r.rank) for r in down][:2] == [("a", 1), ("c", 2)]


def test_a_band_ranks_by_distance_from_it_then_from_its_middle():
    ranked = rank_regions(
        {"in-mid": 72.5, "in-edge": 84.0, "above": 90.0, "below": 50.0}, "band", 60.0, 85.0
    )
    assert [r.region_code for r in ranked] == ["in-mid", "in-edge", "above", "below"]


def test_counts_rank_per_100000_residents_on_the_indicator_and_region_pages(catalogue):
    """Dengue cases in October: Manado has the most cases, but per resident the small
    islands do worse; both analyst pages rank as the governor's scorecard does."""
    from dashboard.views.region import build_line

    dbd = catalogue.indicator("LIV.DBD")
    pop = {r.code: r.population for r in catalogue.regions}
    subs = [r.code for r in catalogue.regions if r.kind != "province"]
    cases = dict.fromkeys(subs, 10.0)
    cases["71.71"] = 40.0  # Manado: the most cases …
    sitaro = min(subs, key=lambda c: pop[c])
    cases[sitaro] = 12.0  # … the smallest regency: the most per resident
    env = views.Env(None, catalogue, VersionedMemo(), None, date(2026, 11, 28))
    ranked = views.ranking(env, dbd, {**cases, "71": sum(cases.values())})
    assert ranked[-1].region_code == sitaro and ranked[-1].value == 12.0
    assert ranked[-1].per_100k == pytest.approx(12.0 / pop[sitaro] * 100_000)
    assert ranked[0].per_100k == min(r.per_100k for r in ranked)
    line = build_line(dbd, sitaro, date(2026, 10, 1), cases, None, subs, "id", pop)
    assert (line.rank, line.value) == (
        len(subs),
        "12",
    ) and line.here == 0.0  # worst, shown as its count
    by_count = build_line(dbd, sitaro, date(2026, 10, 1), cases, None, subs, "id")
    assert by_count.rank == len(subs) - 1  # by raw counts Manado would look worse


# --- URL state -------------------------------------------------------------------------


def test_state_round_trips_through_the_url(catalogue):
    ind = catalogue.indicator("ENV.PM25")
    span = (date(2015, 1, 1), date(2026, 11, 27))
    query = {
        "regions": "71.71,71.02,71.99,71",
        "grain": "quarter",
        "from": "2019",
        "to": "2024",
        "period": "2023-08-01",
        "lang": "en",
    }
    state = state_mod.parse_state(ind, catalogue, query, span, date(2026, 11, 28))
    assert state.regions == ("71.71", "71.02")  # unknown and the province dropped
    assert (state.grain, state.start_year, state.end_year, state.period, state.lang) == (
        "quarter",
        2019,
        2024,
        date(2023, 7, 1),
        "en",
    )
    again = state_mod.parse_state(ind, catalogue, state.query(), span, date(2026, 11, 28))
    assert again == state


def test_bad_urls_fall_back_to_sensible_defaults(catalogue):
    ind = catalogue.indicator("ENV.PM25")
    span = (date(2015, 1, 1), date(2026, 11, 27))
    state = state_mod.parse_state(
        ind,
        catalogue,
        {
            "grain": "decade",
            "from": "x",
            "to": "1900",
            "regions": ",".join(r.code for r in catalogue.regions),
        },
        span,
        date(2026, 11, 28),
    )
    assert state.grain == "month" and state.start_year == state.end_year == 2015
    assert len(state.regions) == state_mod.MAX_COMPARE
    fresh = state_mod.parse_state(ind, catalogue, {}, span, date(2026, 11, 28))
    assert (fresh.start_year, fresh.end_year) == (2022, 2026)
    # November is not over in the data (to the 27th): the map opens on October.
    assert fresh.period == date(2026, 10, 1)
    daily = state_mod.parse_state(
        ind, catalogue, {"grain": "day", "from": "2020", "to": "2026"}, span, date(2026, 11, 28)
    )
    assert (daily.start_year, daily.end_year, daily.period) == (2026, 2026, date(2026, 11, 27))
    yearly = state_mod.parse_state(
        catalogue.indicator("SOC.IPM"), catalogue, {"grain": "month"}, None, date(2026, 11, 28)
    )
    assert yearly.grain == "year"


# --- the map ---------------------------------------------------------------------------


def test_the_tile_map_places_every_regency_and_brightens_what_is_better(catalogue):
    values = {r.code: float(i) for i, r in enumerate(catalogue.regions)}
    values["71.73"] = None
    stunting = catalogue.indicator("LIV.STUNTING")  # down: lower is better
    fig = cartogram.cartogram_figure(
        catalogue.regions, values, stunting, lang="id", unit="%", selected=["71.71"]
    )
    grid = fig["data"][1]
    placed = {code for row in grid["customdata"] for code in row if code}
    assert placed == {r.code for r in catalogue.regions if r.kind != "province"}
    assert grid["reversescale"] is True and grid["colorscale"] == "Viridis"
    tomohon = catalogue.regions_by_code["71.73"].grid
    assert (
        grid["z"][tomohon.row][tomohon.col] is None
        and fig["data"][0]["z"][tomohon.row][tomohon.col] == 0
    )
    assert len(fig["layout"]["shapes"]) == 1  # Manado outlined
    assert cartogram.tile_label(catalogue.regions_by_code["71.11"]) == "Bolsel"
    assert cartogram.tile_label(catalogue.regions_by_code["71.71"]) == "Manado"
    bor = catalogue.indicator("LIV.BOR")
    assert (
        cartogram.cartogram_figure(catalogue.regions, values, bor, lang="en", unit="%")["data"][1][
            "zmid"
        ]
        == 72.5
    )


def test_the_tile_map_colours_counts_per_100000_residents_and_labels_them_with_the_count(catalogue):
    dbd = catalogue.indicator("LIV.DBD")
    values = {"71.71": 14.0, "71.73": 5.0}
    rates = {"71.71": 3.1, "71.73": 4.9}
    grid = cartogram.cartogram_figure(
        catalogue.regions, values, dbd, lang="id", unit="kasus", rates=rates
    )["data"][1]
    manado, tomohon = (catalogue.regions_by_code[c].grid for c in ("71.71", "71.73"))
    assert grid["z"][manado.row][manado.col] == 3.1 and grid["z"][tomohon.row][tomohon.col] == 4.9
    assert grid["text"][manado.row][manado.col] == "Manado<br>14"
    assert "3,1 per 100.000 penduduk" in grid["hovertext"][manado.row][manado.col]


def _square(lon, lat):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + 0.2, lat], [lon + 0.2, lat + 0.2], [lon, lat + 0.2], [lon, lat]]
        ],
    }


def test_a_boundary_file_draws_an_offline_choropleth(catalogue, tmp_path):
    subs = [r for r in catalogue.regions if r.kind != "province"]
    features = []
    for r in subs:
        # Mixed conventions, as real files have: BPS codes under a BPS key, names, dotted codes.
        props = (
            {"KODE_BPS": r.bps_code}
            if r.code in ("71.07", "71.08")
            else {"NAMOBJ": r.name}
            if r.code.startswith("71.7")
            else {"kode": r.code}
        )
        features.append({"type": "Feature", "properties": props, "geometry": _square(r.lon, r.lat)})
    features.append(
        {"type": "Feature", "properties": {"name": "Gorontalo"}, "geometry": _square(122.0, 0.5)}
    )
    path = tmp_path / "sulut.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    boundaries = choropleth.load_boundaries(path, catalogue.regions)
    assert boundaries.matched == {r.code for r in subs}
    ids = {f["id"] for f in boundaries.geojson["features"]}
    assert "71.07" in ids and "71.08" in ids  # BPS 7107 is Bolmut (71.08), not Mitra
    values = {r.code: 10.0 + i for i, r in enumerate(subs)}
    values["71.72"] = None
    fig = choropleth.choropleth_figure(
        boundaries, catalogue.regions, values, catalogue.indicator("LIV.JKN"), lang="id", unit="%"
    )
    assert {t["type"] for t in fig["data"]} == {"choroplethmap"}
    assert fig["layout"]["map"]["style"] == "white-bg"
    for trace in fig["data"]:
        assert (
            trace["geojson"] == choropleth.BOUNDARY_URL
        )  # fetched from the app, not inlined, not a CDN
        assert "text" not in trace and "texttemplate" not in trace and trace.get("mode") is None
    assert fig["data"][0]["locations"] == ["71.72"]  # no value: grey


def test_a_boundary_file_without_our_regions_is_refused(catalogue, tmp_path):
    path = tmp_path / "elsewhere.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Gorontalo"},
                        "geometry": _square(122.0, 0.5),
                    }
                ],
            }
        )
    )
    with pytest.raises(ValueError):
        choropleth.load_boundaries(path, catalogue.regions)


def test_sparklines_are_self_contained_images():
    uri = sparkline_uri([1.0, None, 3.0, 2.0], color="#3ddbb3", target=2.5)
    assert uri.startswith("data:image/svg+xml;base64,")


# --- the indicator view over a store ----------------------------------------------------


@pytest.fixture
def env(engine, catalogue):
    sync_catalogue(engine, catalogue)
    return views.Env(engine, catalogue, VersionedMemo(), 1, date(2026, 11, 28))


def _put(engine, rows, source="dispar-statistik"):
    with begin_write(engine) as conn:
        upsert_observations(conn, rows, source_id=source, run_id=None, ingested_at=clock_kit.now())


def test_the_province_is_derived_from_the_regencies_when_it_reported_nothing(
    env, engine, catalogue
):
    subs = [r for r in catalogue.regions if r.kind != "province"]
    rows = [
        ObservationRow("BRD.WISMAN", r.code, date(2026, m, 1), "month", 10.0 * (i + 1))
        for i, r in enumerate(subs)
        for m in (4, 5, 6, 7, 8, 9)
    ]
    # The province reports the third quarter itself (and nothing before): that must stand.
    rows += [
        ObservationRow("BRD.WISMAN", "71", date(2026, m, 1), "month", 333.0) for m in (7, 8, 9)
    ]
    _put(engine, rows)
    ind = catalogue.indicator("BRD.WISMAN")
    state = state_mod.ViewState(ind.code, ("71.71",), "quarter", 2026, 2026, None, "en")
    frame = views.load_series(env, ind, state)
    province = frame[frame["region_code"] == "71"].set_index("period_start")
    per_month = sum(10.0 * (i + 1) for i in range(len(subs)))
    assert province.loc[date(2026, 4, 1), "value"] == pytest.approx(3 * per_month)
    assert bool(province.loc[date(2026, 4, 1), "derived"]) and bool(
        province.loc[date(2026, 4, 1), "complete"]
    )
    assert province.loc[date(2026, 7, 1), "value"] == 999.0 and not bool(
        province.loc[date(2026, 7, 1), "derived"]
    )
    assert province.index.tolist() == [date(2026, 4, 1), date(2026, 7, 1)]  # one row per quarter
    view = views.build_series_view(catalogue, ind, state, frame, [])
    names = [t["name"] for t in view.series["data"]]
    assert names[-2:] == [
        "North Sulawesi",
        "Manado",
    ]  # the English page names the province in English
    row = next(r for r in view.rows if r["r"] == "71" and r["s"] == "2026-04-01")
    assert row["b"] == "3/3" and "computed from the regencies" in row["n"] and "id" not in row
    values = views.load_period(env, ind, "quarter", date(2026, 4, 1))
    assert values["71"] == pytest.approx(3 * per_month)  # derived on the map too
    assert values["71.74"] == 3 * 150.0  # Kotamobagu, the 15th: 150 a month


def test_a_province_that_never_reports_is_derived_even_alone_on_the_chart(env, engine, catalogue):
    subs = [r for r in catalogue.regions if r.kind != "province"]
    _put(
        engine,
        [ObservationRow("LIV.STUNTING", r.code, date(2026, 9, 1), "month", 20.0) for r in subs],
        source="dinkes-sik",
    )
    ind = catalogue.indicator("LIV.STUNTING")
    frame = views.load_series(
        env, ind, state_mod.ViewState(ind.code, (), "month", 2026, 2026, None, "en")
    )
    assert frame[["region_code", "period_start", "value", "derived"]].values.tolist() == [
        ["71", date(2026, 9, 1), pytest.approx(20.0), True]
    ]


def test_a_stored_grain_table_carries_ids_revisions_and_sources(env, engine, catalogue):
    _put(
        engine,
        [
            ObservationRow("LIV.STUNTING", "71", date(2026, m, 1), "month", 20.0 + m)
            for m in (1, 2, 3)
        ],
        source="dinkes-sik",
    )
    _put(
        engine,
        [ObservationRow("LIV.STUNTING", "71", date(2026, 3, 1), "month", 19.0)],
        source="dinkes-sik",
    )
    ind = catalogue.indicator("LIV.STUNTING")
    state = state_mod.ViewState(ind.code, (), "month", 2026, 2026, None, "id")
    rows = views.build_series_view(
        catalogue, ind, state, views.load_series(env, ind, state), []
    ).rows
    march = next(r for r in rows if r["s"] == "2026-03-01")
    assert (march["v"], march["rev"], march["src"], march["p"]) == (
        19.0,
        2,
        "dinkes-sik",
        "Mar 2026",
    )
    assert isinstance(march["id"], int) and "n" not in march  # nothing to note about a stored month


def test_the_memo_never_outlives_the_data_version():
    memo = VersionedMemo(maxsize=2)
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert memo.get(1, "k", compute) == 1 and memo.get(1, "k", compute) == 1
    assert memo.get(2, "k", compute) == 2  # the data moved: computed afresh
    assert (
        memo.get(None, "k", compute) == 3 and memo.get(None, "k", compute) == 4
    )  # unknown version: no memo
    memo.get(3, "a", compute), memo.get(3, "b", compute), memo.get(3, "c", compute)
    assert len(memo._items) == 2
