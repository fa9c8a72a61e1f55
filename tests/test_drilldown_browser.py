"""The analyst's drill-down in a real headless Chromium: domain → indicator → region and back,
state kept in the URL, no console errors, every asset from the app itself."""

import pytest
from access_kit import serve
from analyst_kit import seed_store
from browser_checks import CONTRAST_CHECK
from wait_kit import wait_until

from dashboard.settings import Settings
from dashboard.webapp import create_app

pytestmark = pytest.mark.browser
# The map has loaded its style and drawn the boundary polygons (it draws them after the style).
MAP_DRAWN = """
const gd = document.getElementById('ind-map').querySelector('.js-plotly-plot');
const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
return !!(sub && sub.map && sub.map.loaded() && sub.map.queryRenderedFeatures().length > 0);
"""


@pytest.fixture
def app(settings_env, sqlite_url, tmp_path):
    seed_store(sqlite_url, tmp_path / "payloads", since=2023)
    return create_app(Settings())


def _wait(predicate, timeout=15.0, what="condition"):
    wait_until(predicate, timeout=timeout, message=f"no {what}")


def _click(dash_duo, selector, timeout=30.0):
    """Click as a person would: once no callback is in flight, with the element in the middle
    of the screen; if a loading overlay or a re-render is still in the way, wait and retry."""

    attempts = [0]

    def clicked() -> bool:
        # An intercepted or stale click raises: wait_until counts it as "not yet" and quotes
        # the last one if time runs out (it names the element in the way).
        _settled(dash_duo)
        element = dash_duo.wait_for_element(selector, timeout=timeout)
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        attempts[0] += 1
        if attempts[0] > 5:
            # Still covered after five settled tries on a busy machine (a redraw in the way):
            # the link's own click event, as the browser dispatches it (dcc.Link's handler).
            dash_duo.driver.execute_script("arguments[0].click()", element)
        else:
            element.click()
        return True

    wait_until(clicked, timeout=timeout, message=f"{selector} could not be clicked")


def _settled(dash_duo):
    """No Dash callback in flight."""
    _wait(
        lambda: dash_duo.driver.execute_script(
            "return !document.querySelector('[data-dash-is-loading=\"true\"]')"
        ),
        what="callbacks to settle",
    )


# Whether an element starts more than 300 px (the margin the page fills ahead) below the view.
BELOW_THE_VIEW = (
    "return document.querySelector(arguments[0]).getBoundingClientRect().top"
    " > window.innerHeight + 300"
)


def _scroll_to_table(dash_duo):
    dash_duo.driver.execute_script("document.getElementById('ind-grid').scrollIntoView()")
    dash_duo.wait_for_element("#ind-grid .ag-row", timeout=20)


def _no_junk(dash_duo):
    body = dash_duo.find_element("body").text
    for junk in ("undefined", "NaN", "None", "null"):
        assert junk not in body, junk
    assert (
        dash_duo.driver.execute_script(CONTRAST_CHECK, "body *") == []
    )  # every text readable: WCAG AA


