"""``/alerts``, ``/ops/sources`` and ``/ops/compliance`` in a real headless Chromium:
they render from the store, their forms work, both languages, no console errors."""

import json
from datetime import UTC, datetime, timedelta

import clock_kit
import pytest
from access_kit import serve
from browser_checks import CONTRAST_CHECK
from page_kit import sample_alerts, unknown_region_row
from sqlalchemy import insert
from wait_kit import wait_until

from dashboard.alerts.shiftlog import add_note
from dashboard.catalogue.periods import add_months
from dashboard.compliance.rules import default_month
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.store.engine import begin_write, make_engine
from dashboard.store.heartbeats import beat
from dashboard.store.observations import ObservationRow, upsert_observations
from dashboard.store.schema import Alert, CollectionRun, QuarantinedRow
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def ops_app(sqlite_url, tmp_path, catalogue):
    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    now = clock_kit.now()
    broken = catalogue.sources[0]
    with begin_write(engine) as conn:
        for source in catalogue.sources:  # collected for months: every deadline shown is judged
            conn.execute(
                insert(CollectionRun).values(
                    source_id=source.id,
                    trigger="schedule",
                    status="ok",
                    rows_accepted=40,
                    started_at=now - timedelta(days=200),
                    finished_at=now - timedelta(days=200) + timedelta(seconds=2),
                )
            )
            conn.execute(
                insert(CollectionRun).values(
                    source_id=source.id,
                    trigger="schedule",
                    status="ok",
                    rows_accepted=40,
                    started_at=now - timedelta(seconds=14),
                    finished_at=now - timedelta(seconds=12),
                )
            )
        rejected_run = conn.execute(
            insert(CollectionRun)
            .values(
                source_id=broken.id,
                trigger="schedule",
                status="partial",
                rows_accepted=38,
                rows_rejected=2,
                message="2 of 40 rows rejected",
                started_at=now - timedelta(seconds=6),
                finished_at=now - timedelta(seconds=4),
            )
            .returning(CollectionRun.id)
        ).scalar_one()
        conn.execute(
            insert(QuarantinedRow),
            [unknown_region_row(rejected_run, broken.id, n) for n in (3, 17)],
        )
        failing = catalogue.sources[1]
        conn.execute(
            insert(CollectionRun).values(
                source_id=failing.id,
                trigger="schedule",
                status="failed",
                error_class="timeout",
                message="run exceeded the source's timeout",
                started_at=now - timedelta(seconds=3),
                finished_at=now - timedelta(seconds=1),
            )
        )
        conn.execute(
            insert(Alert),
            [
                *sample_alerts(now, failing),  # executemany: the same keys in every row
                {
                    "rule_id": "bor-penuh",
                    "subject": "LIV.BOR@71.71",
                    "severity": "critical",
                    "state": "resolved",
                    "title_id": "Rumah sakit hampir penuh — Manado",
                    "title_en": "Hospitals nearly full — Manado",
                    "fired_at": now - timedelta(days=1),
                    "resolved_at": now - timedelta(hours=20),
                    "details": {},
                },
            ],
        )
        month = default_month(catalogue, now)
        code = next(i for i in catalogue.indicators if i.frequency == "monthly")
        upsert_observations(
            conn,
            [ObservationRow(code.code, "71", month, "month", 10.0)],
            source_id=catalogue.sources_feeding(code.code)[0].id,
            run_id=None,
            ingested_at=datetime.combine(add_months(month, 1), datetime.min.time(), UTC),
        )
    beat(
        engine,
        "scheduler:test:1",
        "scheduler",
        {
            "jobs": {
                f"source:{s.id}": (now + timedelta(seconds=40)).isoformat()
                for s in catalogue.sources
            }
        },
    )
    add_note(
        engine, "Rina", "Shift pagi: semua layar normal.", "handover", now=now - timedelta(hours=1)
    )
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    yield app, catalogue, broken, rejected_run
    engine.dispose()


def _gone(dash_duo, selector: str, message: str) -> None:
    """Nothing on the page matches ``selector`` (waited for)."""
    script = f"return !document.querySelector({json.dumps(selector)})"
    wait_until(lambda: dash_duo.driver.execute_script(script), timeout=30, message=message)


def _settled(dash_duo) -> None:
    """No Dash callback in flight."""
    _gone(dash_duo, '[data-dash-is-loading="true"]', "callbacks never settled")


def _modal_gone(dash_duo) -> None:
    """No dialog open or fading out (Bootstrap holds the focus until it is gone)."""
    _gone(dash_duo, ".modal.show, .modal-backdrop, body.modal-open", "the dialog never closed")


