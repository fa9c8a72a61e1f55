"""CSV and Excel kinds on files shaped like the ones SKPD officers really send."""

from __future__ import annotations

import tracemalloc
from datetime import date, datetime

import pytest
from payloads import kit, workbooks
from pydantic import ValidationError

from collectors import records
from collectors.base import ParseError, PermanentFetchError
from collectors.tabular import CSV_KIND, EXCEL_KIND, CsvOptions, ExcelOptions
from dashboard.validation import validate


@pytest.fixture(scope="module")
def stunting_xlsx(tmp_path_factory) -> bytes:
    return workbooks.stunting_workbook(
        tmp_path_factory.mktemp("xlsx") / "rekap-stunting.xlsx"
    ).read_bytes()


@pytest.fixture(scope="module")
def tpk_xlsx(tmp_path_factory) -> bytes:
    return workbooks.tpk_workbook(tmp_path_factory.mktemp("xlsx") / "tpk.xlsx").read_bytes()


def accepted(result):
    return [(c.row, c.region, c.period_start, c.value) for c in result.rows if not c.reasons]


# --- Excel, long layout ---------------------------------------------------------------


def test_excel_rows_below_title_rows_and_merged_cells_are_read(stunting_xlsx):
    result = kit.parse("dinkes-stunting-xlsx", stunting_xlsx)
    assert accepted(result) == [
        (7, "71.01", date(2026, 1, 1), 17.2),
        (8, "71.02", date(2026, 1, 1), 15.9),  # a real Excel date cell
        (9, "71.71", date(2026, 1, 1), 12.5),  # "12,5" typed as text, Indonesian locale
        (10, "71.06", date(2025, 10, 1), 21.3),  # "Minut", "Okt 2025"
        (13, "71.11", date(2026, 2, 1), 19.0),  # "Kab. Bolsel"
        (18, "71", date(2026, 1, 1), 16.1),  # "Jumlah": the province
        (19, "71", date(2026, 2, 1), 15.8),  # "Sulawesi Utara": the province, never a regency
    ]
    assert all(c.indicator == "LIV.STUNTING" and c.grain == "month" for c in result.rows)
    assert result.bookmark == "2026-02-01"


def test_excel_bad_rows_are_rejected_with_every_reason_and_good_rows_kept(stunting_xlsx):
    result = kit.parse("dinkes-stunting-xlsx", stunting_xlsx)
    assert kit.reasons(result) == [
        (11, "Prevalensi (%)", "value is missing"),  # "-" is missing, never 0
        (12, "Prevalensi (%)", "'12a' is not a number"),
        (14, "Kabupaten/Kota", "region 'Kota Bolaang' is unknown"),  # named, not guessed
        (15, "Bulan", "'Triwulan I 2026' is a quarterly period but this indicator is monthly"),
        (16, "Prevalensi (%)", "value is missing"),  # "n.a."
    ]
    missing = next(c for c in result.rows if c.row == 11)
    assert missing.value is None and missing.reasons[0].id == "nilai kosong"
    assert missing.raw["Kabupaten/Kota"] == "Sitaro"  # the raw row goes to quarantine with it
    bad = next(c for c in result.rows if c.row == 12)
    assert (bad.reasons[0].column, bad.reasons[0].value, bad.reasons[0].id) == (
        "Prevalensi (%)",
        "12a",
        "'12a' bukan angka",
    )


def test_footnotes_blank_rows_and_column_numbers_are_skipped_not_rejected(stunting_xlsx):
    rows = {c.row for c in kit.parse("dinkes-stunting-xlsx", stunting_xlsx).rows}
    assert not rows & {1, 2, 3, 4, 5, 6, 17, 20, 21, 22, 23}


def test_explicit_header_row_reads_the_same(stunting_xlsx):
    auto = kit.parse("dinkes-stunting-xlsx", stunting_xlsx)
    fixed = kit.parse("dinkes-stunting-xlsx", stunting_xlsx, {"header_row": 5})
    assert accepted(auto) == accepted(fixed)


def test_a_wrong_header_row_names_the_missing_column(stunting_xlsx):
    with pytest.raises(ParseError) as err:
        kit.parse("dinkes-stunting-xlsx", stunting_xlsx, {"header_row": 3})
    assert err.value.error_class == "schema"
    assert "column 'Kabupaten/Kota' is missing" in err.value.message_en
    assert "kolom 'Kabupaten/Kota' tidak ada" in err.value.message_id


