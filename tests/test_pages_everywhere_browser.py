"""Every desktop page in a real Chromium, in both languages, on a desktop, a tablet and a phone:
no word of the other language, no raw key, no sideways scrolling, no accessibility violation
(axe-core), targets big enough to touch. Screenshots go to test-artifacts/pages/."""

from __future__ import annotations

import pytest
from access_kit import serve
from page_kit import (
    HORIZONTAL_OVERFLOW,
    MOBILE_PAGES,
    PAGES,
    SMALL_TARGETS,
    VISIBLE_TEXT,
    axe_violations,
    language_words,
    leaks,
    message_keys,
    page_app,
    page_store,
)
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from wall_kit import set_viewport

pytestmark = pytest.mark.browser
WAIT = 40


@pytest.fixture
def pages_app(sqlite_url, tmp_path, catalogue):
    engine = page_store(sqlite_url, catalogue)
    yield page_app(sqlite_url, tmp_path)
    engine.dispose()


# Parts a page fills only once they scroll into view: (what to scroll to, what then appears).
WHEN_SEEN = {"/indicator/LIV.STUNTING": ("#ind-grid", "#ind-grid .ag-row")}


def _open(dash_duo, path: str, lang: str) -> None:
    url = dash_duo.server_url + path + ("?lang=en" if lang == "en" else "")
    dash_duo.driver.get(url)
    dash_duo.wait_for_element(PAGES[path], timeout=WAIT)
    if path in WHEN_SEEN:
        target, filled = WHEN_SEEN[path]
        dash_duo.driver.execute_script(
            "document.querySelector(arguments[0]).scrollIntoView()", target
        )
        dash_duo.wait_for_element(filled, timeout=WAIT)
        dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    # Settled: no callback in flight.
    WebDriverWait(dash_duo.driver, WAIT).until(
        lambda d: d.execute_script("return !document.querySelector('[data-dash-is-loading]')")
    )


def _shot(dash_duo, artifacts_dir, name: str) -> None:
    out = artifacts_dir / "pages"
    out.mkdir(exist_ok=True)
    dash_duo.driver.save_screenshot(str(out / f"{name}.png"))


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace(".", "_") or "overview"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_speaks_only_the_readers_language_and_passes_axe(
    dash_duo, pages_app, catalogue, artifacts_dir, lang
):
    words, keys = language_words(catalogue), message_keys()
    serve(dash_duo, pages_app)
    problems: dict[str, list[str]] = {}
    for path in PAGES:
        _open(dash_duo, path, lang)
        found = leaks(dash_duo.driver.execute_script(VISIBLE_TEXT), lang, words, keys)
        found += [f"axe {v}" for v in axe_violations(dash_duo.driver)]
        if found:
            problems[path] = found
        _shot(dash_duo, artifacts_dir, f"{_name(path)}-1920x1080-{lang}")
    assert not problems, "\n".join(f"{p}: {x}" for p, found in problems.items() for x in found)
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("size", [(360, 740), (768, 1024)], ids=["phone", "tablet"])
def test_pages_fit_phones_and_tablets(dash_duo, pages_app, artifacts_dir, size):
    serve(dash_duo, pages_app)
    set_viewport(dash_duo.driver, *size)
    problems: dict[str, object] = {}
    for path in MOBILE_PAGES:
        _open(dash_duo, path, "id")
        overflow = dash_duo.driver.execute_script(HORIZONTAL_OVERFLOW)
        small = dash_duo.driver.execute_script(SMALL_TARGETS)
        if overflow or small:
            problems[path] = {"overflow": overflow, "small targets": small}
        _shot(dash_duo, artifacts_dir, f"{_name(path)}-{size[0]}x{size[1]}")
    assert not problems, "\n".join(f"{p}: {x}" for p, x in problems.items())

    # The links fold behind the menu button, which opens and closes them.
    menu = dash_duo.find_element("#nav-collapse")
    toggler = dash_duo.find_element("#nav-toggler")
    assert not menu.is_displayed() and toggler.is_displayed()
    toggler.click()
    WebDriverWait(dash_duo.driver, 5).until(lambda _d: menu.is_displayed())
    assert toggler.get_attribute("aria-expanded") == "true"
    assert dash_duo.driver.execute_script(HORIZONTAL_OVERFLOW) is None
    _shot(dash_duo, artifacts_dir, f"menu-open-{size[0]}x{size[1]}")
    toggler.click()
    WebDriverWait(dash_duo.driver, 5).until(lambda _d: not menu.is_displayed())


def _search(dash_duo, text: str) -> list[str]:
    box = dash_duo.find_element("#nav-search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(text)
    results = dash_duo.find_element("#nav-search-results")
    WebDriverWait(dash_duo.driver, WAIT).until(
        lambda _d: results.is_displayed() and results.get_attribute("data-query") == text
    )
    return [o.text for o in dash_duo.find_elements("#nav-search-results [role=option]")]


def test_search_from_the_keyboard_opens_the_right_page(dash_duo, pages_app):
    serve(dash_duo, pages_app)
    _open(dash_duo, "/alerts", "id")
    # "/" jumps to the search box from anywhere on the page.
    dash_duo.find_element("body").send_keys("/")
    assert dash_duo.driver.switch_to.active_element.get_attribute("id") == "nav-search"

    options = _search(dash_duo, "minut")
    assert options and options[0].startswith("Kab. Minahasa Utara")
    dash_duo.find_element("#nav-search").send_keys(Keys.ENTER)
    WebDriverWait(dash_duo.driver, WAIT).until(lambda d: "/region/71.06" in d.current_url)
    dash_duo.wait_for_text_to_equal("#region-title", "Kab. Minahasa Utara", timeout=WAIT)

    # The BPS code of Minahasa Tenggara (71.07 in the Kemendagri system), then an arrow key.
    options = _search(dash_duo, "7109")
    assert options[0].startswith("Kab. Minahasa Tenggara")
    box = dash_duo.find_element("#nav-search")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == "nav-search-option-0"

    options = _search(dash_duo, "HDI")  # English abbreviation on an Indonesian page
    assert options[0].startswith("Indeks Pembangunan Manusia")
    box.send_keys(Keys.ESCAPE)
    assert not dash_duo.find_element("#nav-search-results").is_displayed()

    options = _search(dash_duo, "zzqx")
    assert (
        options == []
        and "Tidak ada yang cocok" in dash_duo.find_element("#nav-search-results").text
    )

    options = _search(dash_duo, "dinkes")
    assert options[0].startswith("Dinkes")
    box.send_keys(Keys.ENTER)
    WebDriverWait(dash_duo.driver, WAIT).until(lambda d: "/ops/compliance" in d.current_url)
    assert dash_duo.get_logs() == []