def _no_junk(dash_duo) -> None:
    body = dash_duo.find_element("body").text
    for junk in ("undefined", "None", "NaN", "null", "Traceback"):
        assert junk not in body, junk
    assert (
        dash_duo.driver.execute_script(CONTRAST_CHECK, "body *") == []
    )  # every text readable: WCAG AA


def test_alerts_page_acknowledge_and_shift_log(dash_duo, ops_app):
    app, *_ = ops_app
    serve(dash_duo, app, "operator", username="budi")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/alerts")
    dash_duo.wait_for_text_to_equal("h1", "Peringatan dan catatan piket", timeout=15)
    dash_duo.wait_for_contains_text("#alerts-active", "Gempa M6,1, 85 km dari Manado")
    assert dash_duo.find_element("#alerts-counts").text == "1 kritis · 1 waspada · 0 info"
    assert "Rumah sakit hampir penuh" in dash_duo.find_element("#alerts-recent").text
    assert "Shift pagi: semua layar normal." in dash_duo.find_element("#alerts-shiftlog").text
    _no_junk(dash_duo)

    # Acknowledge the earthquake with a note: in the name of the signed-in account.
    dash_duo.find_elements("button[id*='alert-ack-open']")[0].click()
    dash_duo.wait_for_contains_text("#alerts-ack-who", "budi")
    dash_duo.find_element("#alerts-ack-note").send_keys("BPBD sudah dihubungi")
    dash_duo.find_element("#alerts-ack-confirm").click()
    dash_duo.wait_for_contains_text("#alerts-active", "budi", timeout=30)
    assert "BPBD sudah dihubungi" in dash_duo.find_element("#alerts-active").text
    assert "Diakui" in dash_duo.find_element("#alerts-active").text
    dash_duo.wait_for_contains_text("#alerts-feedback", "diakui")
    assert (
        len(dash_duo.find_elements("button[id*='alert-ack-open']")) == 1
    )  # only the other one is left

    # A handover note goes into the shift log, the acknowledgement is already there.
    note = "Serah terima ke shift siang."
    _settled(dash_duo)  # the acknowledgement's redraw has landed before we type
    _modal_gone(dash_duo)  # a closing dialog keeps the focus: keys typed then go nowhere
    dash_duo.find_element("#shift-text").send_keys(note)

    def in_the_log() -> bool:
        if note in dash_duo.find_element("#alerts-shiftlog").text:
            return True
        # Not yet: when nothing is in flight, type the note if it is not there (the keys went
        # to a dialog still closing) and press "add" (a busy machine let the click land before
        # the text reached the page).
        _settled(dash_duo)
        field = dash_duo.find_element("#shift-text")
        if field.get_attribute("value") == "":
            field.send_keys(note)
        elif field.get_attribute("value") == note:
            dash_duo.find_element("#shift-add").click()
        return False

    wait_until(in_the_log, timeout=60, message="the handover note never reached the shift log")
    assert "BPBD sudah dihubungi" in dash_duo.find_element("#alerts-shiftlog").text
    assert dash_duo.get_logs() == []

    dash_duo.wait_for_page(f"{dash_duo.server_url}/alerts?lang=en")
    dash_duo.wait_for_text_to_equal("h1", "Alerts and shift log", timeout=15)
    dash_duo.wait_for_contains_text("#alerts-active", "Earthquake M6.1, 85 km from Manado")
    assert "Acknowledged" in dash_duo.find_element("#alerts-active").text
    assert dash_duo.get_logs() == []


def test_sources_page_shows_health_and_rejected_rows(dash_duo, ops_app):
    app, catalogue, broken, rejected_run = ops_app
    serve(dash_duo, app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/sources")
    dash_duo.wait_for_text_to_equal("h1", "Kesehatan sumber data", timeout=15)
    rows = dash_duo.find_elements("tr.source-row")
    assert len(rows) == len(catalogue.sources)
    failing = dash_duo.find_element(f"#source-{catalogue.sources[1].id}")
    # The failure as a sentence; its technical detail one click away.
    assert "Gagal" in failing.text and "tidak menjawab tepat waktu sejak" in failing.text
    detail = failing.find_element("css selector", ".source-error-detail")
    assert not detail.is_displayed()
    summary = failing.find_element("css selector", "summary.source-error")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", summary
    )
    summary.click()
    assert detail.text == "timeout: run exceeded the source's timeout"
    assert "Penjadwal terakhir melapor" in dash_duo.find_element("#ops-sources-counts").text
    ok = dash_duo.find_element(f"#source-{broken.id}")
    assert "OK" in ok.text and "dalam" in ok.text and "100,0 %" in ok.text
    _no_junk(dash_duo)

    link = ok.find_element("css selector", "a")  # the last run's 2 rejected rows
    # Bootstrap scrolls smoothly: jump, or the click lands where the link was a moment ago.
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link
    )
    link.click()
    dash_duo.wait_for_contains_text(
        "#ops-rejected", f"Baris ditolak pada proses #{rejected_run}", timeout=30
    )
    assert "wilayah '99.99' tidak dikenal" in dash_duo.find_element("#ops-rejected").text
    assert dash_duo.get_logs() == []

    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/sources?lang=en&show=problems")
    dash_duo.wait_for_text_to_equal("h1", "Source health", timeout=15)
    assert len(dash_duo.find_elements("tr.source-row")) == 1
    assert "Failing" in dash_duo.find_element("tr.source-row").text
    assert dash_duo.get_logs() == []