def test_domain_to_indicator_to_region_and_back(dash_duo, app, catalogue, artifacts_dir):
    driver = dash_duo.driver
    serve(dash_duo, app)
    server = dash_duo.server_url
    stunting = catalogue.indicator("LIV.STUNTING")

    dash_duo.wait_for_page(f"{server}/domain/living")
    dash_duo.wait_for_text_to_equal("#domain-title", "Smart Living", timeout=15)
    cards = driver.find_elements("css selector", ".odsk-multiple")
    assert len(cards) == len(catalogue.indicators_of_domain("living"))
    assert all(
        c.find_element("css selector", "img.odsk-spark")
        .get_attribute("src")
        .startswith("data:image/svg")
        for c in cards
    )
    _no_junk(dash_duo)
    driver.save_screenshot(str(artifacts_dir / "analyst-domain-1920x1080.png"))

    # Domain → indicator (a dcc.Link: no reload).
    _click(dash_duo, 'a[href="/indicator/LIV.STUNTING"]')
    dash_duo.wait_for_text_to_equal("#ind-title", stunting.name.id, timeout=15)
    dash_duo.wait_for_element("#ind-ranking a.odsk-region-link", timeout=20)
    dash_duo.wait_for_element("#ind-series .scatterlayer .trace", timeout=20)
    _settled(dash_duo)
    # The table below the charts gets its rows only once it comes near the view.
    assert driver.execute_script(BELOW_THE_VIEW, "#ind-grid")
    assert driver.find_elements("css selector", "#ind-grid .ag-row") == []
    _scroll_to_table(dash_duo)
    assert driver.execute_script("return window.location.pathname") == "/indicator/LIV.STUNTING"
    series = driver.execute_script(
        "return document.getElementById('ind-series').querySelectorAll('.scatterlayer .trace').length"
    )
    assert series >= 2  # target + province
    _no_junk(dash_duo)
    driver.save_screenshot(str(artifacts_dir / "analyst-indicator-1920x1080.png"))

    # The grain switch writes the URL (pushState, no reload) and redraws by quarter.
    _click(dash_duo, "label[for='_dbcprivate_radioitems_ind-grain_input_quarter']")
    _wait(lambda: "grain=quarter" in driver.current_url, what="grain in the URL")
    _settled(dash_duo)
    assert driver.execute_script("return performance.getEntriesByType('navigation').length") == 1
    rows = driver.execute_script("return dash_ag_grid.getApi('ind-grid').getDisplayedRowCount()")
    assert rows > 0
    quarter_url = driver.current_url

    # Indicator → region, from the ranking.
    _click(dash_duo, "#ind-ranking a.odsk-region-link[href^='/region/71.71']")
    dash_duo.wait_for_text_to_equal("#region-title", "Kota Manado", timeout=15)
    lines = driver.find_elements("css selector", ".odsk-region-table tbody tr")
    assert len(lines) == len(catalogue.indicators)  # every indicator has data for Manado
    _no_junk(dash_duo)
    driver.save_screenshot(str(artifacts_dir / "analyst-region-1920x1080.png"))

    # Back: the indicator page as it was left (quarters), rebuilt from its URL.
    driver.back()
    dash_duo.wait_for_text_to_equal("#ind-title", stunting.name.id, timeout=15)
    assert driver.current_url == quarter_url
    _wait(
        lambda: driver.find_element(
            "css selector", "#ind-grain input[value='quarter']"
        ).is_selected(),
        what="the quarter grain restored",
    )
    _scroll_to_table(dash_duo)
    _settled(dash_duo)
    period = driver.find_element("css selector", "#ind-period").text
    assert "Triwulan" in period

    # Back twice more: the indicator as first opened, then the domain.
    driver.back()
    _wait(lambda: "grain=" not in driver.current_url, what="the first indicator URL")
    driver.back()
    dash_duo.wait_for_text_to_equal("#domain-title", "Smart Living", timeout=15)

    # And forward again to a region, then another indicator from there, in English.
    dash_duo.wait_for_page(f"{server}/region/71.02?lang=en")
    dash_duo.wait_for_text_to_equal("#region-title", "Kab. Minahasa", timeout=15)
    _click(dash_duo, "a[href^='/indicator/BRD.WISMAN']")
    dash_duo.wait_for_text_to_equal(
        "#ind-title", catalogue.indicator("BRD.WISMAN").name.en, timeout=15
    )
    _settled(dash_duo)
    assert "regions=71.02" in driver.current_url
    legend = driver.find_element("css selector", "#ind-series .legend").text
    assert "Minahasa" in legend
    driver.save_screenshot(str(artifacts_dir / "analyst-indicator-en-1920x1080.png"))

    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert names and all(n.startswith((server, "data:")) for n in names), names
    assert dash_duo.get_logs() == []


def test_a_configured_boundary_file_draws_the_map_offline(
    dash_duo, settings_env, sqlite_url, tmp_path, catalogue, artifacts_dir
):
    """With a GeoJSON configured, the same page draws a choropleth: blank style, no tiles, no console errors."""
    import json
    from pathlib import Path

    from dashboard.settings import Settings as Base

    class WithBoundaries(Base):
        boundary_geojson: Path | None = None

    features = []
    for r in catalogue.regions:
        if r.grid is None:
            continue
        # A square per regency at its tile position, standing in for a licensed boundary file.
        lon, lat = 123.2 + 0.32 * r.grid.col, 4.2 - 0.32 * r.grid.row
        ring = [[lon, lat], [lon + 0.3, lat], [lon + 0.3, lat - 0.3], [lon, lat - 0.3], [lon, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"KDBPS": r.bps_code, "NAMOBJ": r.name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = tmp_path / "sulut.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    seed_store(sqlite_url, tmp_path / "payloads", since=2025)
    app = create_app(WithBoundaries(boundary_geojson=path))
    serve(dash_duo, app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/indicator/LIV.STUNTING?regions=71.71")
    dash_duo.wait_for_element("#ind-map .maplibregl-canvas, #ind-map canvas", timeout=30)
    _settled(dash_duo)
    _wait(
        lambda: dash_duo.driver.execute_script(MAP_DRAWN),
        timeout=30,
        what="boundaries drawn on the map",
    )
    figure = dash_duo.driver.execute_script(
        "return document.getElementById('ind-map').querySelector('.js-plotly-plot')._fullData.map(t => t.type)"
    )
    assert set(figure) == {"choroplethmap"}
    dash_duo.driver.save_screenshot(str(artifacts_dir / "analyst-choropleth-1920x1080.png"))
    server = dash_duo.server_url
    names = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert all(n.startswith((server, "data:", "blob:")) for n in names), names
    assert any(n.endswith("/analyst/boundaries.geojson") for n in names)
    assert dash_duo.get_logs() == []
