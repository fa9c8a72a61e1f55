"""The scorecard and the brief in a real headless Chromium: filters in the URL, bilingual,
no console errors; screenshots at 1920×1080 in test-artifacts/."""

import clock_kit
import pytest
from access_kit import serve
from browser_checks import CONTRAST_CHECK
from scorecard_kit import simulated_store
from selenium.webdriver.support.ui import Select, WebDriverWait

from dashboard.catalogue.models import DOMAIN_ORDER
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser
# Each filter change redraws the page on the server; a loaded 2-core CI machine needs slack.
WAIT = 30


@pytest.fixture
def scorecard_app(sqlite_url, tmp_path, catalogue):
    now = clock_kit.now()
    engine = simulated_store(
        sqlite_url,
        catalogue,
        now,
        skip_latest={"LIV.JKN", "SOC.DAPODIK"},
        lag={"BRD.EVENT": 3},
        dead={"dlh-ispu"},
    )
    app = create_app(
        Settings(database_url=sqlite_url, data_dir=tmp_path, config_dir=PROJECT_ROOT / "config")
    )
    yield app
    engine.dispose()


def _choose(dash_duo, select_id: str, value: str) -> None:
    Select(dash_duo.find_element(f"#{select_id}")).select_by_value(value)


def _wait(dash_duo, condition, timeout: float = WAIT) -> None:
    WebDriverWait(dash_duo.driver, timeout).until(lambda _driver: condition())


def _brief_href(dash_duo) -> str | None:
    try:
        return dash_duo.driver.find_element("css selector", "#sc-brief-link").get_attribute("href")
    except Exception:
        return None


def _drawn_view(dash_duo) -> str | None:
    try:
        return dash_duo.driver.find_element("css selector", ".odsk-overview").get_attribute(
            "data-view"
        )
    except Exception:
        return None


def _wait_url(dash_duo, fragment: str) -> None:
    """The URL has changed and the page drawn for it is in place."""
    _wait(dash_duo, lambda: fragment in dash_duo.driver.current_url)
    if not fragment.startswith("/"):
        _wait(dash_duo, lambda: fragment in (_drawn_view(dash_duo) or ""))


def test_scorecard_filters_live_in_the_url(dash_duo, scorecard_app, artifacts_dir):
    serve(dash_duo, scorecard_app)
    dash_duo.wait_for_text_to_equal("h1", "Kartu Kinerja Daerah", timeout=WAIT)
    dash_duo.wait_for_contains_text("#sc-subtitle", "Provinsi Sulawesi Utara", timeout=WAIT)
    assert [e.get_attribute("id") for e in dash_duo.find_elements(".sc-domain-card")] == [
        f"sc-card-{d}" for d in DOMAIN_ORDER
    ]
    assert len(dash_duo.find_elements(".sc-row")) == 44
    for list_id in (
        "sc-list-behind",
        "sc-list-good",
        "sc-list-bad",
        "sc-list-stale",
        "sc-list-missing",
    ):
        assert dash_duo.find_element(f"#{list_id}")
    assert "Event pariwisata terselenggara" in dash_duo.find_element("#sc-list-stale").text
    assert "Dinkes" in dash_duo.find_element("#sc-list-missing").text
    assert len(dash_duo.find_elements(".sc-rank-row")) == 15
    dash_duo.driver.save_screenshot(str(artifacts_dir / "overview-1920x1080.png"))
    assert dash_duo.driver.execute_script(CONTRAST_CHECK, "body *") == []  # WCAG AA
    assert dash_duo.get_logs() == []

    # Region: Kota Manado, kept in the URL; the province-only indicators leave.
    _choose(dash_duo, "sc-region", "71.71")
    _wait_url(dash_duo, "region=71.71")
    dash_duo.wait_for_contains_text("#sc-subtitle", "Kota Manado", timeout=WAIT)
    _wait(dash_duo, lambda: len(dash_duo.find_elements(".sc-row")) < 44)

    # Period: year, then month.
    _choose(dash_duo, "sc-year", "2025")
    _wait_url(dash_duo, "period=2025")
    dash_duo.wait_for_contains_text("#sc-subtitle", "Des 2025", timeout=WAIT)
    _choose(dash_duo, "sc-month", "06")
    _wait_url(dash_duo, "period=2025-06")
    dash_duo.wait_for_contains_text("#sc-subtitle", "Jun 2025", timeout=WAIT)
    assert "region=71.71" in dash_duo.driver.current_url

    # Ranking indicator.
    _choose(dash_duo, "sc-rank", "LIV.BOR")
    _wait_url(dash_duo, "rank=LIV.BOR")
    dash_duo.wait_for_contains_text("#sc-rank-rule", "60,0–85,0", timeout=WAIT)
    assert "Jun 2025" in dash_duo.find_element("#sc-rank-rule").text

    # A bookmark brings the same view back, controls included.
    url = dash_duo.driver.current_url
    dash_duo.driver.get(url)
    dash_duo.wait_for_contains_text(
        "#sc-subtitle", "Kota Manado · data s.d. Jun 2025", timeout=WAIT
    )
    assert (
        Select(dash_duo.find_element("#sc-month")).first_selected_option.get_attribute("value")
        == "06"
    )
    assert (
        Select(dash_duo.find_element("#sc-rank")).first_selected_option.get_attribute("value")
        == "LIV.BOR"
    )
    assert dash_duo.get_logs() == []

    # English keeps the filters.
    dash_duo.find_element("#nav-language").click()
    _wait_url(dash_duo, "lang=en")
    dash_duo.wait_for_text_to_equal("h1", "Regional scorecard", timeout=WAIT)
    dash_duo.wait_for_contains_text(
        "#sc-subtitle", "Kota Manado · data up to Jun 2025", timeout=WAIT
    )
    assert (
        "region=71.71" in dash_duo.driver.current_url
        and "period=2025-06" in dash_duo.driver.current_url
    )
    dash_duo.driver.save_screenshot(str(artifacts_dir / "overview-1920x1080-en-manado.png"))

    # Back to the latest province view, then the brief.
    _choose(dash_duo, "sc-year", "latest")
    _wait(dash_duo, lambda: "period=" not in (_drawn_view(dash_duo) or "period="))
    _choose(dash_duo, "sc-region", "71")
    _wait(dash_duo, lambda: "region=" not in (_drawn_view(dash_duo) or "region="))
    # The page is drawn again after each change: wait for the link of the final state.
    _wait(
        dash_duo,
        lambda: (
            _brief_href(dash_duo) is not None
            and "region" not in _brief_href(dash_duo)
            and "period" not in _brief_href(dash_duo)
        ),
    )
    # English names the province in English.
    dash_duo.wait_for_contains_text("#sc-subtitle", "North Sulawesi Province", timeout=WAIT)
    dash_duo.find_element("#sc-brief-link").click()
    _wait_url(dash_duo, "/brief")
    dash_duo.wait_for_text_to_equal("h1", "Exceptions brief", timeout=WAIT)
    assert (
        "of 44 indicators for North Sulawesi Province" in dash_duo.find_element("#brief-intro").text
    )
    assert dash_duo.find_element("#brief-archive")
    dash_duo.driver.save_screenshot(str(artifacts_dir / "brief-1920x1080-en.png"))
    assert dash_duo.get_logs() == []
