"""Provenance of a value: after a revision it shows the run and revision that wrote the current value,
the replaced value with its own run, and each run's archived raw payload, downloadable as it was."""

import json
from datetime import date
from pathlib import Path

import pytest
from access_kit import client_as
from analyst_kit import route, text_of
from sqlalchemy import select

from collectors.base import Payload
from dashboard.ingest import collect
from dashboard.runtime import Runtime
from dashboard.settings import Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.provenance import provenance, values_behind
from dashboard.store.schema import Observation
from dashboard.webapp import create_app

SMALL = Path(__file__).parent / "catalogue_small"
TODAY = date(2026, 11, 28)


def feed(value: str) -> Payload:
    return Payload(
        json.dumps(
            {
                "data": [
                    {
                        "indikator": "LIV.STUNTING",
                        "wilayah": "Manado",
                        "periode": "2026-10",
                        "nilai": value,
                    }
                ]
            }
        ).encode(),
        "application/json",
    )


@pytest.fixture
def revised(database_url, tmp_path):
    """Manado's stunting for October 2026: 21,5 in a first run, corrected to 20,9 by a second."""
    settings = Settings(database_url=database_url, config_dir=SMALL, data_dir=tmp_path)
    rt = Runtime.from_settings(settings)
    sync_catalogue(rt.engine, rt.catalogue)
    first = collect(rt, "dinkes-feed", payload=feed("21,5"), today=TODAY)
    second = collect(rt, "dinkes-feed", payload=feed("20,9"), today=TODAY)
    with rt.engine.connect() as conn:
        obs_id = conn.execute(
            select(Observation.id).where(Observation.region_code == "71.71")
        ).scalar_one()
    yield rt, settings, obs_id, first, second
    rt.close()


def test_the_store_knows_the_current_run_and_every_earlier_value(revised):
    rt, _, obs_id, first, second = revised
    with rt.engine.connect() as conn:
        record = provenance(conn, obs_id)
        behind = values_behind(
            conn, "LIV.STUNTING", ["71.71"], "month", date(2026, 10, 1), date(2026, 11, 1)
        )
    assert (record.current.revision, record.current.value) == (2, 20.9)
    assert record.current.run.id == second.run_id and record.current.superseded_at is None
    assert record.current.run.payload_sha256 == second.payload_sha256
    assert [(v.revision, v.value, v.run.id) for v in record.history] == [(1, 21.5, first.run_id)]
    assert record.history[0].run.payload_sha256 == first.payload_sha256 != second.payload_sha256
    assert record.history[0].superseded_at >= record.history[0].ingested_at
    assert (record.source_id, record.source_name, record.source_kind) == (
        "dinkes-feed",
        "Dinkes e-Health feed",
        "http_json",
    )
    assert [(b.id, b.revision, b.run_id) for b in behind] == [(obs_id, 2, second.run_id)]


def test_the_page_shows_the_right_run_and_revision_and_serves_the_payloads(revised):
    _rt, settings, obs_id, first, second = revised
    app = create_app(settings)
    client = client_as(app, "admin")
    response = route(client, f"/provenance/{obs_id}", "?lang=en")
    assert response.status_code == 200
    page = response.json["response"]["_pages_content"]["children"]
    text = text_of(page)
    assert f"Provenance of value #{obs_id}" in text
    dump = json.dumps(page)
    current = _by_id(page, "prov-revision")
    assert text_of(current) == "2"
    assert text_of(_by_id(page, "prov-run")) == f"#{second.run_id}"
    assert text_of(_by_id(page, "prov-value")) == "20.9 %"
    rev1, rev2 = text_of(_by_id(page, "prov-rev-1")), text_of(_by_id(page, "prov-rev-2"))
    assert f"#{first.run_id} · dinkes-feed" in rev1 and "21.5" in rev1
    assert f"#{second.run_id} · dinkes-feed" in rev2 and "20.9" in rev2 and "current" in rev2
    for run in (first, second):
        assert f"/analyst/payload/{run.payload_sha256}" in dump
        download = client.get(f"/analyst/payload/{run.payload_sha256}")
        assert download.status_code == 200
        assert download.data == (feed("21,5") if run is first else feed("20,9")).content
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/analyst/payload/" + "0" * 64).status_code == 404
    assert client.get("/analyst/payload/not-a-hash").status_code == 404
    assert "not found" in text_of(
        route(client, "/provenance/999999", "?lang=en").json["response"]["_pages_content"][
            "children"
        ]
    )


def test_the_indicator_page_panel_lists_what_a_figure_is_made_of(revised):
    from analyst_kit import call

    _rt, settings, obs_id, _first, second = revised
    client = client_as(create_app(settings), "admin")
    response = call(
        client,
        [("ind-prov", "children")],
        inputs=[
            ("ind-grid", "cellClicked", {"rowId": "71.71|2026-10-01", "colId": "value"}),
            ("ind-series", "clickData", None),
        ],
        state=[
            ("ind-grid", "rowData", []),
            ("ind-grain", "value", "quarter"),
            ("ind-page", "data", {"code": "LIV.STUNTING", "lang": "en"}),
        ],
        changed="ind-grid.cellClicked",
    )
    assert response.status_code == 200
    panel = response.json["response"]["ind-prov"]["children"]
    text = text_of(panel)
    assert (
        "Manado · Q4 2026" in text
        and f"#{obs_id}" in text
        and f"#{second.run_id}" in text
        and "r2" in text
    )
    assert f"/provenance/{obs_id}" in json.dumps(panel)


def _by_id(component, wanted):
    if isinstance(component, dict):
        props = component.get("props") or {}
        if props.get("id") == wanted:
            return component
        return _by_id(props.get("children"), wanted)
    if isinstance(component, list):
        for child in component:
            found = _by_id(child, wanted)
            if found is not None:
                return found
    return None
