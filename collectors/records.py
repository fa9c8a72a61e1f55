"""Turning table-shaped records (CSV/Excel rows, CKAN records, SQL rows) into Candidates.

One declared model for every tabular kind:

- ``layout: long`` — one value per record: ``columns.value``; the indicator from
  ``columns.indicator`` or the constant ``indicator``; the period from ``columns.period``
  (optionally with a separate ``columns.year``) or the constant ``period``.
- ``layout: wide_period`` — one column per period ("Januari 2026", "Triwulan I 2026"):
  ``period_columns`` names them, or, left out, every header that reads as a period.
  A period column empty on every row is a period not reported yet, not a row of errors.
- ``layout: wide_indicator`` — one column per indicator: ``indicator_columns`` maps
  header → indicator code.

Regions are written in ``region_system`` (kemendagri, bps or name); total rows
("Jumlah", "Total", "Sulawesi Utara") are the province, never a regency.

Rows with a problem become Candidates with every reason. Clean rows become Candidates
too, keeping their raw cells, unless the payload is big (more than ``FRAME_FROM``
clean values): then they go to ``ParseResult.frame``, typed columns that validate in a
few vectorised passes instead of a million Python objects.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from collectors.base import (
    Candidate,
    ParseError,
    ParseResult,
    Reason,
    SourceContext,
    period_bookmark,
)
from collectors.limits import Limits
from collectors.periods import period_for, read_period
from collectors.values import NumberReader, ValueProblem, is_missing

FRAME_FROM = 20_000

# A row naming one of these in its region cell is the province's total.
TOTAL_MARKERS = frozenset(
    {
        "jumlah",
        "total",
        "jumlah total",
        "total provinsi",
        "jumlah provinsi",
        "provinsi",
        "sulawesi utara",
        "provinsi sulawesi utara",
        "prov. sulawesi utara",
        "prov sulawesi utara",
        "sulut",
    }
)


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str
    indicator: str | None = None
    period: str | None = None
    # A separate year column, when the period column holds only "Januari" or "Triwulan I".
    year: str | None = None
    value: str | None = None


class TableMapping(BaseModel):
    """The mapping part of a tabular kind's options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: Columns
    layout: Literal["long", "wide_period", "wide_indicator"] = "long"
    # A source feeding one indicator names it here instead of in a column.
    indicator: str | None = None
    # The source's own indicator codes (or labels) mapped to the catalogue's.
    indicator_map: dict[str, str] = {}
    # wide_indicator: header -> indicator code.
    indicator_columns: dict[str, str] = {}
    # A file that covers one period only ("Maret 2026") may say so here.
    period: str | None = None
    # wide_period: the period headers; left out, every header that reads as a period.
    period_columns: list[str] | None = None
    region_system: Literal["kemendagri", "bps", "name"] = "name"
    locale: Literal["id", "en"] = "id"
    limits: Limits = Field(default_factory=Limits)

    @model_validator(mode="after")
    def _coherent(self) -> TableMapping:
        c = self.columns
        if c.year and not c.period:
            raise ValueError(
                "columns.year needs columns.period (the month or quarter within the year)"
            )
        if self.layout == "long":
            if not c.value:
                raise ValueError("layout 'long' needs columns.value")
            _one_of("indicator", c.indicator, self.indicator)
            _one_of("period", c.period, self.period)
        elif self.layout == "wide_period":
            _one_of("indicator", c.indicator, self.indicator)
            if c.value or c.period or self.period:
                raise ValueError(
                    "layout 'wide_period' takes its periods from the headers: "
                    "no columns.value, columns.period or period"
                )
        else:
            if not self.indicator_columns:
                raise ValueError(
                    "layout 'wide_indicator' needs indicator_columns (header: indicator code)"
                )
            if c.value or c.indicator or self.indicator:
                raise ValueError(
                    "layout 'wide_indicator' takes its indicators from indicator_columns: "
                    "no columns.value, columns.indicator or indicator"
                )
            _one_of("period", c.period, self.period)
        if self.period_columns is not None and self.layout != "wide_period":
            raise ValueError("period_columns only applies to layout 'wide_period'")
        return self

    @property
    def value_column(self) -> str:
        """Layout long's value column (``_coherent`` makes sure there is one)."""
        if not self.columns.value:
            raise ValueError("layout 'long' needs columns.value")
        return self.columns.value

    def declared_headers(self) -> list[str]:
        """Headers that must be present in the file."""
        names = [v for v in self.columns.model_dump().values() if v]
        names += list(self.indicator_columns)
        names += list(self.period_columns or [])
        return names


