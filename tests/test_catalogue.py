"""The shipped catalogue, and one bad catalogue per kind of mistake with its exact message."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from collectors.registry import known_kinds
from dashboard.catalogue import CatalogueError, load_catalogue
from dashboard.catalogue.models import DOMAIN_ORDER
from dashboard.regions import RegionRegistry

CONFIG = Path(__file__).resolve().parents[1] / "config"


@pytest.fixture(scope="module")
def catalogue():
    # An empty environment: the URLs below are the defaults, whatever the shell exports.
    return load_catalogue(CONFIG, env={})


# --- the shipped catalogue ---------------------------------------------------------


def test_it_loads_with_enough_indicators_in_every_domain(catalogue):
    assert len(catalogue.indicators) >= 36
    per_domain = Counter(i.domain for i in catalogue.indicators)
    assert set(per_domain) == set(DOMAIN_ORDER)
    assert min(per_domain.values()) >= 5


def test_three_headline_indicators_per_domain(catalogue):
    headline = Counter(i.domain for i in catalogue.indicators if i.headline)
    assert headline == dict.fromkeys(DOMAIN_ORDER, 3)


def test_domains_carry_the_applications_of_the_design(catalogue):
    apps = {d.id: {a.id for a in d.applications} for d in catalogue.domains}
    assert [d.id for d in catalogue.domains] == list(DOMAIN_ORDER)
    assert apps["living"] >= {"e-health"}
    assert apps["society"] >= {"e-education", "e-raport"}
    assert apps["branding"] >= {"e-tourism"}
    assert apps["governance"] >= {"e-office", "e-kinerja", "e-monev", "e-budgeting", "e-planning"}
    assert apps["environment"] >= {"e-disaster"}
    assert apps["economy"] >= {"e-commerce", "e-employment"}


def test_province_and_fifteen_regions_with_their_bps_codes(catalogue):
    assert len(catalogue.regions) == 16
    province = catalogue.province
    assert (province.code, province.bps_code, province.grid) == ("71", "7100", None)
    bps = {r.code: r.bps_code for r in catalogue.regions}
    # The five regencies BPS numbers differently from Kemendagri.
    assert {code: bps[code] for code in ("71.07", "71.08", "71.09", "71.10", "71.11")} == {
        "71.07": "7109",
        "71.08": "7107",
        "71.09": "7108",
        "71.10": "7111",
        "71.11": "7110",
    }
    for code in (
        "71.01",
        "71.02",
        "71.03",
        "71.04",
        "71.05",
        "71.06",
        "71.71",
        "71.72",
        "71.73",
        "71.74",
    ):
        assert bps[code] == code.replace(".", "")


def test_populations_add_up_to_the_province(catalogue):
    province = catalogue.province.population
    regions = sum(r.population for r in catalogue.regions if r.kind != "province")
    assert 2_600_000 <= province <= 2_800_000
    assert abs(regions - province) / province < 0.02
    assert 420_000 <= catalogue.regions_by_code["71.71"].population <= 480_000


def test_every_region_has_its_own_grid_cell(catalogue):
    cells = [(r.grid.row, r.grid.col) for r in catalogue.regions if r.kind != "province"]
    assert len(cells) == 15 and len(set(cells)) == 15
    grid = {r.short_name: (r.grid.row, r.grid.col) for r in catalogue.regions if r.grid}
    # Talaud lies furthest north and east; the Bolaang Mongondow cluster in the west.
    assert grid["Kepulauan Talaud"][0] == min(row for row, _ in cells)
    assert grid["Kepulauan Talaud"][1] == max(col for _, col in cells)
    assert grid["Bolaang Mongondow Utara"][1] == min(col for _, col in cells)


@pytest.mark.parametrize(
    "name, code",
    [
        ("Minut", "71.06"),
        ("Sitaro", "71.09"),
        ("Bolmong", "71.01"),
        ("Bolmut", "71.08"),
        ("Boltim", "71.10"),
        ("Bolsel", "71.11"),
        ("Mitra", "71.07"),
        ("Minsel", "71.05"),
        ("KOTA MANADO", "71.71"),
        ("Manado", "71.71"),
        ("Kabupaten Minahasa Utara", "71.06"),
        ("Kab. Minahasa Utara", "71.06"),
        ("Kota Kotamobagu", "71.74"),
        ("Sulut", "71"),
    ],
)
def test_loose_names_resolve(catalogue, name, code):
    assert RegionRegistry(catalogue.regions).from_name(name) == code


def test_every_indicator_is_fed_and_fully_described(catalogue):
    fed = {code for s in catalogue.sources for code in s.indicators}
    for ind in catalogue.indicators:
        assert ind.code in fed, ind.code
        assert ind.description is not None, ind.code
        assert (
            ind.code.split(".")[0]
            == {
                "living": "LIV",
                "society": "SOC",
                "branding": "BRD",
                "governance": "GOV",
                "environment": "ENV",
                "economy": "ECO",
            }[ind.domain]
        )
        if ind.code != "ENV.GEMPA":  # an earthquake count has no target to meet
            assert sorted(ind.targets) == list(range(2022, 2028)), ind.code
        if ind.unit.en.startswith("%") and ind.valid_range.max is not None:
            assert ind.valid_range.min is not None and ind.valid_range.min <= 0
        if ind.aggregation.method == "sum":
            assert ind.decimals <= 1 and ind.valid_range.min == 0, ind.code
    classes = Counter(i.classification for i in catalogue.indicators)
    assert classes["public"] > classes["internal"] >= 1 and 1 <= classes["restricted"] <= 2
    assert any(i.cumulative and i.code == "GOV.REALISASI-APBD" for i in catalogue.indicators)
    bands = {i.code: (i.band.low, i.band.high) for i in catalogue.indicators if i.band}
    assert bands["LIV.BOR"] == (60, 85) and bands["ECO.INFLASI"] == (1.5, 3.5)


def test_sources_vary_their_shapes_and_suit_a_live_demo(catalogue):
    options = catalogue.source_options
    # Every kind a province really runs, each in the demo.
    assert {s.kind for s in catalogue.sources} == {
        "http_json",
        "bps",
        "ckan",
        "bmkg",
        "sql_query",
        "excel",
        "csv",
    }
    feeds = [s for s in catalogue.sources if s.kind == "http_json"]
    assert {options[s.id].region_system for s in feeds} == {"kemendagri", "bps", "name"}
    assert any(options[s.id].locale == "id" for s in feeds)
    assert any("." in options[s.id].records for s in feeds)
    assert any("[]" in options[s.id].records for s in feeds)
    assert any(options[s.id].indicator_map for s in feeds)
    for source in feeds:
        opts = options[source.id]
        assert opts.backfill_params == {"history": "60"} and opts.bookmark_param == "since"
    for source in catalogue.sources:
        if source.schedule.fetched:
            assert 15 <= source.schedule.interval_seconds <= 300, source.id
        assert source.timeout_seconds <= 30
        url = getattr(options[source.id], "url", None) or getattr(
            options[source.id], "base_url", None
        )
        if url is not None:
            assert url.startswith("http://127.0.0.1:8051/"), url
        # A source feeds its own SKPD's indicators (BPS releases arrive through the BPS feed).
        owners = {catalogue.indicator(code).skpd for code in source.indicators}
        assert owners == {source.skpd}, source.id


def test_simulator_address_comes_from_the_environment():
    moved = load_catalogue(CONFIG, env={"ODSK_SIMULATOR_URL": "http://10.0.0.5:9000"})
    urls = [
        getattr(opts, "url", None) or getattr(opts, "base_url", None)
        for opts in moved.source_options.values()
    ]
    assert all(url.startswith("http://10.0.0.5:9000/") for url in urls if url is not None)
    assert sum(url is not None for url in urls) >= len(moved.sources) - 2  # e-office, drop


# --- bad catalogues ------------------------------------------------------------------

Edit = Callable[[Path], None]
# libyaml when present: these tests rewrite the catalogue twenty times.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def edit_yaml(name: str, change: Callable[[dict], None]) -> Edit:
    def apply(config: Path) -> None:
        path = config / name
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        change(data)
        path.write_text(
            yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    return apply


def write(name: str, text: str) -> Edit:
    return lambda config: (config / name).write_text(text, encoding="utf-8")


def remove(name: str) -> Edit:
    return lambda config: (config / name).unlink()


def _ind(i: int, **changes) -> Callable[[dict], None]:
    return lambda data: data["indicators"][i].update(changes)


def _src(i: int, **changes) -> Callable[[dict], None]:
    return lambda data: data["sources"][i].update(changes)


def _src_options(i: int, **changes) -> Callable[[dict], None]:
    return lambda data: data["sources"][i]["options"].update(changes)


def _drop_unit(data: dict) -> None:
    del data["indicators"][3]["unit"]


def _duplicate_code(data: dict) -> None:
    data["indicators"][8]["code"] = data["indicators"][0]["code"]


def _alias_of_another_region(data: dict) -> None:
    manado = data["regions"][12]
    assert manado["code"] == "71.71"
    manado["aliases"].append("Minut")


def _unknown_fed_indicator(data: dict) -> None:
    data["sources"][0]["indicators"].append("LIV.UNKNOWN")


BAD_CASES: list[tuple[str, Edit, str]] = [
    (
        "bad direction",
        edit_yaml("indicators.yaml", _ind(12, direction="sideways")),
        "indicators.yaml: indicators[12].direction: must be one of up, down, band",
    ),
    (
        "missing required field",
        edit_yaml("indicators.yaml", _drop_unit),
        "indicators.yaml: indicators[3].unit: is required",
    ),
    (
        "unknown key",
        edit_yaml("indicators.yaml", _ind(0, colour="red")),
        "indicators.yaml: indicators[0].colour: is not a known key",
    ),
    (
        "band direction without band",
        edit_yaml("indicators.yaml", _ind(0, direction="band")),
        "indicators.yaml: indicators[0]: direction 'band' needs band.low and band.high",
    ),
    (
        "band on an up indicator",
        edit_yaml("indicators.yaml", _ind(1, band={"low": 90, "high": 99})),
        "indicators.yaml: indicators[1]: band is only allowed with direction 'band'",
    ),
    (
        "band upside down",
        edit_yaml("indicators.yaml", _ind(2, band={"low": 85, "high": 60})),
        "indicators.yaml: indicators[2].band: band.low must be below band.high",
    ),
    (
        "unknown SKPD",
        edit_yaml("indicators.yaml", _ind(5, skpd="dinas-rahasia")),
        "indicators.yaml: indicators[5].skpd: SKPD 'dinas-rahasia' is not in skpd.yaml",
    ),
    (
        "application of another domain",
        edit_yaml("indicators.yaml", _ind(0, application="e-tourism")),
        "indicators.yaml: indicators[0].application: application 'e-tourism' is not an application of domain 'living'",
    ),
    (
        "weighted mean without weight",
        edit_yaml("indicators.yaml", _ind(0, aggregation={"method": "weighted_mean"})),
        "indicators.yaml: indicators[0].aggregation: weighted_mean needs a weight (e.g. population)",
    ),
    (
        "duplicate indicator code",
        edit_yaml("indicators.yaml", _duplicate_code),
        "indicators.yaml: indicators[8].code: 'LIV.STUNTING' is defined more than once",
    ),
    (
        "alias naming two regions",
        edit_yaml("regions.yaml", _alias_of_another_region),
        "regions.yaml: regions[12].aliases[3]: 'Minut' already names region 71.06",
    ),
    (
        "short name of another region",
        edit_yaml("regions.yaml", lambda d: d["regions"][13].update(short_name="Manado")),
        "regions.yaml: regions[13].short_name: 'Manado' already names region 71.71",
    ),
    (
        "two regions in one grid cell",
        edit_yaml("regions.yaml", lambda d: d["regions"][2].update(grid={"row": 0, "col": 6})),
        "regions.yaml: regions[2].grid: another region has the same grid position",
    ),
    (
        "bad Kemendagri code",
        edit_yaml("regions.yaml", lambda d: d["regions"][1].update(code="72.01")),
        "regions.yaml: regions[1].code: must be a Kemendagri code of North Sulawesi: '71' or '71.NN'",
    ),
    (
        "source feeding an unknown indicator",
        edit_yaml("sources.yaml", _unknown_fed_indicator),
        "sources.yaml: sources[0].indicators[6]: indicator 'LIV.UNKNOWN' is not in indicators.yaml",
    ),
    (
        "unknown source kind",
        edit_yaml("sources.yaml", _src(1, kind="ftp_csv")),
        "sources.yaml: sources[1].kind: unknown kind 'ftp_csv'; known kinds: {kinds}",
    ),
    (
        "URL that is not HTTP",
        edit_yaml("sources.yaml", _src_options(2, url="ftp://dikda.sulutprov.go.id/x.json")),
        "sources.yaml: sources[2].options.url: string should match pattern '^https?://'",
    ),
    (
        "bad JMESPath",
        edit_yaml("sources.yaml", _src_options(4, records="laporan.baris[")),
        "sources.yaml: sources[4].options.records: not a valid JMESPath expression 'laporan.baris[': "
        "incomplete expression",
    ),
    (
        "unknown option of the kind",
        edit_yaml("sources.yaml", _src_options(0, retries=3)),
        "sources.yaml: sources[0].options.retries: is not a known key",
    ),
    (
        "interval and cron",
        edit_yaml(
            "sources.yaml", _src(3, schedule={"interval_seconds": 60, "cron": "*/5 * * * *"})
        ),
        "sources.yaml: sources[3].schedule: give exactly one of interval_seconds, cron or delivered_every_seconds",
    ),
    (
        "invalid YAML",
        write("domains.yaml", "domains:\n  - id: living\n    name: {id: Smart Living\n"),
        "domains.yaml: line 4, column 1: not valid YAML (did not find expected ',' or '}')",
    ),
    ("missing file", remove("skpd.yaml"), "skpd.yaml: file is missing"),
    (
        "plan for an unknown indicator",
        edit_yaml(
            "plans.yaml",
            lambda d: d["plans"].update({"GOV.NOPE": d["plans"]["GOV.REALISASI-APBD"]}),
        ),
        "plans.yaml: plans.GOV.NOPE: indicator 'GOV.NOPE' is not in indicators.yaml",
    ),
    (
        "plan for an indicator that is not cumulative",
        edit_yaml(
            "plans.yaml",
            lambda d: d["plans"].update({"LIV.STUNTING": d["plans"]["GOV.REALISASI-APBD"]}),
        ),
        "plans.yaml: plans.LIV.STUNTING: indicator 'LIV.STUNTING' is not cumulative; "
        "a plan curve only applies to one that is",
    ),
    (
        "plan curve that goes down",
        edit_yaml(
            "plans.yaml",
            lambda d: d["plans"]["GOV.REALISASI-PAD"].update(
                monthly=[0.1, 0.05, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]
            ),
        ),
        "plans.yaml: plans.GOV.REALISASI-PAD.monthly: a cumulative plan never goes down",
    ),
]


@pytest.mark.parametrize(
    "edit, expected", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_catalogue_is_refused_with_its_file_and_key_path(tmp_path, edit, expected):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    edit(config)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(config)
    expected = expected.replace("{kinds}", ", ".join(sorted(known_kinds())))
    assert expected in [str(issue) for issue in caught.value.issues]
    assert expected in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    edit_yaml("indicators.yaml", _ind(12, direction="sideways"))(config)
    edit_yaml("sources.yaml", _src(3, schedule={"interval_seconds": 60, "cron": "*/5 * * * *"}))(
        config
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(config)
    assert [str(i) for i in caught.value.issues] == [
        "indicators.yaml: indicators[12].direction: must be one of up, down, band",
        "sources.yaml: sources[3].schedule: give exactly one of interval_seconds, cron or delivered_every_seconds",
    ]
