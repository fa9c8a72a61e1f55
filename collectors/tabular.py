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
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from collectors import http, limits
from collectors.base import (
    Candidate,
    ParseError,
    ParseResult,
    Payload,
    PermanentFetchError,
    Reason,
    SourceContext,
)
from collectors.records import (
    RecordMapper,
    TableMapping,
    header_key,
    paused_gc,
)
from collectors.records import (
    factorize as _factorize,
)

HEADER_SEARCH_ROWS = 50
# From this many rows below the header, a long CSV table is read column by column
# (``_block``) instead of one Python row at a time. Both paths give the same result.
VECTOR_FROM = 20_000
_FOOTNOTE = re.compile(
    r"^\s*(?:sumber|catatan|keterangan|ket|note|notes|source)\s*[:.]|^\s*\*+\s*\)?", re.I
)
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
    def _one_place(self) -> TableOptions:
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
        return http.get(
            opts.url,
            headers=http.headers_from_env(opts.header_env, ctx),
            timeout=ctx.source.timeout_seconds,
            max_bytes=opts.limits.max_bytes,
        )
    if not opts.path:
        raise PermanentFetchError(
            "this source takes uploads only: it has no path or url",
            "sumber ini hanya menerima unggahan: tidak ada path atau url",
            error_class="config",
        )
    path = Path(opts.path)
    try:
        size = path.stat().st_size
        if size > opts.limits.max_bytes:
            raise PermanentFetchError(
                f"{path} is {size} bytes, more than {opts.limits.max_bytes}",
                f"{path} berukuran {size} bita, melebihi {opts.limits.max_bytes}",
                error_class="too_large",
            )
        content = path.read_bytes()
    except FileNotFoundError:
        raise PermanentFetchError(
            f"file not found: {path}", f"berkas tidak ditemukan: {path}", error_class="not_found"
        ) from None
    except OSError as exc:
        raise PermanentFetchError(
            f"cannot read {path}: {exc}", f"tidak dapat membaca {path}: {exc}", error_class="file"
        ) from None
    return Payload(content, content_type, {"path": str(path), "filename": path.name})


# --- rows to candidates ---------------------------------------------------------


def parse_rows(
    rows: Iterable[Row],
    opts: TableOptions,
    ctx: SourceContext,
    *,
    strict_width: bool = False,
    plain: PlainCsv | None = None,
    delimiter: str | None = None,
) -> ParseResult:
    """Rows (number, cells) to a ParseResult. A CSV also passes ``plain`` (when ``PlainCsv``
    can split it; ``rows`` are then its rows) or ``delimiter`` (when it cannot), so a big
    long table can take the column-wise path; the result is the same either way."""
    rows = iter(rows)
    wanted = max(HEADER_SEARCH_ROWS, opts.header_row if isinstance(opts.header_row, int) else 0)
    head = list(itertools.islice(rows, wanted))
    limits.check_rows(len(head), opts.limits)
    header_at = _header_index(head, opts)
    header_cells = head[header_at][1]
    _no_twice(header_cells, opts)
    headers = _header_names(header_cells)
    mapper = RecordMapper(opts, ctx, headers)
    overflowing: list[Candidate] = []
    with paused_gc():
        block = None
        if opts.layout == "long" and (plain is not None or delimiter is not None):
            block, rows = _block(rows, head, header_at, header_cells, opts, plain)
        if block is not None:
            numbers, columns, others = block
            slow = _data_rows(
                iter(others), header_cells, 0, opts.limits, overflowing if strict_width else None
            )
            mapped = mapper.map_block(numbers, columns, slow)
        else:
            body = itertools.chain(head[header_at + 1 :], rows)
            data = _Counted(
                _data_rows(
                    body,
                    header_cells,
                    len(head),
                    opts.limits,
                    overflowing if strict_width else None,
                )
            )
            mapped = mapper.map(data)
            if data.count == 0 and not overflowing:
                header_number = head[header_at][0]
                raise ParseError(
                    f"the file has a header (row {header_number}) but no data rows",
                    f"berkas memiliki judul kolom (baris {header_number}) tetapi tidak ada baris data",
                    error_class="empty",
                )
        result = mapped.result(ctx.bookmark)
    if overflowing:
        result.rows = sorted(result.rows + overflowing, key=lambda c: c.row)
    return result


# --- big CSV tables, column by column ---------------------------------------------


