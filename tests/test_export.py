"""Exports hold exactly what the data table holds: the Excel workbook (server) and AG Grid's CSV (browser)."""

import base64
import csv
from pathlib import Path

import pytest
from access_kit import client_as, serve
from analyst_kit import SERIES_OUTPUTS, call, seed_store
from wait_kit import wait_until

from dashboard.analysis.export import read_back, workbook_bytes
from dashboard.settings import Settings
from dashboard.webapp import create_app
from layouts.indicator_callbacks import export_columns


def test_a_workbook_holds_the_rows_and_columns_given_numbers_as_numbers():
    rows = [
        {"region": "Kota Manado", "value": 12.5, "yoy": None, "start": "2026-10-01"},
        {"region": "Kab. Minahasa", "value": 1234567.25, "yoy": -0.5, "start": "2026-09-01"},
    ]
    columns = [("region", "Wilayah"), ("start", "Periode"), ("value", "Nilai"), ("yoy", "y/y")]
    cells = read_back(workbook_bytes(rows, columns, sheet="T", meta=[("Indikator", "X")]))
    assert cells == [
        ["Wilayah", "Periode", "Nilai", "y/y"],
        ["Kota Manado", "2026-10-01", 12.5, None],
        ["Kab. Minahasa", "2026-09-01", 1234567.25, -0.5],
    ]


@pytest.fixture
def seeded(settings_env, sqlite_url, tmp_path):
    seed_store(sqlite_url, tmp_path / "payloads", since=2024)
    return create_app(Settings())


def _series(client, code, regions, grain, years, lang="en"):
    response = call(
        client,
        SERIES_OUTPUTS,
        inputs=[
            ("ind-regions", "value", regions),
            ("ind-grain", "value", grain),
            ("ind-range", "value", years),
            ("ind-notes-rev", "data", 0),
        ],
        state=[("ind-period", "value", None), ("ind-page", "data", {"code": code, "lang": lang})],
    )
    assert response.status_code == 200
    return response.json["response"]


def test_the_excel_export_equals_the_rows_the_grid_shows(seeded, catalogue):
    client = client_as(seeded, "analyst")
    series = _series(client, "BRD.WISMAN", ["71.71", "71.72"], "quarter", [2024, 2025])
    rows = series["ind-rows"]["data"]
    assert len(rows) == 3 * 8 and {r["r"] for r in rows} == {"71", "71.71", "71.72"}
    # What AG Grid reports after the analyst filtered to Bitung and sorted by value, descending.
    shown = sorted((r for r in rows if r["r"] == "71.72"), key=lambda r: r["v"], reverse=True)
    response = call(
        client,
        [("ind-download", "data")],
        inputs=[("ind-xlsx", "n_clicks", 1)],
        state=[
            ("ind-grid", "virtualRowData", shown),
            ("ind-grid", "rowData", rows),
            ("ind-page", "data", {"code": "BRD.WISMAN", "lang": "en"}),
        ],
        changed="ind-xlsx.n_clicks",
    )
    download = response.json["response"]["ind-download"]["data"]
    assert download["filename"] == "BRD.WISMAN.xlsx" and download["base64"]
    cells = read_back(base64.b64decode(download["content"]))
    with seeded.server.app_context():
        columns = export_columns(catalogue.indicator("BRD.WISMAN"), "en")
    assert (
        cells[0]
        == [
            "Region",
            "Code",
            "Period",
            "Value (people/month)",
            "Change y/y",
            "Basis",
            "Note",
            "Revision",
            "Source",
            "ID",
        ]
        == [header for _, header in columns]
    )
    names = {r.code: r.name for r in catalogue.regions}
    expected = [
        [names[row["r"]] if field == "region" else row.get(field) for field, _ in columns]
        for row in shown
    ]
    assert cells[1:] == [[None if v == "" else v for v in row] for row in expected]
    assert [c[2] for c in cells[1:]] == [
        r["s"] for r in shown
    ]  # the period as an ISO date, sortable
    assert all(c[0] == "Kota Bitung" for c in cells[1:])


# --- the browser's own CSV export ------------------------------------------------------------

GRID_ROWS = """
const api = dash_ag_grid.getApi('ind-grid');
const cols = api.getAllDisplayedColumns();
const out = [cols.map(c => c.getColDef().headerName)];
api.forEachNodeAfterFilterAndSort(n => out.push(cols.map(c => {
    const v = api.getCellValue({rowNode: n, colKey: c});
    return v === undefined ? null : v;
})));
return out;
"""


@pytest.mark.browser
def test_the_csv_export_equals_the_table_after_sort_and_filter(dash_duo, seeded, artifacts_dir):
    serve(dash_duo, seeded, "analyst")
    dash_duo.wait_for_page(
        f"{dash_duo.server_url}/indicator/BRD.WISMAN?regions=71.71&grain=quarter"
        "&from=2024&to=2025&lang=en"
    )
    driver = dash_duo.driver
    # The table fills once it comes into view.
    dash_duo.wait_for_element("#ind-grid", timeout=20)
    driver.execute_script("document.getElementById('ind-grid').scrollIntoView()")
    dash_duo.wait_for_element("#ind-grid .ag-row", timeout=20)
    # Every callback done: nothing will replace the rows under the filter.
    wait_until(
        lambda: driver.execute_script(
            "return !document.querySelector('[data-dash-is-loading=\"true\"]')"
        ),
        timeout=15,
        message="callbacks did not settle",
    )
    # Sort by value (descending) and keep Manado only, as an analyst would in the grid.
    driver.execute_script("""
        const api = dash_ag_grid.getApi('ind-grid');
        api.applyColumnState({state: [{colId: 'v', sort: 'desc'}], defaultState: {sort: null}});
        api.setColumnFilterModel('region', {filterType: 'text', type: 'contains', filter: 'Manado'})
           .then(() => api.onFilterChanged());
    """)
    wait_until(
        lambda: len(driver.execute_script(GRID_ROWS)) == 9,
        timeout=15,
        message="the grid did not filter to Manado",
    )
    shown = driver.execute_script(GRID_ROWS)
    assert len(shown) == 1 + 8
    button = dash_duo.find_element("#ind-csv")
    # A DOM click: a sticky header or the grid's own overlay can sit over the button
    # at some window sizes, which would make a pointer click land elsewhere.
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", button
    )
    target = Path(dash_duo.download_path)

    def downloaded() -> list[list[str]] | None:
        # Chromium writes into a .crdownload file and renames it when the download is complete.
        files = [f for f in target.iterdir() if f.suffix == ".csv"]
        if not files:
            return None
        with open(files[0], newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle))

    exported = wait_until(downloaded, timeout=15, message="no CSV downloaded")
    assert exported[0] == shown[0]
    assert exported[1:] == [["" if v is None else _csv_value(v) for v in row] for row in shown[1:]]
    driver.save_screenshot(str(artifacts_dir / "analyst-export-1920x1080.png"))
    assert dash_duo.get_logs() == []


def _csv_value(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