def _one_of(what: str, column: str | None, constant: str | None) -> None:
    if bool(column) == bool(constant):
        raise ValueError(f"give exactly one of columns.{what} or {what}")


@contextmanager
def paused_gc():
    """Mapping a big payload makes millions of small tuples that are never cyclic garbage;
    the cyclic collector would rescan them over and over (a million rows: 2x slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def header_key(name: Any) -> str:
    """How headers are compared: case, spacing and line breaks in a header cell do not matter."""
    return " ".join(str(name).replace("\u00a0", " ").split()).casefold()


# --- mapping ------------------------------------------------------------------

Row = tuple[int, list[Any]]  # (row number as the source's reader sees it, cells in header order)


class Block:
    """The clean rows the column-wise path typed (``RecordMapper.map_block``): their row
    numbers and values as arrays; their indicator codes, region codes, period starts and
    grains as positions in small arrays of the distinct ones (made whole only once, into
    the frame); the table's ``columns`` and these rows' positions in them, for raw cells."""

    def __init__(self, numbers, values, distinct: dict[str, tuple[Any, Any]], columns, positions):
        self.numbers, self.values, self.distinct = numbers, values, distinct
        self.columns, self.positions = columns, positions

    def __len__(self) -> int:
        return len(self.numbers)

    def value(self, name: str, i: int) -> Any:
        uniques, codes = self.distinct[name]
        return uniques[codes[i]]

    def into(self, name: str, out: Any) -> None:
        """Write the column into ``out`` (an object array of this block's length)."""
        import numpy as np

        uniques, codes = self.distinct[name]
        np.take(uniques, codes, out=out)

    def cells(self, i: int) -> list[Any]:
        position = int(self.positions[i])
        return [col[position] for col in self.columns]


class Mapped:
    """What a mapping produced: rejected (and small-payload clean) Candidates, or a frame."""

    def __init__(
        self,
        candidates: list[Candidate],
        clean: list[tuple],
        headers: list[str],
        block: Block | None = None,
    ):
        self.candidates = candidates
        self.clean = clean
        self.headers = headers
        self.block = block

    def latest_by_indicator(self) -> dict[str, date]:
        """Each indicator's latest period among the clean rows."""
        latest: dict[str, date] = {}
        for _, code, _, period, *_ in self.clean:
            if code not in latest or period > latest[code]:
                latest[code] = period
        block = self.block
        if block is not None and len(block):
            import numpy as np

            codes, code_of = block.distinct["indicator_code"]
            periods, period_of = block.distinct["period_start"]
            ordinals = np.array(
                [p.toordinal() if p is not None else 0 for p in periods], dtype=np.int64
            )[period_of]
            most = np.full(len(codes), np.iinfo(np.int64).min, dtype=np.int64)
            np.maximum.at(most, code_of, ordinals)
            for code, ordinal in zip(codes, most.tolist()):
                if ordinal > 0:
                    day = date.fromordinal(ordinal)
                    if code not in latest or day > latest[code]:
                        latest[code] = day
        return latest

    def result(self, bookmark_default: str | None) -> ParseResult:
        block = self.block
        bookmark = period_bookmark(self.latest_by_indicator(), bookmark_default)
        if block is not None:
            # Two sources of rows (row by row, column-wise): back into the order of the rows.
            self.candidates.sort(key=lambda c: c.row)
        if len(self.clean) + (len(block) if block is not None else 0) <= FRAME_FROM:
            rows = [
                Candidate(n, dict(zip(self.headers, cells)), ind, reg, per, grain, val)
                for n, ind, reg, per, grain, val, cells in self.clean
            ]
            if block is not None:
                rows += [
                    Candidate(
                        int(block.numbers[i]),
                        dict(zip(self.headers, block.cells(i))),
                        block.value("indicator_code", i),
                        block.value("region_code", i),
                        block.value("period_start", i),
                        block.value("grain", i),
                        float(block.values[i]),
                    )
                    for i in range(len(block))
                ]
            rows += self.candidates
            rows.sort(key=lambda c: c.row)
            return ParseResult(rows=rows, bookmark=bookmark)
        import numpy as np
        import pandas as pd  # only big payloads pay for the import

        names = ("indicator_code", "region_code", "period_start", "grain")
        clean, self.clean = self.clean, []
        k, total = len(clean), len(clean) + (len(block) if block is not None else 0)
        numbers = np.empty(total, dtype=np.int64)
        values = np.empty(total, dtype=np.float64)
        objects = {name: np.empty(total, dtype=object) for name in names}
        if clean:
            columns = list(zip(*clean))
            numbers[:k], values[:k] = columns[0], columns[5]
            for name, column in zip(names, columns[1:5]):
                objects[name][:k] = column
        if block is not None:
            numbers[k:], values[k:] = block.numbers, block.values
            for name in names:
                block.into(name, objects[name][k:])
            if (k and not (np.diff(numbers[:k]) > 0).all()) or (
                k and len(block) and numbers[k - 1] > numbers[k]
            ):
                order = np.argsort(numbers, kind="stable")
                numbers, values = numbers[order], values[order]
                objects = {name: column[order] for name, column in objects.items()}
        frame = pd.DataFrame(
            {
                "row": pd.Series(numbers, dtype="int64"),
                **{name: pd.Series(objects[name], dtype=object) for name in names},
                "value": pd.Series(values, dtype="float64"),
            }
        )
        return ParseResult(rows=self.candidates, frame=frame, bookmark=bookmark)


def _objects(values) -> Any:
    import numpy as np

    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def factorize(values: list[Any]) -> tuple[Any, list[Any]]:
    """(code of each value, the distinct values in order of first appearance): values a
    dict takes for the same key — as the memos do — share a code. Runs in C (a dict of
    the distinct values, then one lookup per value), without pandas' missing-value scans."""
    import numpy as np

    distinct = list(dict.fromkeys(values))
    number = {value: i for i, value in enumerate(distinct)}
    codes = np.fromiter(map(number.__getitem__, values), dtype=np.intp, count=len(values))
    return codes, distinct


class RecordMapper:
    """Maps the rows of one payload (cells in ``headers`` order) to typed values or reasons."""

    def __init__(self, mapping: TableMapping, ctx: SourceContext, headers: Iterable[Any]):
        self.m = mapping
        self.ctx = ctx
        self.numbers = NumberReader(mapping.locale)
        self.headers = [str(h) for h in headers]
        positions: dict[str, int] = {}
        duplicates = set()
        for i, h in enumerate(self.headers):
            key = header_key(h)
            if key in positions:
                duplicates.add(key)
            positions.setdefault(key, i)
        self.at = {
            name: self._find(name, positions, duplicates) for name in mapping.declared_headers()
        }
        # Per-payload memo: a file names the same few regions, periods and indicators on every row.
        self._regions: dict[Any, tuple[str | None, Reason | None]] = {}
        self._indicators: dict[Any, tuple[str | None, str | None, Reason | None]] = {}
        self._periods: dict[tuple, tuple[date | None, ValueProblem | None]] = {}
        self._province = ctx.regions.province.code

    def _find(self, name: str, positions: dict[str, int], duplicates: set[str]) -> int:
        key = header_key(name)
        if key in duplicates:
            raise ParseError(
                f"column '{name}' appears more than once",
                f"kolom '{name}' muncul lebih dari sekali",
                error_class="schema",
            )
        if key not in positions:
            shown = ", ".join(f"'{h}'" for h in self.headers[:30])
            raise ParseError(
                f"column '{name}' is missing; the columns are: {shown}",
                f"kolom '{name}' tidak ada; kolom yang ada: {shown}",
                error_class="schema",
            )
        return positions[key]

    def cells_of(self, record: dict[str, Any]) -> list[Any]:
        """A dict record (CKAN, SQL) as cells in header order."""
        return [record.get(h) for h in self.headers]

    def map(self, rows: Iterable[Row]) -> Mapped:
        m, c = self.m, self.m.columns
        self.candidates: list[Candidate] = []
        self.clean: list[tuple] = []
        region_i = self.at[c.region]
        year_i = self.at[c.year] if c.year else None
        if m.layout == "wide_period":
            rows = list(rows)
            ind_i = self.at[c.indicator] if c.indicator else None
            for header_i in self._period_columns(rows):
                header = self.headers[header_i]
                for number, cells in rows:
                    self._one(
                        number,
                        cells,
                        region_i,
                        year_i,
                        (c.indicator, cells[ind_i] if ind_i is not None else m.indicator),
                        (header, header),
                        (header, cells[header_i]),
                    )
            return self._mapped()
        per_i = self.at[c.period] if c.period else None
        if m.layout == "long":
            self._map_long(rows, region_i, year_i, per_i)
            return self._mapped()
        targets = [(header, code, self.at[header]) for header, code in m.indicator_columns.items()]
        for number, cells in rows:
            period = (c.period, cells[per_i] if per_i is not None else m.period)
            for header, code, value_i in targets:
                self._one(
                    number, cells, region_i, year_i, (None, code), period, (header, cells[value_i])
                )
        return self._mapped()

    def _mapped(self) -> Mapped:
        # Hand the rows over and let go of them: nothing here should keep a million rows alive.
        mapped = Mapped(self.candidates, self.clean, self.headers)
        del self.candidates, self.clean
        return mapped

    def _map_long(
        self, rows: Iterable[Row], region_i: int, year_i: int | None, per_i: int | None
    ) -> None:
        """One value per row. The loop takes a shortcut for a row whose indicator, region and
        period are already known good and whose value is a plain number; anything else goes
        through ``_one``, which is the rule (and fills the memos the shortcut reads)."""
        m, c = self.m, self.m.columns
        ind_i = self.at[c.indicator] if c.indicator else None
        value_column = m.value_column
        val_i = self.at[value_column]
        indicators, regions, periods = self._indicators, self._regions, self._periods
        plain, clean = self.numbers.plain, self.clean
        for number, cells in rows:
            ind_raw = cells[ind_i] if ind_i is not None else m.indicator
            per_raw = cells[per_i] if per_i is not None else m.period
            year = cells[year_i] if year_i is not None else None
            value = cells[val_i]
            try:
                code, grain, bad = indicators[ind_raw]
                region, bad_region = regions[cells[region_i]]
                start, bad_period = periods[(per_raw, year, grain)]
            except (KeyError, TypeError):
                code = None
            if code is not None and not (bad or bad_region or bad_period or region is None):
                if value.__class__ is str and (match := plain(value)):
                    number_value = float(f"{match[1]}.{match[2]}") if match[2] else float(match[1])
                    clean.append((number, code, region, start, grain, number_value, cells))
                    continue
                if value.__class__ is float and math.isfinite(value):
                    clean.append((number, code, region, start, grain, value, cells))
                    continue
            self._one(
                number,
                cells,
                region_i,
                year_i,
                (c.indicator, ind_raw),
                (c.period, per_raw),
                (value_column, value),
            )

    def map_block(self, numbers: Any, columns: list[list[Any]], rows: Iterable[Row]) -> Mapped:
        """Layout ``long`` over a big table given column-wise: ``numbers`` (the row numbers)
        and ``columns`` (one list per header, the full-width data rows), plus ``rows`` —
        every other row, mapped one at a time by ``_map_long``.

        Indicator, region and period are resolved once per distinct value (a file names a
        few of each on every row) and values once per distinct text, through the same
        memos and readers as the row-by-row path. A row that is not clean on every count
        goes through ``_one`` itself, so its reasons are the rule's own."""
        import numpy as np
        import pandas as pd

        m, c = self.m, self.m.columns
        if m.layout != "long":
            raise ValueError("map_block reads layout 'long' only")
        self.candidates = []
        self.clean = []
        region_i = self.at[c.region]
        year_i = self.at[c.year] if c.year else None
        per_i = self.at[c.period] if c.period else None
        ind_i = self.at[c.indicator] if c.indicator else None
        value_column = m.value_column
        val_i = self.at[value_column]
        self._map_long(rows, region_i, year_i, per_i)
        n = len(numbers)
        if n == 0:
            return self._mapped()

        def distinct(i: int | None, constant: Any) -> tuple[Any, list[Any]]:
            if i is None:
                return np.zeros(n, dtype=np.intp), [constant]
            return factorize(columns[i])

        ind_codes, ind_values = distinct(ind_i, m.indicator)
        found = [self._indicator(c.indicator, v) for v in ind_values]
        ind_ok = np.array(
            [code is not None and reason is None for code, _, reason in found], dtype=bool
        )
        ind_code = _objects([code for code, _, _ in found])
        grains = list(dict.fromkeys(grain for _, grain, _ in found))
        grain_code = np.array([grains.index(grain) for _, grain, _ in found], dtype=np.int64)

        reg_codes, reg_values = distinct(region_i, None)
        region_column = self.headers[region_i]
        known = [self._known_region(v, region_column) for v in reg_values]
        reg_ok = np.array([code is not None for code in known], dtype=bool)
        reg_code = _objects(known)

        per_codes, per_values = distinct(per_i, m.period)
        year_codes, year_values = distinct(year_i, None)
        span_g, span_y = len(grains), len(year_values)
        key = (per_codes.astype(np.int64) * span_y + year_codes) * span_g + grain_code[ind_codes]
        key_codes, key_values = pd.factorize(key)
        starts: list[date | None] = []
        good: list[bool] = []
        for k in key_values.tolist():
            rest, g = divmod(k, span_g)
            p, y = divmod(rest, span_y)
            start, problem = self._period(per_values[p], year_values[y], grains[g])
            starts.append(start)
            good.append(start is not None and problem is None)
        per_start, per_ok = _objects(starts), np.array(good, dtype=bool)

        val_codes, val_values = factorize(columns[val_i])
        val_number, val_ok = self.numbers.read_many(val_values)

        ok = ind_ok[ind_codes] & reg_ok[reg_codes] & per_ok[key_codes] & val_ok[val_codes]
        for i in np.flatnonzero(~ok).tolist():
            cells = [col[i] for col in columns]
            self._one(
                int(numbers[i]),
                cells,
                region_i,
                year_i,
                (c.indicator, cells[ind_i] if ind_i is not None else m.indicator),
                (c.period, cells[per_i] if per_i is not None else m.period),
                (value_column, cells[val_i]),
            )
        at = np.flatnonzero(ok)
        ind_at = ind_codes[at]
        block = Block(
            numbers[at],
            val_number[val_codes[at]],
            {
                "indicator_code": (ind_code, ind_at),
                "region_code": (reg_code, reg_codes[at]),
                "period_start": (per_start, key_codes[at]),
                "grain": (_objects(grains), grain_code[ind_at]),
            },
            columns,
            at,
        )
        mapped = Mapped(self.candidates, self.clean, self.headers, block)
        del self.candidates, self.clean
        return mapped

    def _period_columns(self, rows: list[Row]) -> list[int]:
        if self.m.period_columns is not None:
            columns = [self.at[h] for h in self.m.period_columns]
        else:
            taken = {self.at[v] for v in self.m.columns.model_dump().values() if v}
            columns = [
                i
                for i, h in enumerate(self.headers)
                if i not in taken and _reads_as_period(h, self.m.locale)
            ]
            if not columns:
                raise ParseError(
                    "no column header reads as a period (e.g. 'Januari 2026')",
                    "tidak ada judul kolom yang berupa periode (mis. 'Januari 2026')",
                    error_class="schema",
                )
        # A period nobody has filled in yet is not reported, rather than one error per region.
        return [i for i in columns if any(not is_missing(cells[i]) for _, cells in rows)]

    def _one(
        self,
        number: int,
        cells: list[Any],
        region_i: int,
        year_i: int | None,
        indicator: tuple[str | None, Any],
        period: tuple[str | None, Any],
        value: tuple[str, Any],
    ) -> None:
        reasons: list[Reason] = []
        code, grain, reason = self._indicator(*indicator)
        if reason:
            reasons.append(reason)
        region, reason = self._region(cells[region_i], self.headers[region_i], cells)
        if reason:
            reasons.append(reason)
        year = cells[year_i] if year_i is not None else None
        start, problem = self._period(period[1], year, grain)
        if problem:
            reasons.append(problem.reason(period[0] or "period", _shown(period[1], year)))
        value_col, raw_value = value
        try:
            number_value = self.numbers.read(raw_value)
        except ValueProblem as p:
            number_value = None
            reasons.append(p.reason(value_col, raw_value))
        if reasons:
            self.candidates.append(
                Candidate(
                    number,
                    dict(zip(self.headers, cells)),
                    code,
                    region,
                    start,
                    grain,
                    number_value,
                    reasons,
                )
            )
        else:
            self.clean.append((number, code, region, start, grain, number_value, cells))

    def _indicator(
        self, column: str | None, raw: Any
    ) -> tuple[str | None, str | None, Reason | None]:
        key = _hashable(raw)
        found = self._indicators.get(key)
        if found is None:
            found = self._indicators[key] = self._resolve_indicator(column, raw)
        return found

    def _resolve_indicator(
        self, column: str | None, raw: Any
    ) -> tuple[str | None, str | None, Reason | None]:
        where = column or "indicator"
        if is_missing(raw):
            return None, None, Reason(where, raw, "indikator kosong", "indicator is missing")
        code = str(raw).strip()
        code = self.m.indicator_map.get(code, code)
        indicator = self.ctx.catalogue.indicators_by_code.get(code)
        if indicator is None:
            return (
                None,
                None,
                Reason(
                    where,
                    raw,
                    f"indikator '{code}' tidak dikenal",
                    f"indicator '{code}' is unknown",
                ),
            )
        return (
            indicator.code,
            indicator.grain,
            None,
        )  # whether this source may feed it is validation's rule

    def _period(
        self, raw: Any, year: Any, grain: str | None
    ) -> tuple[date | None, ValueProblem | None]:
        key = (_hashable(raw), _hashable(year), grain)
        found = self._periods.get(key)
        if found is None:
            try:
                if grain is None:
                    read_period(raw, year=year, locale=self.m.locale)  # still report a bad period
                    found = (None, None)
                else:
                    found = (period_for(raw, grain, year=year, locale=self.m.locale), None)
            except ValueProblem as problem:
                found = (None, problem)
            self._periods[key] = found
        return found

    def _region(self, raw: Any, column: str, cells: list[Any]) -> tuple[str | None, Reason | None]:
        key = _hashable(raw)
        found = self._regions.get(key)
        if found is None:
            found = self._regions[key] = self._resolve_region(raw, column)
        # "Jumlah" often sits in the name column while the code column stays empty.
        if (
            found[0] is None
            and is_missing(raw)
            and any(isinstance(v, str) and header_key(v) in TOTAL_MARKERS for v in cells)
        ):
            return self._province, None
        return found

    def _known_region(self, raw: Any, column: str) -> str | None:
        """The region a cell names when it names one by itself; None when ``_region``
        would reject it or would need the rest of the row (a total row)."""
        key = _hashable(raw)
        found = self._regions.get(key)
        if found is None:
            found = self._regions[key] = self._resolve_region(raw, column)
        return found[0] if found[1] is None else None

    def _resolve_region(self, raw: Any, column: str) -> tuple[str | None, Reason | None]:
        if is_missing(raw):
            return None, Reason(column, raw, "wilayah kosong", "region is missing")
        text = _code_text(raw)
        if header_key(text) in TOTAL_MARKERS:
            return self._province, None
        code = self.ctx.regions.resolve(text, self.m.region_system)
        if code is None:
            return None, Reason(
                column, raw, f"wilayah '{raw}' tidak dikenal", f"region '{raw}' is unknown"
            )
        return code, None


def _hashable(raw: Any) -> Any:
    # Memo keys: a JSON list or object in a cell is looked up by its text.
    return raw if isinstance(raw, (str, int, float, date, type(None))) else repr(raw)


def _code_text(raw: Any) -> str:
    # Excel turns "7171" into 7171 and "71.10" into 71.1: give back the written code.
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else f"{raw:.2f}"
    return str(raw).strip()


def _shown(value: Any, year: Any) -> Any:
    return f"{value} {year}" if year is not None else value


def _reads_as_period(header: Any, locale: str) -> bool:
    try:
        read_period(header, locale=locale)
    except ValueProblem:
        return False
    return True