def test_an_unknown_sheet_lists_the_sheets(stunting_xlsx):
    with pytest.raises(ParseError) as err:
        kit.parse("dinkes-stunting-xlsx", stunting_xlsx, {"sheet": "Data"})
    assert err.value.error_class == "schema"
    assert "'Petunjuk', 'Rekap'" in err.value.message_en


def test_the_first_sheet_is_read_when_none_is_named(tpk_xlsx):
    result = kit.parse("dispar-tpk-xlsx", tpk_xlsx)
    assert result.rows


def test_region_codes_written_as_excel_numbers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kode", "Bulan", "Nilai"])
    ws.append([71.1, "Maret 2026", 20.0])  # "71.10" became 71.1 in Excel
    ws.append([7171, "Maret 2026", 21.0])  # "7171" became 7171
    path = tmp_path / "kode.xlsx"
    wb.save(path)
    result = kit.parse(
        "dinkes-stunting-xlsx",
        path.read_bytes(),
        {
            "sheet": None,
            "columns": {"region": "Kode", "period": "Bulan", "value": "Nilai"},
            "region_system": "kemendagri",
        },
    )
    assert [c.region for c in result.rows] == ["71.10", "71.71"]


# --- Excel, wide layout ---------------------------------------------------------------


def test_wide_layout_one_column_per_month(tpk_xlsx):
    result = kit.parse("dispar-tpk-xlsx", tpk_xlsx)
    assert sorted(accepted(result)) == sorted(
        [
            (5, "71.71", date(2026, 1, 1), 61.2),
            (5, "71.71", date(2026, 2, 1), 58.9),
            (5, "71.71", date(2026, 3, 1), 63.4),
            (6, "71.72", date(2026, 1, 1), 44.0),
            (6, "71.72", date(2026, 3, 1), 47.5),
            (7, "71.73", date(2026, 1, 1), 39.8),
            (7, "71.73", date(2026, 2, 1), 41.2),
            (7, "71.73", date(2026, 3, 1), 40.0),
            (8, "71", date(2026, 1, 1), 55.1),
            (8, "71", date(2026, 2, 1), 53.0),
            (8, "71", date(2026, 3, 1), 57.2),
        ]
    )
    # April is not filled in yet: not reported, not 15 errors. "Keterangan" is not a period.
    assert kit.reasons(result) == [(6, "Februari 2026", "value is missing")]


def test_wide_layout_with_real_dates_as_headers(tmp_path):
    content = workbooks.tpk_workbook(tmp_path / "tpk.xlsx", date_headers=True).read_bytes()
    result = kit.parse("dispar-tpk-xlsx", content)
    assert len(accepted(result)) == 11
    assert {c.period_start for c in result.rows} == {
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    }


def test_wide_layout_with_declared_period_columns(tpk_xlsx):
    result = kit.parse("dispar-tpk-xlsx", tpk_xlsx, {"period_columns": ["Maret 2026"]})
    assert {c.period_start for c in result.rows} == {date(2026, 3, 1)}
    assert len(result.rows) == 4


# --- CSV ---------------------------------------------------------------------------------


def test_csv_windows_export_semicolons_cp1252_indonesian_numbers():
    result = kit.parse("dinkes-bor-csv", kit.recorded("csv/bor_rs_cp1252.csv"))
    assert [
        (c.row, c.indicator, c.region, c.period_start, c.value)
        for c in result.rows
        if not c.reasons
    ] == [
        (6, "LIV.BOR", "71.71", date(2026, 1, 1), 78.4),
        (7, "LIV.BOR", "71.71", date(2026, 2, 1), 81.2),
        (8, "LIV.BOR", "71.72", date(2026, 1, 1), 64.9),  # "7172" without the dot, "Jan 2026"
        (
            13,
            "LIV.STUNTING",
            "71.06",
            date(2026, 3, 1),
            18.75,
        ),  # indicator mapped from the file's code
        (15, "LIV.BOR", "71", date(2026, 3, 1), 1070.3),  # "Jumlah" with an empty code; "1.070,3"
    ]
    assert kit.reasons(result) == [
        (9, "Nilai", "value is missing"),
        (10, "Nilai", "'12a' is not a number"),
        (11, "Kode Wilayah", "region '71.99' is unknown"),
        (12, "Periode", "'Triwulan I 2026' is a quarterly period but this indicator is monthly"),
        (
            14,
            "Nilai",
            "'5.8' is not a number",
        ),  # strict: in the id locale "5.8" is not 5.8 (nor 58)
    ]


