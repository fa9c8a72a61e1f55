"""Harvestable metadata: the CKAN read subset read by the project's own CKAN collector (the
client that reads the SKPDs' portals) into a second store, and by ckanapi from PyPI; the
DCAT-AP catalogue (JSON-LD) of the public datasets."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parent.parent
CODE = "LIV.STUNTING"


@pytest.fixture
def served(sqlite_url, tmp_path):
    """The app on a seeded store, over HTTP in a thread: (base URL, its context)."""
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    settings = Settings(database_url=sqlite_url, data_dir=tmp_path / "a")
    seed_store(sqlite_url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", context_of(app)
    server.shutdown()
    context_of(app).engine.dispose()


def _harvester_config(tmp_path: Path, base_url: str) -> Path:
    """The project's catalogue with one source: our own CKAN subset, read like an SKPD portal."""
    config = tmp_path / "harvester-config"
    shutil.copytree(REPO / "config", config)
    (config / "sources.yaml").write_text(
        f"""
sources:
  - id: odsk-opendata-stunting
    name: ODSK open data, harvested over CKAN
    kind: ckan
    skpd: dinkes
    schedule: {{interval_seconds: 60}}
    indicators: [{CODE}]
    options:
      base_url: "{base_url}"
      dataset: liv-stunting
      page_size: 100
      columns: {{region: region_bps_code, period: period, value: value}}
      indicator: {CODE}
      region_system: bps
      locale: en
""",
        encoding="utf-8",
    )
    return config


def _values(engine, code: str) -> dict[tuple[str, date], float]:
    from sqlalchemy import select

    from dashboard.store.schema import Observation

    t = Observation.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.region_code, t.c.period_start, t.c.value).where(t.c.indicator_code == code)
        )
        return {(r.region_code, r.period_start): r.value for r in rows}


def test_our_own_ckan_collector_harvests_the_api_into_a_second_store(served, tmp_path):
    from dashboard.ingest import collect
    from dashboard.runtime import Runtime
    from dashboard.settings import Settings
    from dashboard.store.catalogue_sync import sync_catalogue
    from dashboard.store.migrate import upgrade

    base, context = served
    second = f"sqlite:///{tmp_path}/second.sqlite3"
    upgrade(second)
    rt = Runtime.from_settings(
        Settings(
            database_url=second,
            data_dir=tmp_path / "b",
            config_dir=_harvester_config(tmp_path, base),
        )
    )
    sync_catalogue(rt.engine, rt.catalogue)
    summary = collect(rt, "odsk-opendata-stunting", backfill=True)
    assert summary.status == "ok", summary
    harvested, original = _values(rt.engine, CODE), _values(context.engine, CODE)
    rt.close()
    # Every value, in every region (BPS codes mapped back to Kemendagri), over 100-row pages.
    assert harvested == original and len(original) > 16 * 12


def test_ckanapi_reads_the_subset_and_sees_public_datasets_only(served):
    import ckanapi

    base, context = served
    portal = ckanapi.RemoteCKAN(base, user_agent="odsk-test")
    names = portal.action.package_list()  # ckanapi POSTs: CSRF must not stand in the way
    public = {i.code for i in context.catalogue.indicators if i.classification == "public"}
    assert len(names) == len(public) and "liv-stunting" in names
    assert "liv-kematian-ibu" not in names and "gov-disiplin-asn" not in names
    package = portal.action.package_show(id="liv-stunting")
    assert package["id"] == CODE and package["organization"]["name"] == "dinkes"
    resource = package["resources"][0]
    assert resource["datastore_active"] is True
    page = portal.action.datastore_search(
        resource_id=resource["id"], limit=5, filters={"region_bps_code": "7109"}
    )
    assert [r["region_code"] for r in page["records"]] == ["71.07"] * 5 and page["total"] > 5
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="liv-kematian-ibu")  # internal: not confirmed to exist
    with pytest.raises(ckanapi.ValidationError):
        portal.action.datastore_search(resource_id=resource["id"], limit=-1)
    got = requests.get(f"{base}/api/3/action/package_show", params={"id": "nothing"}, timeout=10)
    assert got.status_code == 404 and got.json()["success"] is False


def test_the_dcat_catalogue_lists_public_datasets_with_working_distributions(served):
    base, context = served
    reply = requests.get(f"{base}/data/catalog.jsonld", timeout=30)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith(
        "application/ld+json"
    )
    doc = reply.json()
    assert (
        doc["@type"] == "dcat:Catalog" and doc["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    )
    datasets = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    public = {i.code for i in context.catalogue.indicators if i.classification == "public"}
    assert set(datasets) == public
    one = datasets[CODE]
    for field in (
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dcat:contactPoint",
        "dct:accrualPeriodicity",
        "dct:spatial",
        "dct:modified",
        "dcat:landingPage",
        "dcat:distribution",
    ):
        assert one[field], field
    assert {"@value": "Prevalensi stunting balita", "@language": "id"} in one["dct:title"]
    assert ["71.07", "7109"] in [s["dct:identifier"] for s in one["dct:spatial"]]
    for distribution in one["dcat:distribution"]:
        assert requests.get(distribution["dcat:downloadURL"]["@id"], timeout=30).status_code == 200
