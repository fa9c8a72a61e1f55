"""Malformed inputs across every kind, each with its one expected outcome.

An outcome is either the run failing (``ParseError`` with a specific error class and
words in its message) or specific rows rejected with specific reasons while the good
rows are kept.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pytest
from payloads import kit, workbooks

from collectors.base import ParseError


@dataclass
class Fails:
    error_class: str
    text: str  # part of the English message


@dataclass
class Rejects:
    reasons: list[tuple[int, str | None, str]]  # (row, column, part of the English reason)
    kept: int = 0  # good rows that must survive next to them


@dataclass
class Case:
    name: str
    source: str
    content: bytes | str | dict | list | Callable[[], bytes]
    expect: Fails | Rejects
    options: dict[str, Any] = field(default_factory=dict)


# --- builders ---------------------------------------------------------------------------

CSV_HEADER = "Kode Wilayah;Indikator;Periode;Nilai\n"
UTF8 = {"encoding": "utf-8"}


def csv_rows(*rows: str, good: bool = True) -> str:
    return (
        CSV_HEADER + ("71.71;BOR;Maret 2026;70\n" if good else "") + "".join(r + "\n" for r in rows)
    )


def xlsx(
    *rows: list[Any], header: tuple[str, ...] = ("Wilayah", "Januari 2026")
) -> Callable[[], bytes]:
    def build() -> bytes:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(header))
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return build


def zipped(members: dict[str, bytes]) -> Callable[[], bytes]:
    def build() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return out.getvalue()

    return build


def xlsx_with_entity() -> bytes:
    """A real workbook whose sheet XML declares an entity (XXE / billion laughs)."""
    good = xlsx(["Manado", 61.2])()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + data
            dst.writestr(item, data)
    return out.getvalue()


def small_bomb() -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return workbooks.zip_bomb(Path(tmp) / "b.xlsx", unpacked_mib=24).read_bytes()


def ckan(records: Any, total: int | None = None) -> dict:
    return {
        "help": "h",
        "success": True,
        "result": {
            "records": records,
            "total": total
            if total is not None
            else (len(records) if isinstance(records, list) else 0),
        },
    }


CKAN_RECORD = {"kode_kabupaten_kota": 7171, "tahun": 2025, "bulan": "MEI", "jumlah_penempatan": 12}


def bps(datacontent: Any, **extra) -> dict:
    doc = {
        "status": "OK",
        "data-availability": "available",
        "var": [{"val": 9, "label": "X"}],
        "turvar": [{"val": 0, "label": "Tidak ada"}],
        "vervar": [{"val": 7171, "label": "Manado"}],
        "tahun": [{"val": 126, "label": "2026"}],
        "turtahun": [{"val": 1, "label": "Januari"}],
        "datacontent": datacontent,
    }
    doc.update(extra)
    return doc


def gempa(**entry) -> dict:
    base = {
        "DateTime": "2026-03-12T07:05:41+00:00",
        "Coordinates": "1.62,126.41",
        "Lintang": "1.62 LU",
        "Bujur": "126.41 BT",
        "Magnitude": "5.1",
        "Kedalaman": "44 km",
        "Wilayah": "138 km Tenggara BITUNG-SULUT",
    }
    good = dict(base, DateTime="2026-03-10T00:00:00+00:00")
    base.update(entry)
    return {"Infogempa": {"gempa": [good, base]}}


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
    b"<Infogempa><gempa><Wilayah>&lol2;</Wilayah></gempa></Infogempa>"
)
SQL_COLUMNS = ["kode_wilayah", "bulan", "persen_digital", "diperbarui"]


CASES = [
    # --- CSV: the file as a whole ------------------------------------------------------------
    Case("csv empty file", "dinkes-bor-csv", b"", Fails("empty", "the file is empty"), UTF8),
    Case(
        "csv only a byte-order mark and blank lines",
        "dinkes-bor-csv",
        b"\xef\xbb\xbf\r\n\r\n",
        Fails("empty", "the file is empty"),
        UTF8,
    ),
    Case(
        "csv header and no data rows",
        "dinkes-bor-csv",
        "Judul laporan\n\n" + CSV_HEADER + "(1);(2);(3);(4)\nSumber: Dinkes\n",
        Fails("empty", "header (row 3) but no data rows"),
        UTF8,
    ),
    Case(
        "csv cp1252 declared utf-8",
        "dinkes-bor-csv",
        "Kode Wilayah;Nilai\n71.71;12\u20ac\n".encode("cp1252"),
        Fails("format", "not utf-8 text"),
        UTF8,
    ),
    Case(
        "csv cp1252 byte undefined",
        "dinkes-bor-csv",
        CSV_HEADER.encode() + b"71.71;BOR;Maret 2026;\x81\n",
        Fails("format", "not cp1252 text"),
    ),
    Case(
        "csv NUL byte",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret\x00 2026;70"),
        Rejects([(3, "Periode", "is not a period I can read")], kept=1),
        UTF8,
    ),
    Case(
        "csv unterminated quote",
        "dinkes-bor-csv",
        CSV_HEADER + '71.71;BOR;"Maret 2026;70\n',
        Fails("format", "malformed"),
        UTF8,
    ),
    Case(
        "csv wrong delimiter",
        "dinkes-bor-csv",
        CSV_HEADER.replace(";", ",") + "71.71,BOR,Maret 2026,70\n",
        Fails("schema", "no header row"),
        UTF8,
    ),
    Case(
        "csv declared column twice",
        "dinkes-bor-csv",
        "Kode Wilayah;Indikator;Periode;Nilai;Nilai\n",
        Fails("schema", "column 'Nilai' appears more than once"),
        UTF8,
    ),
    Case(
        "csv over the size limit",
        "dinkes-bor-csv",
        csv_rows() * 50,
        Fails("too_large", "more than the limit"),
        {**UTF8, "limits": {"max_bytes": 1000}},
    ),
    Case(
        "csv over the row limit",
        "dinkes-bor-csv",
        CSV_HEADER + "71.71;BOR;Maret 2026;70\n" * 30,
        Fails("too_large", "more than 20 rows"),
        {**UTF8, "limits": {"max_rows": 20}},
    ),
    # --- CSV: rows rejected, good rows kept ---------------------------------------------------
    Case(
        "csv empty value",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;"),
        Rejects([(3, "Nilai", "value is missing")], kept=1),
        UTF8,
    ),
    Case(
        "csv 'tidak ada'",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;tidak ada"),
        Rejects([(3, "Nilai", "value is missing")], kept=1),
        UTF8,
    ),
    Case(
        "csv ellipsis",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;\u2026"),
        Rejects([(3, "Nilai", "value is missing")], kept=1),
        UTF8,
    ),
    Case(
        "csv broken grouping",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;1.2.3,4"),
        Rejects([(3, "Nilai", "'1.2.3,4' is not a number")], kept=1),
        UTF8,
    ),
    Case(
        "csv percent sign",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;12%"),
        Rejects([(3, "Nilai", "'12%' is not a number")], kept=1),
        UTF8,
    ),
    Case(
        "csv infinite number",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;1e400"),
        Rejects([(3, "Nilai", "'1e400' is not a finite number")], kept=1),
        UTF8,
    ),
    Case(
        "csv NaN",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 2026;NaN"),
        Rejects([(3, "Nilai", "'NaN' is not a finite number")], kept=1),
        UTF8,
    ),
    Case(
        "csv two-digit year",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Jan-26;70"),
        Rejects([(3, "Periode", "'Jan-26' is not a period I can read")], kept=1),
        UTF8,
    ),
    Case(
        "csv month 13",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;2026-13;70"),
        Rejects([(3, "Periode", "'2026-13' is not a valid date")], kept=1),
        UTF8,
    ),
    Case(
        "csv implausible year",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Maret 1899;70"),
        Rejects([(3, "Periode", "year 1899 is not plausible")], kept=1),
        UTF8,
    ),
    Case(
        "csv semester",
        "dinkes-bor-csv",
        csv_rows("71.72;BOR;Semester 2 2025;70"),
        Rejects([(3, "Periode", "half-yearly period but this indicator is monthly")], kept=1),
        UTF8,
    ),
    Case(
        "csv unknown indicator",
        "dinkes-bor-csv",
        csv_rows("71.72;XYZ;Maret 2026;70"),
        Rejects([(3, "Indikator", "indicator 'XYZ' is unknown")], kept=1),
        UTF8,
    ),
    Case(
        "csv empty region",
        "dinkes-bor-csv",
        csv_rows(";BOR;Maret 2026;70"),
        Rejects([(3, "Kode Wilayah", "region is missing")], kept=1),
        UTF8,
    ),
    Case(
        "csv several faults in one row",
        "dinkes-bor-csv",
        csv_rows("71.98;BOR;Maret;x"),
        Rejects(
            [
                (3, "Kode Wilayah", "region '71.98' is unknown"),
                (3, "Periode", "'Maret' is not a period"),
                (3, "Nilai", "'x' is not a number"),
            ],
            kept=1,
        ),
        UTF8,
    ),
    Case(
        "csv unquoted decimal comma",
        "dinkes-bor-csv",
        "Kode Wilayah,Indikator,Periode,Nilai\n71.71,BOR,2026-03,70\n71.72,BOR,2026-03,1,5\n",
        Rejects([(3, None, "the row has 5 cells but the header only 4")], kept=1),
        {**UTF8, "delimiter": ",", "locale": "en"},
    ),
    Case(
        "csv a city name for a regency",
        "dinkes-stunting-xlsx",
        xlsx(["Kota Minahasa", 12.0], ["Manado", 11.0]),
        Rejects([(2, "Wilayah", "region 'Kota Minahasa' is unknown")], kept=1),
        {
            "sheet": None,
            "columns": {"region": "Wilayah"},
            "layout": "wide_period",
            "indicator": "LIV.STUNTING",
        },
    ),
    # --- Excel ------------------------------------------------------------------------------------
    Case(
        "xlsx random bytes",
        "dispar-tpk-xlsx",
        b"\x00\x01garbage" * 50,
        Fails("format", "not a readable xlsx"),
    ),
    Case(
        "xlsx is an old .xls",
        "dispar-tpk-xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        Fails("format", "not a readable xlsx"),
    ),
    Case(
        "xlsx zip without a workbook",
        "dispar-tpk-xlsx",
        zipped({"readme.txt": b"halo"}),
        Fails("format", "not a readable Excel workbook"),
    ),
    Case(
        "xlsx sheet declares an entity",
        "dispar-tpk-xlsx",
        xlsx_with_entity,
        Fails("format", "not a readable Excel"),
    ),
    Case(
        "xlsx zip bomb",
        "dispar-tpk-xlsx",
        small_bomb,
        Fails("too_large", "xlsx unpacks to more than"),
        {"limits": {"max_xlsx_bytes": 16 * 1024 * 1024}},
    ),
    Case(
        "xlsx too many parts",
        "dispar-tpk-xlsx",
        zipped({f"x/{i}.xml": b"<a/>" for i in range(12)}),
        Fails("too_large", "holds 12 files"),
        {"limits": {"max_xlsx_members": 10}},
    ),
    Case("xlsx empty file", "dispar-tpk-xlsx", b"", Fails("empty", "the file is empty")),
    Case("xlsx empty sheet", "dispar-tpk-xlsx", xlsx(header=()), Fails("empty", "sheet is empty")),
    Case(
        "xlsx header and no data rows",
        "dispar-tpk-xlsx",
        xlsx(),
        Fails("empty", "header (row 1) but no data rows"),
    ),
    Case(
        "xlsx error cell",
        "dispar-tpk-xlsx",
        xlsx(["Manado", "#DIV/0!"], ["Bitung", 40.0]),
        Rejects([(2, "Januari 2026", "'#DIV/0!' is not a number")], kept=1),
    ),
    Case(
        "xlsx no period header",
        "dispar-tpk-xlsx",
        xlsx(["Manado", 1.0], header=("Wilayah", "Catatan")),
        Fails("schema", "no column header reads as a period"),
    ),
    # --- CKAN -------------------------------------------------------------------------------------
    Case(
        "ckan proxy page",
        "naker-ckan",
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        Fails("format", "an HTML page (title: '502 Bad Gateway'), not JSON"),
    ),
    Case("ckan not JSON", "naker-ckan", b"{'a': 1}", Fails("format", "not JSON")),
    Case("ckan empty body", "naker-ckan", b"  \n", Fails("empty", "the payload is empty")),
    Case(
        "ckan nested too deep", "naker-ckan", b"[" * 100 + b"]" * 100, Fails("too_large", "nested")
    ),
    Case(
        "ckan list of numbers", "naker-ckan", [1, 2], Fails("schema", "not a CKAN action response")
    ),
    Case(
        "ckan records not a list",
        "naker-ckan",
        ckan({"a": 1}),
        Fails("schema", "no result.records list"),
    ),
    Case(
        "ckan record not an object",
        "naker-ckan",
        ckan([CKAN_RECORD, "x"]),
        Fails("schema", "record 2 is not an object"),
    ),
    Case(
        "ckan empty list",
        "naker-ckan",
        [],
        Fails("schema", "not a list of datastore_search responses"),
    ),
    Case(
        "ckan value as text",
        "naker-ckan",
        ckan([CKAN_RECORD, dict(CKAN_RECORD, bulan="JUNI", jumlah_penempatan="dua")]),
        Rejects([(2, "jumlah_penempatan", "'dua' is not a number")], kept=1),
    ),
    Case(
        "ckan null value",
        "naker-ckan",
        ckan([CKAN_RECORD, dict(CKAN_RECORD, bulan="JUNI", jumlah_penempatan=None)]),
        Rejects([(2, "jumlah_penempatan", "value is missing")], kept=1),
    ),
    Case(
        "ckan month name unknown",
        "naker-ckan",
        ckan([CKAN_RECORD, dict(CKAN_RECORD, bulan="MEIJUNI")]),
        Rejects([(2, "bulan", "'MEIJUNI 2025' is not a period I can read")], kept=1),
    ),
    # --- BPS --------------------------------------------------------------------------------------
    Case(
        "bps array instead of object",
        "bps-inflasi",
        [bps({})],
        Fails("schema", "not a JSON object"),
    ),
    Case(
        "bps datacontent a list",
        "bps-inflasi",
        bps([1.0]),
        Fails("schema", "datacontent is not an object"),
    ),
    Case(
        "bps error status",
        "bps-inflasi",
        {"status": "Error", "message": "Quota exceeded"},
        Fails("http", "Quota exceeded"),
    ),
    Case(
        "bps dimensions that multiply into a bomb",
        "bps-inflasi",
        bps(
            {},
            vervar=[{"val": i} for i in range(400)],
            tahun=[{"val": i} for i in range(100)],
            turvar=[{"val": i} for i in range(60)],
        ),
        Fails("too_large", "dimensions make 2400000 cells"),
    ),
    Case(
        "bps value not a number",
        "bps-inflasi",
        bps({"7171901261": "abc"}),
        Rejects([(1, "nilai", "'abc' is not a number")]),
    ),
    Case(
        "bps value missing marker",
        "bps-inflasi",
        bps({"7171901261": "-"}),
        Rejects([(1, "nilai", "value is missing")]),
    ),
    # --- BMKG -------------------------------------------------------------------------------------
    Case(
        "bmkg billion laughs",
        "bmkg-gempa",
        LAUGHS,
        Fails("format", "DTD or entities"),
        {"format": "xml"},
    ),
    Case(
        "bmkg proxy page instead of XML",
        "bmkg-gempa",
        b"<!DOCTYPE html>\n<html><title>Gateway Timeout</title></html>",
        Fails("format", "HTML page (title: 'Gateway Timeout'), not XML"),
        {"format": "xml"},
    ),
    Case(
        "bmkg proxy page instead of JSON",
        "bmkg-gempa",
        b"<html><body>maintenance</body></html>",
        Fails("format", "HTML page, not JSON"),
    ),
    Case("bmkg empty body", "bmkg-gempa", b"", Fails("empty", "the payload is empty")),
    Case(
        "bmkg gempa is a string",
        "bmkg-gempa",
        {"Infogempa": {"gempa": "none"}},
        Fails("schema", "no Infogempa.gempa"),
    ),
    Case(
        "bmkg impossible date",
        "bmkg-gempa",
        gempa(DateTime="2026-02-30T07:05:41+00:00"),
        Rejects([(2, "DateTime", "is not an ISO 8601 time")], kept=1),
    ),
    Case(
        "bmkg off the globe",
        "bmkg-gempa",
        gempa(Coordinates="95.0,126.41", Lintang="95.0 LU"),
        Rejects([(2, "Coordinates", "are off the globe")], kept=1),
    ),
    Case(
        "bmkg no time at all",
        "bmkg-gempa",
        gempa(DateTime=""),
        Rejects([(2, "DateTime", "the time is missing")], kept=1),
    ),
    # --- SQL payloads -----------------------------------------------------------------------------
    Case(
        "sql rows not lists",
        "eoffice-sql",
        {"columns": SQL_COLUMNS, "rows": [{"a": 1}]},
        Fails("schema", "row 1 does not have 4 values"),
    ),
    Case(
        "sql not columns and rows",
        "eoffice-sql",
        {"data": []},
        Fails("schema", "not {columns, rows}"),
    ),
    Case(
        "sql too many rows",
        "eoffice-sql",
        {"columns": SQL_COLUMNS, "rows": [["71.71", "2026-01-01", 1, "x"]] * 5},
        Fails("too_large", "more than 3 rows"),
        {"limits": {"max_rows": 3}},
    ),
    Case(
        "sql period as a number",
        "eoffice-sql",
        {"columns": SQL_COLUMNS, "rows": [["71.71", "2026-01-01", 1, "a"], ["71.72", 13, 2, "b"]]},
        Rejects([(2, "bulan", "'13' is not a period I can read")], kept=1),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input(case: Case):
    content = case.content() if callable(case.content) else case.content
    if isinstance(case.expect, Fails):
        with pytest.raises(ParseError) as err:
            kit.parse(case.source, content, case.options or None)
        assert err.value.error_class == case.expect.error_class, err.value.message_en
        assert case.expect.text in err.value.message_en
        assert (
            err.value.message_id and err.value.message_id != err.value.message_en
        )  # said in Bahasa Indonesia too
        return
    result = kit.parse(case.source, content, case.options or None)
    got = kit.reasons(result)
    assert len(got) == len(case.expect.reasons), got
    for (row, column, text), (g_row, g_column, g_text) in zip(case.expect.reasons, got):
        assert (row, column) == (g_row, g_column) and text in g_text, got
    kept = [c for c in result.rows if not c.reasons] + list(result.events)
    assert len(kept) == case.expect.kept


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30