def _block(
    rows: Iterator[Row],
    head: list[Row],
    header_at: int,
    header_cells: list[Any],
    opts: TableOptions,
    plain: PlainCsv | None,
) -> tuple[tuple | None, Iterator[Row]]:
    """The body of a big CSV as columns of its full-width data rows, plus every other row.

    Returns ``((numbers, columns, others), rows)``, or ``(None, rows)`` when the table is
    too small to be worth it (``rows`` then still yields what has not been read). The
    row limit is enforced here exactly where the row-by-row path would enforce it.
    ``numbers``: the row numbers of the rows in ``columns`` (a list of str per header
    cell); ``others``: (number, cells) of every other row below the header — short or
    long rows, and rows that might be titles, footnotes, column numbers or repeated
    headers — in order, for ``_data_rows`` and the row-by-row mapper to judge.
    """
    max_rows, width = opts.limits.max_rows, len(header_cells)
    if plain is not None:
        if len(plain) > max_rows:
            limits.check_rows(len(plain), opts.limits)
        if len(plain) - len(head) < VECTOR_FROM or len(plain) == len(head):
            return None, rows
        numbers, columns, others, no_empty = plain.block(len(head), width)
    else:
        rest_rows = list(itertools.islice(rows, max(0, max_rows - len(head)) + 1))
        if len(head) + len(rest_rows) > max_rows:
            limits.check_rows(len(head) + len(rest_rows), opts.limits)
        if len(rest_rows) < VECTOR_FROM:
            return None, iter(rest_rows)
        numbers, columns, others = _split_rows(rest_rows, width)
        no_empty = False
    keep = _plain_data(columns, header_cells, no_empty)
    if not keep.all():
        dropped = np.flatnonzero(~keep)
        others += [(int(numbers[i]), [col[i] for col in columns]) for i in dropped.tolist()]
        others.sort(key=itemgetter(0))
        kept = np.flatnonzero(keep)
        columns = [_take(col, kept) for col in columns]
        numbers = numbers[kept]
    # The rows read with the header come first: their numbers are all smaller.
    return (numbers, columns, head[header_at + 1 :] + others), iter(())


def _take(column: list[str], positions: np.ndarray) -> list[str]:
    at = positions.tolist()
    if len(at) > 1:
        return list(itemgetter(*at)(column))
    return [column[i] for i in at]


def _split_lines(rest: list[str], first_number: int, delimiter: str, width: int):
    """Lines holding exactly ``width`` cells, split into columns in one pass of C."""
    n = len(rest)
    counts = np.fromiter(map(str.count, rest, itertools.repeat(delimiter)), dtype=np.int64, count=n)
    filled = np.fromiter(map(bool, rest), dtype=bool, count=n)  # an empty line is no cells, not one
    full = (counts == width - 1) & filled
    if full.all():
        good = rest
        numbers = np.arange(first_number, first_number + n, dtype=np.int64)
        others: list[Row] = []
    else:
        at = np.flatnonzero(full)
        good = [rest[i] for i in at.tolist()]
        numbers = at + first_number
        others = [
            (first_number + i, rest[i].split(delimiter) if rest[i] else [])
            for i in np.flatnonzero(~full).tolist()
        ]
    flat = delimiter.join(good).split(delimiter) if good else []
    columns = [flat[j::width] for j in range(width)]
    return numbers, columns, others


def _split_rows(rest: list[Row], width: int):
    full = [r for r in rest if len(r[1]) == width]
    others = [r for r in rest if len(r[1]) != width] if len(full) != len(rest) else []
    numbers = np.fromiter((r[0] for r in full), dtype=np.int64, count=len(full))
    columns = (
        [list(col) for col in zip(*(r[1] for r in full))] if full else [[] for _ in range(width)]
    )
    return numbers, columns, others


def _per_cell(column: list[str], test) -> np.ndarray:
    return np.fromiter(map(test, column), dtype=bool, count=len(column))


