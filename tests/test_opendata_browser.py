"""The public data catalogue in a real Chromium, without signing in: search, open a dataset,
download its CSV (the file equals the API's JSON), both languages, axe-core, a phone.
Screenshots of /data and a dataset page at 1920×1080 and 360×740 go to test-artifacts/opendata/."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlsplit

import pytest
import requests
from access_kit import start_app
from page_kit import HORIZONTAL_OVERFLOW, SMALL_TARGETS, axe_violations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from wait_kit import wait_until
from wall_kit import set_viewport

pytestmark = pytest.mark.browser
WAIT = 40
CODE = "LIV.STUNTING"


@pytest.fixture
def data_app(sqlite_url, tmp_path):
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    settings = Settings(database_url=sqlite_url, data_dir=tmp_path)
    seed_store(sqlite_url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    yield app
    context_of(app).engine.dispose()


def _settled(dash_duo, selector: str) -> None:
    dash_duo.wait_for_element(selector, timeout=WAIT)
    WebDriverWait(dash_duo.driver, WAIT).until(
        lambda d: d.execute_script("return !document.querySelector('[data-dash-is-loading]')")
    )


def _shot(dash_duo, artifacts_dir, name: str) -> None:
    out = artifacts_dir / "opendata"
    out.mkdir(parents=True, exist_ok=True)
    dash_duo.driver.save_screenshot(str(out / f"{name}.png"))


def test_search_open_a_dataset_and_download_what_the_api_serves(
    dash_duo, data_app, tmp_path, artifacts_dir
):
    start_app(dash_duo, data_app)
    driver = dash_duo.driver
    set_viewport(driver, 1920, 1080)
    driver.get(dash_duo.server_url + "/data")
    _settled(dash_duo, "#data-results")
    everything = len(driver.find_elements(By.CSS_SELECTOR, ".odsk-dataset-card"))
    assert "/login" not in driver.current_url and everything > 10
    _shot(dash_duo, artifacts_dir, "data-1920x1080")
    box = dash_duo.find_element("#data-q")
    box.send_keys("stunting")
    dash_duo.find_element("#data-submit").click()
    wait_until(lambda: "q=stunting" in driver.current_url, timeout=WAIT, message="search sent")
    _settled(dash_duo, "#data-results")
    links = driver.find_elements(By.CSS_SELECTOR, ".odsk-dataset-link")
    assert 1 <= len(links) < everything
    target = next(a for a in links if a.get_attribute("href").endswith(f"/data/{CODE}"))
    target.click()
    _settled(dash_duo, "#data-table")
    assert urlsplit(driver.current_url).path == f"/data/{CODE}"
    assert dash_duo.find_element("#data-chart .main-svg")
    rows = driver.find_elements(By.CSS_SELECTOR, "#data-table tbody tr")
    assert len(rows) == 16  # the province and its 15 kab/kota
    _shot(dash_duo, artifacts_dir, "dataset-1920x1080")

    # The CSV button, downloaded by the browser, holds what the API's JSON holds.
    folder = tmp_path / "downloads"
    folder.mkdir()
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    dash_duo.find_element("#data-download-csv").click()
    wait_until(
        lambda: (folder / f"{CODE}.csv").exists() and not list(folder.glob("*.crdownload")),
        timeout=WAIT,
        message="CSV downloaded",
    )
    table = list(csv.DictReader(io.StringIO((folder / f"{CODE}.csv").read_text(encoding="utf-8"))))
    api = requests.get(
        f"{dash_duo.server_url}/api/v1/datasets/{CODE}/observations?page_size=10000", timeout=30
    ).json()
    assert api["meta"]["next_cursor"] is None and len(table) == len(api["data"]) > 16 * 12
    for got, want in zip(table, api["data"]):
        assert got["region_code"] == want["region_code"] and got["period"] == want["period"]
        assert float(got["value"]) == want["value"] and int(got["revision"]) == want["revision"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pages_pass_axe_and_fit_a_phone(dash_duo, data_app, artifacts_dir, lang):
    start_app(dash_duo, data_app)
    driver = dash_duo.driver
    problems: dict[str, object] = {}
    suffix = "?lang=en" if lang == "en" else ""
    for path, ready in (("/data", "#data-results"), (f"/data/{CODE}", "#data-table")):
        set_viewport(driver, 1920, 1080)
        driver.get(dash_duo.server_url + path + suffix)
        _settled(dash_duo, ready)
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        violations = axe_violations(driver)
        set_viewport(driver, 360, 740)
        driver.get(dash_duo.server_url + path + suffix)
        _settled(dash_duo, ready)
        overflow = driver.execute_script(HORIZONTAL_OVERFLOW)
        small = driver.execute_script(SMALL_TARGETS)
        if lang == "id":
            name = "data" if path == "/data" else "dataset"
            _shot(dash_duo, artifacts_dir, f"{name}-360x740")
        if violations or overflow or small:
            problems[path] = {"axe": violations, "overflow": overflow, "small targets": small}
    assert not problems, problems