def test_compliance_page_ranks_and_exports(dash_duo, ops_app):
    app, catalogue, *_ = ops_app
    serve(dash_duo, app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/compliance")
    dash_duo.wait_for_contains_text("h1", "Kepatuhan data SKPD", timeout=15)
    ranking = dash_duo.find_elements("#compliance-ranking tbody tr")
    assert len(ranking) == len(catalogue.skpd)
    assert dash_duo.find_element("#compliance-since").text.startswith("Dipantau sejak ")
    assert "Tepat waktu" in dash_duo.find_element("#compliance-details").text
    assert "Belum dikirim" in dash_duo.find_element("#compliance-details").text
    _no_junk(dash_duo)
    dash_duo.find_element("#compliance-export").click()
    dash_duo.find_elements("#compliance-months a")[1].click()  # the month before, by its link
    dash_duo._wait_for(
        lambda d: "period=" in d.current_url, timeout=30, msg="month link did not navigate"
    )
    dash_duo.wait_for_element("#compliance-ranking")
    assert dash_duo.get_logs() == []

    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops/compliance?lang=en")
    dash_duo.wait_for_contains_text("h1", "SKPD data compliance", timeout=15)
    assert "Download Excel" in dash_duo.find_element("#compliance-export").text
    assert dash_duo.get_logs() == []


def test_alerts_page_silences_an_alert_and_lifts_the_silence(dash_duo, ops_app):
    app, catalogue, *_ = ops_app
    failing = catalogue.sources[1]
    serve(dash_duo, app, "operator", username="budi")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/alerts")
    dash_duo.wait_for_contains_text("#alerts-active", "gagal 3 kali berturut-turut", timeout=15)
    assert "Tidak ada senyap yang berlaku." in dash_duo.find_element("#alerts-silences").text
    opens = dash_duo.find_elements("button[id*='alert-silence-open']")
    assert len(opens) == 2

    # Silence the failing collector (second row: the earthquake is more severe) for 12 hours.
    opens[1].click()
    dash_duo.wait_for_contains_text(
        "#alerts-silence-modal", f"Hanya source:{failing.id}", timeout=30
    )
    assert (
        "Semua subjek aturan source-failing" in dash_duo.find_element("#alerts-silence-modal").text
    )
    dash_duo.driver.execute_script(
        "const s = document.getElementById('alerts-silence-hours'); s.value = '12';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    dash_duo.find_element("#alerts-silence-confirm").click()
    dash_duo.wait_for_contains_text("#alerts-silence-error", "Isi alasan.", timeout=30)
    dash_duo.find_element("#alerts-silence-reason").send_keys("Server DLH sedang dipindahkan")
    dash_duo.find_element("#alerts-silence-confirm").click()
    dash_duo.wait_for_contains_text("#alerts-feedback", "berlaku sampai", timeout=30)
    dash_duo.wait_for_contains_text("#alerts-active", "disenyapkan s.d.", timeout=30)
    assert "budi: Server DLH sedang dipindahkan" in dash_duo.find_element("#alerts-active").text
    assert (
        len(dash_duo.find_elements("button[id*='alert-silence-open']")) == 1
    )  # the quake is still loud
    silences = dash_duo.find_element("#alerts-silences").text
    assert (
        f"source-failing · source:{failing.id}" in silences
        and "Server DLH sedang dipindahkan" in silences
    )
    assert "Server DLH sedang dipindahkan" in dash_duo.find_element("#alerts-shiftlog").text

    # Lifted by the operator on duty (the signed-in account), the alert is loud again.
    dash_duo.find_element("button[id*='silence-lift']").click()
    dash_duo.wait_for_contains_text("#alerts-feedback", "dicabut", timeout=30)
    dash_duo.wait_for_contains_text(
        "#alerts-silences", "Tidak ada senyap yang berlaku.", timeout=30
    )
    assert "disenyapkan" not in dash_duo.find_element("#alerts-active").text
    assert len(dash_duo.find_elements("button[id*='alert-silence-open']")) == 2
    assert "Senyap dicabut" in dash_duo.find_element("#alerts-shiftlog").text
    _no_junk(dash_duo)
    assert dash_duo.get_logs() == []