def _plain_data(
    columns: list[list[str]], header_cells: list[Any], no_empty: bool = False
) -> np.ndarray:
    """Which full-width rows are surely data rows, decided exactly as ``_data_rows`` and
    ``_skipped`` would decide them (every cell is a str here: a CSV). A row not marked
    goes through those functions itself. ``no_empty``: the caller knows no cell is ""."""
    header_keys = [header_key(c) for c in header_cells if not _blank(c)]
    keys, first_letter = len(header_keys), header_keys[0][:1]
    n = len(columns[0])
    filled = np.full(n, len(columns), dtype=np.int64)
    for col in columns if not no_empty else ():
        filled -= _per_cell(col, operator.not_)
    first = columns[0]
    starts, start_values = _factorize(list(map(itemgetter(slice(None, 1)), first)))
    good_start = np.array([s not in ("(", " ", "\t", "") for s in start_values], dtype=bool)
    other_letter = np.array([s.casefold() != first_letter for s in start_values], dtype=bool)
    # _data_rows' shortcut for the usual data row.
    usual = (filled > 1) & good_start[starts] & ((filled != keys) | other_letter[starts])
    if usual.all():
        return usual
    # The rest would go to _skipped. It keeps a row whose first cell starts with a visible
    # character other than "(" and is not the header's first name, when at least two cells
    # are not blank: not a footnote, not column numbers, not the header repeated.
    unsure = np.flatnonzero(~usual)
    first_at, first_values = _factorize(_take(first, unsure))
    surely_data = np.array(
        [
            bool(v[:1]) and not v[:1].isspace() and v[:1] != "(" and header_key(v) != header_keys[0]
            for v in first_values
        ],
        dtype=bool,
    )[first_at]
    not_blank = filled[unsure]  # cells that are not "", less those that are only whitespace
    for col in columns:
        not_blank -= _per_cell(_take(col, unsure), str.isspace)
    keep = usual.copy()
    keep[unsure] = surely_data & (not_blank >= 2)
    return keep


def _data_rows(
    body: Iterator[Row],
    header_cells: list[Any],
    already: int,
    lim: limits.Limits,
    overflowing: list[Candidate] | None,
) -> Iterator[Row]:
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
        usual = (
            filled > 1
            and first is not None
            and (
                first.__class__ is not str
                or (
                    first[:1] not in ("(", " ", "\t", "")
                    and (filled != keys or first[:1].casefold() != first_letter)
                )
            )
        )
        if not usual and _skipped(cells, header_keys):
            continue
        if len(cells) != width:
            if (
                overflowing is not None
                and len(cells) > width
                and any(not _blank(c) for c in cells[width:])
            ):
                overflowing.append(_overflow(number, cells, _header_names(header_cells)))
                continue
            cells = list(cells[:width]) + [None] * (width - len(cells))
        yield number, cells