def test_csv_declared_in_the_wrong_encoding_fails_with_a_clear_message():
    with pytest.raises(ParseError) as err:
        kit.parse("dinkes-bor-csv", kit.recorded("csv/bor_rs_cp1252.csv"), {"encoding": "utf-8"})
    assert err.value.error_class == "format"
    assert "not utf-8 text" in err.value.message_en and "bukan teks utf-8" in err.value.message_id


def test_csv_with_bom_one_column_per_indicator_bps_codes_and_split_periods():
    result = kit.parse("biro-eoffice-csv", kit.recorded("csv/eoffice_utf8_bom.csv"))
    good = {
        (c.row, c.indicator): (c.region, c.period_start, c.value)
        for c in result.rows
        if not c.reasons
    }
    assert good[(2, "GOV.NASKAH-DIGITAL")] == ("71", date(2026, 1, 1), 91.5)
    assert good[(4, "GOV.NASKAH-DIGITAL")] == ("71.07", date(2026, 1, 1), 72.3)  # BPS 7109
    assert good[(5, "GOV.DISPOSISI-JAM")] == ("71.08", date(2026, 2, 1), 12.0)  # BPS 7107
    assert good[(6, "GOV.NASKAH-DIGITAL")] == (
        "71.10",
        date(2026, 2, 1),
        70.1,
    )  # BPS 7111, "Februari"
    assert kit.reasons(result) == [
        (4, "median_jam_disposisi", "value is missing"),
        (7, "kode_bps", "region '7195' is unknown"),
        (7, "kode_bps", "region '7195' is unknown"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_byte_order_mark_never_hides_the_first_header(encoding):
    result = kit.parse(
        "biro-eoffice-csv", kit.recorded("csv/eoffice_utf8_bom.csv"), {"encoding": encoding}
    )
    assert len(result.rows) == 12


def test_repeated_header_and_column_number_rows_inside_the_data_are_skipped():
    text = (
        "Kode Wilayah;Indikator;Periode;Nilai\n(1);(2);(3);(4)\n71.71;BOR;Maret 2026;70\n"
        "Kode Wilayah;Indikator;Periode;Nilai\n71.72;BOR;Maret 2026;71\n"
    )
    result = kit.parse("dinkes-bor-csv", text, {"encoding": "utf-8"})
    assert [(c.row, c.value) for c in result.rows] == [(3, 70.0), (5, 71.0)]


def test_english_locale_numbers():
    text = 'Kode Wilayah,Indikator,Periode,Nilai\n71.71,BOR,2026-03,"1,234.5"\n71.72,BOR,2026-03,"1.234,5"\n'
    result = kit.parse(
        "dinkes-bor-csv", text, {"encoding": "utf-8", "delimiter": ",", "locale": "en"}
    )
    assert result.rows[0].value == 1234.5
    assert kit.reasons(result) == [(3, "Nilai", "'1.234,5' is not a number")]


def test_semester_cannot_be_stored_on_a_monthly_indicator():
    text = "Kode Wilayah;Indikator;Periode;Nilai\n71.71;BOR;Semester 1 2026;70\n"
    (row,) = kit.parse("dinkes-bor-csv", text, {"encoding": "utf-8"}).rows
    assert (
        row.reasons[0].en
        == "'Semester 1 2026' is a half-yearly period but this indicator is monthly"
    )
    assert (
        row.reasons[0].id
        == "'Semester 1 2026' adalah periode semesteran, sedangkan indikator ini bulanan"
    )


def test_a_quarter_fits_a_quarterly_indicator():
    text = "Kode Wilayah;Indikator;Periode;Nilai\n71.71;TB;Triwulan IV 2025;88,5\n71.72;TB;TW II 2026;90\n"
    result = kit.parse(
        "dinkes-bor-csv", text, {"encoding": "utf-8", "indicator_map": {"TB": "LIV.TB-SUKSES"}}
    )
    assert [(c.period_start, c.grain, c.value) for c in result.rows] == [
        (date(2025, 10, 1), "quarter", 88.5),
        (date(2026, 4, 1), "quarter", 90.0),
    ]


# --- big files: clean rows as one typed frame -----------------------------------------


def test_a_big_file_hands_clean_rows_over_as_a_frame_that_validates(monkeypatch):
    monkeypatch.setattr(records, "FRAME_FROM", 1000)
    codes = [r.code for r in kit.catalogue().regions]
    lines = ["Kode Wilayah;Indikator;Periode;Nilai"]
    for i in range(1200):  # 16 regions x 75 months from January 2000: every key once
        year, month = divmod(i // 16, 12)
        lines.append(f"{codes[i % 16]};BOR;{month + 1:02d}/{2000 + year};{i % 97},{i % 10}")
    lines[100] = "71.71;BOR;Maret 2020;12a"  # line 101
    result = kit.parse("dinkes-bor-csv", "\n".join(lines), {"encoding": "utf-8"})
    assert kit.reasons(result) == [(101, "Nilai", "'12a' is not a number")]
    frame = result.frame
    assert len(frame) == 1199 and len(result.rows) == 1
    assert list(frame.columns) == [
        "row",
        "indicator_code",
        "region_code",
        "period_start",
        "grain",
        "value",
    ]
    first = frame.iloc[0]
    assert (first["row"], first["region_code"], first["period_start"], first["value"]) == (
        2,
        "71",
        date(2000, 1, 1),
        0.0,
    )
    assert result.bookmark == "2006-03-01"
    ctx = kit.context("dinkes-bor-csv")
    verdict = validate(result, ctx.catalogue, ctx.source, date(2026, 6, 1))
    assert len(verdict.accepted) == 1199 and [c.row for c in verdict.rejected] == [101]


# --- fetch ---------------------------------------------------------------------------------


def test_fetch_reads_the_declared_file(tmp_path, stunting_xlsx):
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(stunting_xlsx)
    ctx = kit.context("dinkes-stunting-xlsx", {"path": str(path)})
    payload = EXCEL_KIND.fetch(ctx)
    assert payload.content == stunting_xlsx and payload.meta["filename"] == "rekap.xlsx"


def test_fetch_of_a_missing_file_is_a_permanent_failure(tmp_path):
    ctx = kit.context("dinkes-bor-csv", {"path": str(tmp_path / "nope.csv")})
    with pytest.raises(PermanentFetchError) as err:
        CSV_KIND.fetch(ctx)
    assert err.value.error_class == "not_found"


def test_fetch_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    ctx = kit.context("dinkes-bor-csv", {"path": str(path), "limits": {"max_bytes": 1024}})
    with pytest.raises(PermanentFetchError) as err:
        CSV_KIND.fetch(ctx)
    assert err.value.error_class == "too_large"


def test_an_upload_only_source_cannot_be_fetched():
    with pytest.raises(PermanentFetchError) as err:
        CSV_KIND.fetch(kit.context("biro-eoffice-csv"))
    assert err.value.error_class == "config"


def test_fetch_over_http_from_a_loopback_server(tpk_xlsx):
    with kit.Loopback(lambda path, query: (200, tpk_xlsx, "application/octet-stream")) as server:
        ctx = kit.context("dispar-tpk-xlsx", {"url": f"{server.url}/tpk.xlsx"})
        payload = EXCEL_KIND.fetch(ctx)
    assert payload.content == tpk_xlsx
    assert len(EXCEL_KIND.parse(payload, ctx).rows) == 12


# --- limits ---------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_with_memory_bounded(tmp_path):
    bomb = workbooks.zip_bomb(tmp_path / "bom.xlsx", unpacked_mib=300).read_bytes()
    assert len(bomb) < 2 * 1024 * 1024  # under 2 MB that would unpack to 300 MiB
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as err:
            kit.parse("dispar-tpk-xlsx", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.error_class == "too_large"
    assert "xlsx" in err.value.message_en and "terurai" in err.value.message_id
    assert peak < 32 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def test_a_zip_whose_directory_lies_about_sizes_is_refused(tmp_path):
    content = workbooks.lying_zip(tmp_path / "lie.xlsx").read_bytes()
    with pytest.raises(ParseError) as err:
        kit.parse("dispar-tpk-xlsx", content)
    assert err.value.error_class in ("format", "too_large")


def test_the_row_limit_is_a_clear_error():
    text = "Kode Wilayah;Indikator;Periode;Nilai\n" + "71.71;BOR;Maret 2026;1\n" * 200
    with pytest.raises(ParseError) as err:
        kit.parse("dinkes-bor-csv", text, {"encoding": "utf-8", "limits": {"max_rows": 100}})
    assert err.value.error_class == "too_large" and "100 rows" in err.value.message_en


# --- declared options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        (
            {"columns": {"region": "R", "period": "P"}, "indicator": "X"},
            "layout 'long' needs columns.value",
        ),
        (
            {
                "columns": {"region": "R", "period": "P", "value": "V", "indicator": "I"},
                "indicator": "X",
            },
            "give exactly one of columns.indicator or indicator",
        ),
        (
            {"columns": {"region": "R", "value": "V"}, "indicator": "X"},
            "give exactly one of columns.period or period",
        ),
        (
            {"layout": "wide_period", "columns": {"region": "R", "value": "V"}, "indicator": "X"},
            "layout 'wide_period' takes its periods from the headers",
        ),
        (
            {"layout": "wide_indicator", "columns": {"region": "R", "period": "P"}},
            "needs indicator_columns",
        ),
        (
            {
                "columns": {"region": "R", "year": "Y", "value": "V"},
                "period": "2026",
                "indicator": "X",
            },
            "columns.year needs columns.period",
        ),
        (
            {
                "path": "/a.csv",
                "url": "http://x/a.csv",
                "columns": {"region": "R", "period": "P", "value": "V"},
                "indicator": "X",
            },
            "give path or url, not both",
        ),
    ],
)
def test_options_that_cannot_work_are_refused_when_the_catalogue_loads(options, message):
    with pytest.raises(ValidationError) as err:
        CsvOptions.model_validate(options)
    assert message in str(err.value)


def test_excel_options_take_a_sheet_name():
    opts = ExcelOptions.model_validate(
        {
            "sheet": "Rekap",
            "columns": {"region": "R", "period": "P", "value": "V"},
            "indicator": "LIV.STUNTING",
        }
    )
    assert opts.sheet == "Rekap" and opts.header_row == "auto" and opts.locale == "id"


def test_dates_in_excel_rows_keep_their_date(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kabupaten/Kota", "Bulan", "Prevalensi (%)"])
    ws.append(["Manado", datetime(2026, 3, 17, 8, 30), 14.2])  # a date inside March
    path = tmp_path / "d.xlsx"
    wb.save(path)
    (row,) = kit.parse("dinkes-stunting-xlsx", path.read_bytes(), {"sheet": None}).rows
    assert row.period_start == date(2026, 3, 1) and not row.reasons


# --- a table without a region column ---------------------------------------------------

PROVINCE_CSV = (
    "REALISASI BOR RSUD PROVINSI\n"
    "\n"
    "Indikator;Periode;Nilai\n"
    "BOR;Januari 2026;71,4\n"
    "BOR;Februari 2026;73,0\n"
)
NO_REGION = {"columns": {"indicator": "Indikator", "period": "Periode", "value": "Nilai"}}


@pytest.mark.parametrize("region", ["71", "Sulawesi Utara"])
def test_a_table_without_a_region_column_names_its_region_once(region):
    options = {**NO_REGION, "region": region, "encoding": "utf-8"}
    result = kit.parse("dinkes-bor-csv", PROVINCE_CSV, options)
    assert accepted(result) == [
        (4, "71", date(2026, 1, 1), 71.4),
        (5, "71", date(2026, 2, 1), 73.0),
    ]


def test_a_region_named_once_that_does_not_exist_rejects_its_rows_with_the_reason():
    options = {**NO_REGION, "region": "71.99", "encoding": "utf-8"}
    result = kit.parse("dinkes-bor-csv", PROVINCE_CSV, options)
    assert kit.reasons(result) == [
        (4, "region", "region '71.99' is unknown"),
        (5, "region", "region '71.99' is unknown"),
    ]


@pytest.mark.parametrize(
    "columns, region",
    [
        ({"indicator": "Indikator", "period": "Periode", "value": "Nilai"}, None),
        ({"region": "Kode", "indicator": "Indikator", "period": "Periode", "value": "Nilai"}, "71"),
    ],
)
def test_a_region_comes_from_a_column_or_the_config_not_both_or_neither(columns, region):
    with pytest.raises(ValidationError, match=r"exactly one of columns\.region or region"):
        CsvOptions.model_validate({"columns": columns, "region": region})
