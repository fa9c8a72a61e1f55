"""The follow-up loop in a real Chromium: the governor's office opens a follow-up from a
scorecard exception, sees it on /followup and in the brief; the scorecard grouped by SKPD.
Screenshots (both languages, 1920×1080 and 360×740) in test-artifacts/followup/."""

import clock_kit
import pytest
from access_kit import serve
from page_kit import (
    HORIZONTAL_OVERFLOW,
    SMALL_TARGETS,
    VISIBLE_TEXT,
    axe_violations,
    language_words,
    leaks,
    message_keys,
)
from scorecard_kit import simulated_store
from selenium.webdriver.support.ui import WebDriverWait
from wall_kit import set_viewport

from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser
WAIT = 40


@pytest.fixture
def loop_app(sqlite_url, tmp_path, catalogue):
    engine = simulated_store(
        sqlite_url, catalogue, clock_kit.now(), skip_latest={"LIV.JKN"}, dead={"dlh-ispu"}
    )
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    yield app
    engine.dispose()


def _settled(dash_duo, selector: str) -> None:
    dash_duo.wait_for_element(selector, timeout=WAIT)
    WebDriverWait(dash_duo.driver, WAIT).until(
        lambda d: d.execute_script("return !document.querySelector('[data-dash-is-loading]')")
    )


def _go(dash_duo, path: str, selector: str) -> None:
    dash_duo.driver.get(dash_duo.server_url + path)
    _settled(dash_duo, selector)


def _shot(dash_duo, artifacts_dir, name: str) -> None:
    out = artifacts_dir / "followup"
    out.mkdir(exist_ok=True)
    dash_duo.driver.save_screenshot(str(out / f"{name}.png"))


def test_open_a_follow_up_from_the_scorecard_and_see_it_in_the_brief(
    dash_duo, loop_app, artifacts_dir
):
    serve(dash_duo, loop_app, role="analyst")
    _go(dash_duo, "/", "#sc-list-behind")
    # Grouped by SKPD: every group names its SKPD and what it owes.
    groups = dash_duo.find_elements("#sc-by-skpd .sc-skpd-group")
    assert groups and all(":" in g.text for g in groups)
    first = dash_duo.find_element("#sc-list-behind .sc-item")
    code, owner = (
        first.get_attribute("data-code"),
        first.find_element("css selector", ".sc-owner").text,
    )
    assert owner
    first.find_element("css selector", ".sc-followup-open").click()
    WebDriverWait(dash_duo.driver, WAIT).until(lambda d: "/followup" in d.current_url)
    _settled(dash_duo, "#fu-new-submit")
    assert owner in dash_duo.find_element("#fu-new-skpd").text or dash_duo.find_element(
        "#fu-new-skpd"
    ).get_attribute("value")
    request = dash_duo.find_element("#fu-new-request")
    request.clear()
    request.send_keys("Rencana aksi dan jadwalnya, paling lambat dua minggu")
    dash_duo.find_element("#fu-new-submit").click()
    WebDriverWait(dash_duo.driver, WAIT).until(lambda d: "id=1" in d.current_url)
    _settled(dash_duo, "#fu-detail")
    detail = dash_duo.find_element("#fu-detail")
    assert "Rencana aksi dan jadwalnya" in detail.text and "Terbuka" in detail.text
    assert dash_duo.find_element(".fu-row").get_attribute("data-id") == "1"

    # Back on the scorecard the exception links its follow-up.
    _go(dash_duo, "/", "#sc-list-behind")
    item = dash_duo.find_element(f'#sc-list-behind .sc-item[data-code="{code}"]')
    assert "#1" in item.find_element("css selector", ".sc-followup").text

    # The brief carries it: open by SKPD, and the exception says it has one.
    _go(dash_duo, "/brief", "#brief-followups_open")
    assert f"{owner}: #1" in dash_duo.find_element("#brief-followups_open").text
    assert "[tindak lanjut #1: Terbuka]" in dash_duo.find_element("#brief-behind").text
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_screens_of_the_loop(dash_duo, loop_app, artifacts_dir, catalogue, lang):
    """The scorecard grouped by SKPD and /followup with items, on a desktop and a phone."""
    from dashboard.store.engine import begin_write
    from dashboard.store.followups import answer, open_followup
    from dashboard.store.schema import utcnow
    from dashboard.webapp import context_of

    now = utcnow()
    with begin_write(context_of(loop_app).engine) as conn:
        for subject, skpd, due in (
            ("LIV.STUNTING", "dinkes", now.date()),
            ("GOV.REALISASI-APBD", "bpkad", now.date().replace(day=28)),
        ):
            new = open_followup(
                conn,
                kind="behind",
                subject_kind="indicator",
                subject=subject,
                skpd_id=skpd,
                request="Rencana aksi dan jadwalnya",
                due_on=due,
                priority="high",
                actor="kantor-gubernur",
                now=now,
            )
        answer(conn, new, "in_progress", actor="petugas-bpkad", now=now, note="Sedang disusun")
    serve(dash_duo, loop_app, role="analyst")
    suffix = "&lang=en" if lang == "en" else ""
    words, keys = language_words(catalogue), message_keys()

    def speaks_one_language() -> None:
        # What people typed (the request, the answer) is theirs, in their language.
        typed = {"Rencana aksi dan jadwalnya", "Sedang disusun"}
        shown = dash_duo.driver.execute_script(VISIBLE_TEXT)
        for phrase in typed:
            shown = shown.replace(phrase, " ")
        found = leaks(shown, lang, words, keys)
        assert found == [], found

    for width, height in ((1920, 1080), (360, 740)):
        set_viewport(dash_duo.driver, width, height)
        _go(dash_duo, "/?skpd=dinkes" + suffix, "#sc-by-skpd")
        assert dash_duo.find_element(".sc-skpd-selected").get_attribute("data-skpd") == "dinkes"
        assert {e.text for e in dash_duo.find_elements(".sc-row .sc-owner")} == {"Dinkes"}
        _shot(dash_duo, artifacts_dir, f"scorecard-by-skpd-{width}x{height}-{lang}")
        speaks_one_language()
        _go(dash_duo, "/followup?id=2" + suffix, "#fu-detail")
        assert len(dash_duo.find_elements(".fu-row")) == 2
        _shot(dash_duo, artifacts_dir, f"followup-{width}x{height}-{lang}")
        speaks_one_language()
        if width == 360:
            assert dash_duo.driver.execute_script(HORIZONTAL_OVERFLOW) is None
            assert not dash_duo.driver.execute_script(SMALL_TARGETS)
        else:
            assert axe_violations(dash_duo.driver) == []
    assert dash_duo.get_logs() == []
