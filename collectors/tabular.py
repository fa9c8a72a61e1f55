"""CSV and Excel (xlsx) files from SKPDs, as officers really make them.

Above the header: title rows, merged cells, blank rows — skipped; the header row is
given (``header_row: 4``) or found (``auto``: the first row holding every declared
column). Below it: blank rows, a column-number row "(1) (2) (3)", repeated headers and
footnotes ("Sumber: …", "Catatan: …") are skipped, never rejected; every other row is
mapped by ``collectors.records`` (total rows → the province, missing markers → rejected
as missing, never 0). Row numbers are the ones the officer sees in the sheet.

The file comes from a local ``path`` or an HTTP ``url`` (fetch); an upload-only source
declares neither and reaches ``parse`` through the upload page or ``odsk ingest``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

from pydantic import Field, model_validator

from collectors import http, limits
from collectors.base import Candidate, ParseError, ParseResult, Payload, PermanentFetchError, Reason, SourceContext
from collectors.records import RecordMapper, TableMapping, header_key, paused_gc

HEADER_SEARCH_ROWS = 50
_FOOTNOTE = re.compile(r"^\s*(?:sumber|catatan|keterangan|ket|note|notes|source)\s*[:.]|^\s*\*+\s*\)?", re.I)
_COLUMN_NUMBER = re.compile(r"^\(\d{1,3}\)$")

Row = tuple[int, list[Any]]  # (row number as the officer sees it, cells)


class TableOptions(TableMapping):
    path: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://")
    # Secrets for the URL come from environment variables named here, never from YAML.
    header_env: dict[str, str] = {}
    # 1-based row number of the header, or "auto": the first row holding every declared column.
    header_row: int | Literal["auto"] = "auto"

    @model_validator(mode="after")
    def _one_place(self) -> "TableOptions":
        if self.path and self.url:
            raise ValueError("give path or url, not both")
        if isinstance(self.header_row, int) and self.header_row < 1:
            raise ValueError("header_row counts from 1")
        return self


class CsvOptions(TableOptions):
    delimiter: Literal[",", ";", "\t", "|"] = ","
    # utf-8 also accepts a byte-order mark; cp1252 is what Excel on Windows writes.
    encoding: Literal["utf-8", "utf-8-sig", "cp1252"] = "utf-8"


class ExcelOptions(TableOptions):
    # The sheet's name; left out, the first sheet.
    sheet: str | None = None


# --- fetch --------------------------------------------------------------------


def fetch_file(opts: TableOptions, ctx: SourceContext, content_type: str) -> Payload:
    if opts.url:
        return http.get(opts.url, headers=http.headers_from_env(opts.header_env),
                        timeout=ctx.source.timeout_seconds, max_bytes=opts.limits.max_bytes)
    if not opts.path:
        raise PermanentFetchError("this source takes uploads only: it has no path or url",
                                  "sumber ini hanya menerima unggahan: tidak ada path atau url", error_class="config")
    path = Path(opts.path)
    try:
        size = path.stat().st_size
        if size > opts.limits.max_bytes:
            raise PermanentFetchError(f"{path} is {size} bytes, more than {opts.limits.max_bytes}",
                                      f"{path} berukuran {size} bita, melebihi {opts.limits.max_bytes}",
                                      error_class="too_large")
        content = path.read_bytes()
    except FileNotFoundError:
        raise PermanentFetchError(f"file not found: {path}", f"berkas tidak ditemukan: {path}",
                                  error_class="not_found") from None
    except OSError as exc:
        raise PermanentFetchError(f"cannot read {path}: {exc}", f"tidak dapat membaca {path}: {exc}",
                                  error_class="file") from None
    return Payload(content, content_type, {"path": str(path), "filename": path.name})


# --- rows to candidates ---------------------------------------------------------


def parse_rows(rows: Iterable[Row], opts: TableOptions, ctx: SourceContext, *, strict_width: bool = False) -> ParseResult:
    rows = iter(rows)
    wanted = max(HEADER_SEARCH_ROWS, opts.header_row if isinstance(opts.header_row, int) else 0)
    head = list(itertools.islice(rows, wanted))
    limits.check_rows(len(head), opts.limits)
    header_at = _header_index(head, opts)
    header_cells = head[header_at][1]
    _no_twice(header_cells, opts)
    headers = _header_names(header_cells)
    mapper = RecordMapper(opts, ctx, headers)
    body = itertools.chain(head[header_at + 1:], rows)
    overflowing: list[Candidate] = []
    with paused_gc():
        result = mapper.map(_data_rows(body, header_cells, len(head), opts.limits,
                                       overflowing if strict_width else None)).result(ctx.bookmark)
    if overflowing:
        result.rows = sorted(result.rows + overflowing, key=lambda c: c.row)
    return result


def _data_rows(body: Iterator[Row], header_cells: list[Any], already: int, lim: limits.Limits,
               overflowing: list[Candidate] | None) -> Iterator[Row]:
    """Rows below the header, padded to its width, without the rows that carry no data.

    With ``overflowing`` (CSV), a row with filled cells beyond the header is rejected:
    it almost always means a delimiter inside an unquoted value ("1,5" in a
    comma-separated file), and reading the first part would store a wrong number.
    """
    header_keys = [header_key(c) for c in header_cells if not _blank(c)]
    width, keys, first_letter = len(header_cells), len(header_keys), header_keys[0][:1]
    count = already
    for number, cells in body:
        count += 1
        if count > lim.max_rows:
            limits.check_rows(count, lim)
        # Shortcut for the usual data row: several cells filled (not a footnote) and a first
        # cell that is filled, not "(1)" and not the header's first word (not a repeated header).
        filled = len(cells) - cells.count("") - cells.count(None)
        first = cells[0] if cells else None
        usual = filled > 1 and first is not None and (
            first.__class__ is not str
            or (first[:1] not in ("(", " ", "\t", "") and (filled != keys or first[:1].casefold() != first_letter)))
        if not usual and _skipped(cells, header_keys):
            continue
        if len(cells) != width:
            if overflowing is not None and len(cells) > width and any(not _blank(c) for c in cells[width:]):
                overflowing.append(_overflow(number, cells, _header_names(header_cells)))
                continue
            cells = list(cells[:width]) + [None] * (width - len(cells))
        yield number, cells


def _overflow(number: int, cells: list[Any], headers: list[str]) -> Candidate:
    width, n = len(headers), max(i for i, c in enumerate(cells, start=1) if not _blank(c))
    raw = {(headers[i] if i < width else f"(kolom {i + 1})"): c for i, c in enumerate(cells[:n])}
    return Candidate(number, raw, reasons=[Reason(
        None, cells[width], f"baris berisi {n} sel, padahal judul kolom hanya {width}: ada pemisah kolom di dalam nilai?",
        f"the row has {n} cells but the header only {width}: a delimiter inside a value?")])


def _header_index(rows: list[Row], opts: TableOptions) -> int:
    if isinstance(opts.header_row, int):
        for i, (number, _) in enumerate(rows):
            if number == opts.header_row:
                return i
        raise ParseError(f"the file has no row {opts.header_row} (header_row)",
                         f"berkas tidak punya baris {opts.header_row} (header_row)", error_class="schema")
    wanted = {header_key(h) for h in opts.declared_headers()}
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        present = {header_key(c) for c in cells if not _blank(c)}
        if wanted <= present:
            return i
    names = ", ".join(f"'{h}'" for h in opts.declared_headers())
    raise ParseError(f"no header row holding {names} in the first {HEADER_SEARCH_ROWS} rows",
                     f"baris judul kolom berisi {names} tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama",
                     error_class="schema")


def _no_twice(header_cells: list[Any], opts: TableOptions) -> None:
    """A declared column written twice in the file: which one was meant cannot be known."""
    counts = Counter(header_key(_header_text(c)) for c in header_cells if not _blank(c))
    for name in opts.declared_headers():
        if counts[header_key(name)] > 1:
            raise ParseError(f"column '{name}' appears more than once", f"kolom '{name}' muncul lebih dari sekali",
                             error_class="schema")


def _header_names(cells: list[Any]) -> list[str]:
    """Header texts, made unique; an empty header becomes '(kolom N)'."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        name = f"(kolom {i})" if _blank(cell) else " ".join(str(_header_text(cell)).split())
        key = header_key(name)
        seen[key] = seen.get(key, 0) + 1
        # A repeated header keeps its text (so a declared one is reported as ambiguous).
        names.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return names