class _Counted:
    """Rows passed through, counted: a header with nothing below it is a finding, not an ok."""

    def __init__(self, rows: Iterator[Row]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row


def _overflow(number: int, cells: list[Any], headers: list[str]) -> Candidate:
    width, n = len(headers), max(i for i, c in enumerate(cells, start=1) if not _blank(c))
    raw = {(headers[i] if i < width else f"(kolom {i + 1})"): c for i, c in enumerate(cells[:n])}
    return Candidate(
        number,
        raw,
        reasons=[
            Reason(
                None,
                cells[width],
                f"baris berisi {n} sel, padahal judul kolom hanya {width}: ada pemisah kolom di dalam nilai?",
                f"the row has {n} cells but the header only {width}: a delimiter inside a value?",
            )
        ],
    )


def _header_index(rows: list[Row], opts: TableOptions) -> int:
    if isinstance(opts.header_row, int):
        for i, (number, _) in enumerate(rows):
            if number == opts.header_row:
                return i
        raise ParseError(
            f"the file has no row {opts.header_row} (header_row)",
            f"berkas tidak punya baris {opts.header_row} (header_row)",
            error_class="schema",
        )
    wanted = {header_key(h) for h in opts.declared_headers()}
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        present = {header_key(c) for c in cells if not _blank(c)}
        if wanted <= present:
            return i
    names = ", ".join(f"'{h}'" for h in opts.declared_headers())
    raise ParseError(
        f"no header row holding {names} in the first {HEADER_SEARCH_ROWS} rows",
        f"baris judul kolom berisi {names} tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama",
        error_class="schema",
    )


def _no_twice(header_cells: list[Any], opts: TableOptions) -> None:
    """A declared column written twice in the file: which one was meant cannot be known."""
    counts = Counter(header_key(_header_text(c)) for c in header_cells if not _blank(c))
    for name in opts.declared_headers():
        if counts[header_key(name)] > 1:
            raise ParseError(
                f"column '{name}' appears more than once",
                f"kolom '{name}' muncul lebih dari sekali",
                error_class="schema",
            )


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
        limits.check_not_empty(payload.content, "file", "berkas")
        text = _decode(payload.content, opts.encoding)
        plain = PlainCsv.of(text, opts.delimiter)
        rows = plain.rows() if plain is not None else _csv_rows(text, opts.delimiter)
        return parse_rows(rows, opts, ctx, strict_width=True, plain=plain, delimiter=opts.delimiter)


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


class PlainCsv:
    """A CSV that splitting on line ends and on the delimiter reads exactly as ``csv.reader``
    does: no quote character anywhere, no carriage return except in CRLF, no line long
    enough for a field to pass the csv module's field limit. Its lines are found once, as
    byte offsets (a delimiter and a line feed are one byte in UTF-8 and never part of
    another character), so a big body is split into columns without a string per line."""

    def __init__(
        self, text: str, delimiter: str, data: bytes, starts: np.ndarray, ends: np.ndarray
    ):
        self.text, self.delimiter, self.data, self.starts, self.ends = (
            text,
            delimiter,
            data,
            starts,
            ends,
        )

    @classmethod
    def of(cls, text: str, delimiter: str) -> PlainCsv | None:
        if '"' in text or text.count("\r") != text.count("\r\n"):
            return None
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        if data and not data.endswith(b"\n"):
            ends = np.append(ends, len(data))  # the last line, without its terminator
        starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64) if len(ends) else ends
        # UTF-8 bytes are at least as many as characters: a line this short holds no long field.
        if len(ends) and int((ends - starts).max()) > csv.field_size_limit():
            return None
        return cls(text, delimiter, data, starts, ends)

    def __len__(self) -> int:
        return len(self.ends)

    def rows(self) -> Iterator[Row]:
        text, delimiter, at = self.text, self.delimiter, 0
        for number in range(1, len(self) + 1):
            end = text.find("\n", at)
            line = text[at:] if end < 0 else text[at:end]
            yield (
                number,
                (line.split(delimiter) if line else []),
            )  # an empty line is no cells, not one
            at = end + 1

    def block(self, first: int, width: int) -> tuple[np.ndarray, list[list[str]], list[Row], bool]:
        """Lines from index ``first`` on: (numbers, columns, others, no_empty) as ``_block``
        takes them; ``no_empty``: no cell of ``columns`` is ""."""
        delimiter, count = self.delimiter, len(self) - first
        offset = int(self.starts[first])
        body = self.text[len(self.data[:offset].decode("utf-8")) :]
        starts, ends = self.starts[first:] - offset, self.ends[first:] - offset
        delimiters = np.flatnonzero(
            np.frombuffer(self.data, dtype=np.uint8, offset=offset) == ord(delimiter)
        )
        cells = np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts) + 1
        if not ((cells == width) & (ends > starts)).all():
            lines = body.split("\n")
            if body.endswith("\n"):
                lines.pop()
            return *_split_lines(lines, first + 1, delimiter, width), False
        # Every line holds exactly ``width`` cells: with line ends made delimiters too, one
        # split gives every cell, row after row. An empty cell would show as two delimiters
        # in a row, or one at either end.
        joined = (body[:-1] if body.endswith("\n") else body).replace("\n", delimiter)
        del body
        no_empty = (
            delimiter * 2 not in joined
            and not joined.startswith(delimiter)
            and not joined.endswith(delimiter)
        )
        flat = joined.split(delimiter)
        del joined
        columns = [flat[j::width] for j in range(width)]
        return np.arange(first + 1, first + 1 + count, dtype=np.int64), columns, [], no_empty


def _csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ParseError(
            f"the CSV is malformed near line {reader.line_num}: {exc}",
            f"CSV rusak di sekitar baris {reader.line_num}: {exc}",
        ) from None


# --- Excel --------------------------------------------------------------------


class ExcelKind:
    name = "excel"
    options_model = ExcelOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        return fetch_file(
            ctx.options, ctx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: ExcelOptions = ctx.options
        limits.check_not_empty(payload.content, "file", "berkas")
        limits.check_xlsx(payload.content, opts.limits)
        rows = _read_sheet(payload.content, opts)
        if not any(any(not _blank(c) for c in cells) for _, cells in rows[:HEADER_SEARCH_ROWS]):
            raise ParseError("the sheet is empty", "lembar kerja kosong", error_class="empty")
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
            raise ParseError(
                f"sheet '{opts.sheet}' is not in the workbook; its sheets are: {names}",
                f"lembar '{opts.sheet}' tidak ada di berkas; lembar yang ada: {names}",
                error_class="schema",
            )
        if not hasattr(sheet, "iter_rows"):
            raise ParseError(
                f"sheet '{sheet.title}' is a chart, not a table",
                f"lembar '{sheet.title}' berisi grafik, bukan tabel",
                error_class="schema",
            )
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
    return ParseError(
        f"not a readable Excel workbook (.xlsx): {type(exc).__name__}: {exc}"[:500],
        f"bukan berkas Excel (.xlsx) yang dapat dibaca: {type(exc).__name__}: {exc}"[:500],
    )


CSV_KIND = CsvKind()
EXCEL_KIND = ExcelKind()
