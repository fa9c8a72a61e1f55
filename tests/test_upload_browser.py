"""The SKPD upload page: preview every accepted and rejected row, then confirm into a recorded run."""

import json

import pytest
from access_kit import serve
from sqlalchemy import select

from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import make_engine
from dashboard.store.schema import CollectionRun, QuarantinedRow
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser


def test_upload_preview_then_confirm_records_a_run(dash_duo, sqlite_url, tmp_path, catalogue):
    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    upload = tmp_path / "stunting-okt.json"
    upload.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "kode_indikator": "LIV.STUNTING",
                        "kode_wilayah": "71.71",
                        "periode": "2026-10",
                        "nilai": 17.2,
                    },
                    {
                        "kode_indikator": "LIV.STUNTING",
                        "kode_wilayah": "71.99",
                        "periode": "2026-10",
                        "nilai": 18.0,
                    },
                    {
                        "kode_indikator": "LIV.STUNTING",
                        "kode_wilayah": "71.02",
                        "periode": "2026-10",
                        "nilai": "12a",
                    },
                ]
            }
        )
    )
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    serve(dash_duo, app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/upload?lang=en&source=dinkes-sik")
    dash_duo.find_element("#upload-file input[type=file]").send_keys(str(upload))
    dash_duo.wait_for_text_to_equal(
        "#upload-summary", "1 rows will be accepted, 2 rows rejected", timeout=30
    )
    rejected = dash_duo.find_element("#upload-rejected").text
    assert "region '71.99' is unknown" in rejected and "'12a' is not a number" in rejected
    with engine.connect() as conn:
        assert conn.execute(select(CollectionRun.id)).first() is None  # a preview stores nothing

    dash_duo.find_element("#upload-confirm").click()
    dash_duo.wait_for_contains_text("#upload-done", "partial — 1 accepted, 2 rejected", timeout=30)
    with engine.connect() as conn:
        run = conn.execute(select(CollectionRun.trigger, CollectionRun.status)).one()
        quarantined = conn.execute(
            select(QuarantinedRow.row_number).order_by(QuarantinedRow.row_number)
        ).scalars()
        assert tuple(run) == ("upload", "partial") and list(quarantined) == [2, 3]
    assert dash_duo.get_logs() == []
