"""Files as SKPD officers make them, for the ``excel`` and ``csv`` sources: an Excel
workbook with title rows, a blank row, the header, the "(1) (2) (3)" column-number row,
the data, a total row and a footnote; numbers in Indonesian ("72,5"; some typed as text,
as they are when pasted from another system); a CSV in the source's delimiter and encoding.

The layout is read off the source's own mapping (columns, layout, region system,
locale), so a file source added to sources.yaml is served without code here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from dashboard.catalogue.models import Catalogue, Region, Source
from dashboard.simulator.periods import month_names, served_periods
from dashboard.simulator.shapes import region_label, value_label

MONTHS = month_names("id")
FILE_KINDS = ("excel", "csv")

Value = Callable[[str, str, date], float | int]


def period_text(start: date, grain: str) -> str:
    """A period as an officer writes it: "Maret 2026", "Triwulan I 2026", "2026"."""
    if grain == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if grain == "quarter":
        return f"Triwulan {('I', 'II', 'III', 'IV')[(start.month - 1) // 3]} {start.year}"
    if grain == "day":
        return start.isoformat()
    return str(start.year)


def table(
    catalogue: Catalogue,
    source: Source,
    value: Value,
    today: date,
    history_months: int | None = 12,
) -> tuple[list[str], list[list[Any]], str]:
    """(header, rows, the period the file reports, for its title) of a file source."""
    opts = catalogue.source_options[source.id]
    cols = opts.columns
    indicators = [catalogue.indicator(code) for code in source.indicators]
    regions = (
        [r for r in catalogue.regions if r.kind != "province"]
        if cols.region
        else [catalogue.province]
    )
    grain = indicators[0].grain
    periods = served_periods(grain, today, history_months)
    reported = period_text(periods[-1], grain)
    locale = opts.locale

    def cell(code: str, region: Region, start: date, row_index: int) -> Any:
        number = value(code, region.code, start)
        decimals = catalogue.indicator(code).decimals
        # A few cells arrive as text: typed by hand or pasted from another system.
        if locale == "id" and (row_index % 3 == 0 or (decimals == 0 and number >= 1000)):
            return value_label(number, decimals, "id")
        return number

    def region_cell(region: Region) -> str:
        if region.kind == "province":
            return "Jumlah"
        return region_label(region, opts.region_system, source.id)

    if opts.layout == "wide_period":
        header = [cols.region or "Wilayah"]
        if cols.indicator:
            header.append(cols.indicator)
        header += [period_text(p, grain) for p in periods]
        rows = []
        for indicator in indicators:
            code = _their_code(opts, indicator.code)
            for i, region in enumerate([*regions, catalogue.province] if cols.region else regions):
                row: list[Any] = [region_cell(region)]
                if cols.indicator:
                    row.append(code)
                row += [cell(indicator.code, region, p, i) for p in periods]
                rows.append(row)
        return header, rows, reported
    header = [h for h in (cols.region, cols.indicator, cols.period, cols.year, cols.value) if h]
    rows = []
    for indicator in indicators:
        code = _their_code(opts, indicator.code)
        for start in periods:
            listed = [*regions, catalogue.province] if cols.region else regions
            for i, region in enumerate(listed):
                row = []
                if cols.region:
                    row.append(region_cell(region))
                if cols.indicator:
                    row.append(code)
                if cols.year:
                    row += [MONTHS[start.month - 1], start.year]
                else:
                    row.append(period_text(start, grain))
                row.append(cell(indicator.code, region, start, i))
                rows.append(row)
    return header, rows, reported


def _their_code(opts: Any, code: str) -> str:
    return next((k for k, v in opts.indicator_map.items() if v == code), code)


def skpd_name(catalogue: Catalogue, source: Source) -> str:
    return next((k.name for k in catalogue.skpd if k.id == source.skpd), source.skpd)


def workbook(
    catalogue: Catalogue, source: Source, value: Value, today: date, history_months: int | None = 12
) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    header, rows, reported = table(catalogue, source, value, today, history_months)
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Rekap"
    sheet.append([f"REKAPITULASI {source.name.split(' - ', 1)[-1].upper()}"])
    sheet.append([skpd_name(catalogue, source).upper()])
    sheet.append([f"Keadaan s.d. {reported}"])
    for line in (1, 2, 3):
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=len(header))
        sheet.cell(line, 1).font = Font(bold=True)
        sheet.cell(line, 1).alignment = Alignment(horizontal="center")
    sheet.append([])
    sheet.append(header)
    sheet.append([f"({i})" for i in range(1, len(header) + 1)])
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append([f"Sumber: {skpd_name(catalogue, source)}"])
    sheet.append(["*) angka sementara"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(
    catalogue: Catalogue, source: Source, value: Value, today: date, history_months: int | None = 12
) -> bytes:
    opts = catalogue.source_options[source.id]
    header, rows, _ = table(catalogue, source, value, today, history_months)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=opts.delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(c, opts.locale) for c in row])
    text = out.getvalue()
    return text.encode("cp1252" if opts.encoding == "cp1252" else "utf-8")


def _csv_cell(cell: Any, locale: str) -> Any:
    if isinstance(cell, float) and locale == "id":
        return value_label(cell, 4, "id").rstrip("0").rstrip(",")
    return cell


def file_for(
    catalogue: Catalogue, source: Source, value: Value, today: date, history_months: int | None = 12
) -> tuple[bytes, str, str]:
    """(content, content type, extension) of a file source's file."""
    if source.kind == "excel":
        return (
            workbook(catalogue, source, value, today, history_months),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    return csv_file(catalogue, source, value, today, history_months), "text/csv", "csv"