def _header_text(cell: Any) -> Any:
    # A header typed as a date in Excel ("Jan-2026") is a datetime: keep it ISO so it reads as a period.
    if hasattr(cell, "isoformat"):
        return cell.isoformat()[:10]
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def _blank(cell: Any) -> bool:
    return cell is None or (cell.__class__ is str and (not cell or cell.isspace()))


def _skipped(cells: list[Any], header_keys: list[str]) -> bool:
    # Cheap tests first, in C where possible: almost every row is plain data and leaves early.
    filled_count = len(cells) - cells.count("") - cells.count(None)
    if filled_count > 1 and filled_count != len(header_keys):
        return False
    first = next((c for c in cells if not _blank(c)), None)
    if first is None:
        return True
    if first.__class__ is not str:
        return False
    start = first.lstrip()[:1]
    if filled_count > 1 and start != "(" and start.casefold() != header_keys[0][:1]:
        return False
    filled = [c for c in cells if not _blank(c)]
    if len(filled) == 1:
        return bool(_FOOTNOTE.match(first))  # "Sumber: Dinas Kesehatan", "*) angka sementara"
    if start == "(" and all(c.__class__ is str and _COLUMN_NUMBER.match(c.strip()) for c in filled):
        return True  # the "(1) (2) (3)" row under a government table's header
    # The header repeated (a report printed over several pages).
    return len(filled) == len(header_keys) and [header_key(c) for c in filled] == header_keys

# --- CSV ----------------------------------------------------------------------


class CsvKind:
    name = "csv"
    options_model = CsvOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        return fetch_file(ctx.options, ctx, "text/csv")

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: CsvOptions = ctx.options
        limits.check_size(payload.content, opts.limits)
        return parse_rows(_csv_rows(_decode(payload.content, opts.encoding), opts.delimiter), opts, ctx,
                          strict_width=True)


def _decode(content: bytes, encoding: str) -> str:
    # A byte-order mark is unambiguous, so a file declared utf-8 may carry one.
    codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"the file is not {encoding} text (byte {exc.start}); save it as {encoding} or declare its encoding",
            f"berkas bukan teks {encoding} (bita ke-{exc.start}); simpan sebagai {encoding} atau nyatakan encoding-nya",
        ) from None


def _csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise ParseError(f"the CSV is malformed near line {reader.line_num}: {exc}",
                         f"CSV rusak di sekitar baris {reader.line_num}: {exc}") from None


# --- Excel --------------------------------------------------------------------


class ExcelKind:
    name = "excel"
    options_model = ExcelOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        return fetch_file(ctx.options, ctx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: ExcelOptions = ctx.options
        limits.check_xlsx(payload.content, opts.limits)
        rows = _read_sheet(payload.content, opts)
        return parse_rows(rows, opts, ctx)


def _read_sheet(content: bytes, opts: ExcelOptions) -> list[Row]:
    import openpyxl  # heavy; only Excel sources pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on a damaged workbook
        raise _unreadable_workbook(exc) from None
    try:
        if opts.sheet is None:
            sheet = workbook.worksheets[0]
        elif opts.sheet in workbook.sheetnames:
            sheet = workbook[opts.sheet]
        else:
            names = ", ".join(f"'{n}'" for n in workbook.sheetnames)
            raise ParseError(f"sheet '{opts.sheet}' is not in the workbook; its sheets are: {names}",
                             f"lembar '{opts.sheet}' tidak ada di berkas; lembar yang ada: {names}",
                             error_class="schema")
        if not hasattr(sheet, "iter_rows"):
            raise ParseError(f"sheet '{sheet.title}' is a chart, not a table",
                             f"lembar '{sheet.title}' berisi grafik, bukan tabel", error_class="schema")
        sheet.reset_dimensions()  # some writers record a wrong dimension: read what is there
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            limits.check_rows(number, opts.limits)
            rows.append((number, list(cells)))
        return rows
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails inside openpyxl's reader
        raise _unreadable_workbook(exc) from None
    finally:
        workbook.close()


def _unreadable_workbook(exc: Exception) -> ParseError:
    return ParseError(f"not a readable Excel workbook (.xlsx): {type(exc).__name__}: {exc}"[:500],
                      f"bukan berkas Excel (.xlsx) yang dapat dibaca: {type(exc).__name__}: {exc}"[:500])


CSV_KIND = CsvKind()
EXCEL_KIND = ExcelKind()
