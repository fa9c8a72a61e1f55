"""The column-wise path for big CSV tables gives exactly what the row-by-row path gives.

Big long-layout CSV files are read column by column (``collectors.tabular._block`` and
``RecordMapper.map_block``); everything else, and every row the column-wise path is not
sure about, goes row by row. These tests force one path or the other on the same input
(``VECTOR_FROM``) and compare the whole result: every Candidate with its raw row and
reasons, the typed frame, the bookmark, or the same error. No timing here: the speed is
``make bench``'s business.
"""

from __future__ import annotations

import random
from datetime import UTC, date

import clock_kit
import pandas as pd
import pytest
from payloads import kit

from collectors import records, tabular
from collectors.base import CollectorError
from collectors.records import RecordMapper
from collectors.values import NumberReader, ValueProblem
from dashboard.validation import validate

HEADER = "Kode Wilayah;Kabupaten/Kota;Indikator;Periode;Nilai"


def parse(
    text: str | bytes,
    options: dict | None = None,
    *,
    columnwise: bool,
    frame_from: int | None = None,
    source: str = "dinkes-bor-csv",
):
    """Parse with the column-wise path forced on (or off); an error is returned, not raised."""
    opts = {"encoding": "utf-8", **(options or {})}
    saved = tabular.VECTOR_FROM, records.FRAME_FROM
    tabular.VECTOR_FROM = 0 if columnwise else 10**12
    if frame_from is not None:
        records.FRAME_FROM = frame_from
    try:
        return kit.parse(source, text, opts)
    except CollectorError as error:
        return (type(error).__name__, error.error_class, error.message_en, error.message_id)
    finally:
        tabular.VECTOR_FROM, records.FRAME_FROM = saved


def assert_same(text, options=None, **kw):
    """Both paths, with Candidates for clean rows and with a frame for them; returns the row-by-row result."""
    results = []
    for frame_from in (None, 0):
        by_row = parse(text, options, columnwise=False, frame_from=frame_from, **kw)
        by_column = parse(text, options, columnwise=True, frame_from=frame_from, **kw)
        if isinstance(by_row, tuple) or isinstance(by_column, tuple):
            assert by_column == by_row
            results.append(by_row)
            continue
        assert by_column.bookmark == by_row.bookmark
        assert (
            by_column.rows == by_row.rows
        )  # every Candidate: row, raw cells, typed values, reasons, in order
        assert (by_column.frame is None) == (by_row.frame is None)
        if by_row.frame is not None:
            pd.testing.assert_frame_equal(by_column.frame, by_row.frame)
            assert [type(v) for v in by_column.frame["period_start"]] == [
                type(v) for v in by_row.frame["period_start"]
            ]
        results.append(by_row)
    return results[0]


# --- the column-wise path really runs ---------------------------------------------------


def test_a_big_long_csv_is_mapped_column_wise(monkeypatch):
    def refuse(self, rows):
        raise AssertionError("the row-by-row mapper was used")

    monkeypatch.setattr(RecordMapper, "map", refuse)
    monkeypatch.setattr(tabular, "VECTOR_FROM", 0)
    text = (
        HEADER + "\n" + "71.71;Kota Manado;BOR;Maret 2026;70,5\n" * 60
    )  # beyond the header search
    rows = kit.parse("dinkes-bor-csv", text, {"encoding": "utf-8"}).rows
    assert len(rows) == 60 and (rows[-1].row, rows[-1].region, rows[-1].period_start) == (
        61,
        "71.71",
        date(2026, 3, 1),
    )


def test_a_small_csv_stays_row_by_row(monkeypatch):
    def refuse(self, *args):
        raise AssertionError("the column-wise mapper was used")

    monkeypatch.setattr(RecordMapper, "map_block", refuse)
    text = HEADER + "\n71.71;Kota Manado;BOR;Maret 2026;70,5\n"
    assert len(kit.parse("dinkes-bor-csv", text, {"encoding": "utf-8"}).rows) == 1


# --- what officers' files contain -------------------------------------------------------------


def test_the_recorded_windows_export():
    result = assert_same(kit.recorded("csv/bor_rs_cp1252.csv"), {"encoding": "cp1252"})
    assert len(kit.reasons(result)) == 5


TRICKY_ROWS = [
    "LAPORAN BOR;;;;",  # a title row below the header (one cell)
    "",  # a blank line: no cells at all
    ";;;;",  # empty cells only
    " ; ;\t; ; ",  # whitespace only
    "(1);(2);(3);(4);(5)",  # column numbers
    HEADER,  # the header repeated (a new printed page)
    "kode wilayah;KABUPATEN/KOTA;indikator;periode;nilai",  # repeated, another case
    "Sumber: SIRS Online;;;;",  # footnotes
    "*) angka sementara;;;;",
    "Catatan: angka sementara;;;;",
    "Keterangan: angka sementara; ; ; ; ",  # a footnote, its other cells only spaces
    "Kota Manado; ; ; ;\t",  # one real cell, starting like the header
    "Kode Wilayah; ; ;\t; ",
    "71.71;Kota Manado;BOR;Maret 2026;70,5",
    " 71.71;Kota Manado;BOR;Maret 2026;70,5",  # a leading space in the first cell
    "\t71.72;Kota Bitung;BOR;Maret 2026;71",
    "(71.72);Kota Bitung;BOR;Maret 2026;71",  # starts with "(" but is not a column-number row
    "71.71;Kota Manado;BOR;Maret 2026",  # short: padded, the value is missing
    "71.71;Kota Manado;BOR;Maret 2026;70,5;",  # long, nothing beyond the header: read
    "71.71;Kota Manado;BOR;Maret 2026;70;5",  # long, filled beyond the header: a delimiter inside a value
    "71.71",  # one cell
    "Kode;x;y;z;w",  # starts with the header's first letter
    "Kota Manado;Kota Manado;BOR;Maret 2026;70,5",  # "K…" like the header, region column holds a name
    "Kode Wilayah;;;;",  # the header's first name alone
    "Kode Wilayah;x;;;",
    ";Jumlah;BOR;Maret 2026;1.070,3",  # a total row with an empty code
    ";Kota Manado;BOR;Maret 2026;70",  # an empty code that is not a total
    "Jumlah;;BOR;Maret 2026;9",
    "Sulawesi Utara;Sulawesi Utara;BOR;Maret 2026;9",
    "71;Provinsi;BOR;Maret 2026;9",
    "7172;Kota Bitung;BOR;Jan 2026;64,9",  # BPS-like code without the dot
    "71.99;Atlantis;BOR;Maret 2026;55,0",  # unknown region
    "Sitaro;Sitaro;BOR;Maret 2026;55",  # a name in a code column
    "71.73;Kota Tomohon;BOR;Maret 2026;5.8",  # strict: not 58, not 5.8
    "71.73;Kota Tomohon;BOR;Maret 2026;1.234,5",
    "71.73;Kota Tomohon;BOR;Maret 2026;1.234.567",
    "71.73;Kota Tomohon;BOR;Maret 2026; 12,5 ",
    "71.73;Kota Tomohon;BOR;Maret 2026;+3",
    "71.73;Kota Tomohon;BOR;Maret 2026;-0",
    "71.73;Kota Tomohon;BOR;Maret 2026;\u0661\u0662,\u0665",  # Arabic-Indic digits
    "71.73;Kota Tomohon;BOR;Maret 2026;\u00a012,5",
    "71.73;Kota Tomohon;BOR;Maret 2026;12,5\u00a0",
    "71.73;Kota Tomohon;BOR;Maret 2026;1e3",
    "71.73;Kota Tomohon;BOR;Maret 2026;inf",
    "71.73;Kota Tomohon;BOR;Maret 2026;nan",
    "71.73;Kota Tomohon;BOR;Maret 2026;1_000",
    "71.73;Kota Tomohon;BOR;Maret 2026;,5",
    "71.73;Kota Tomohon;BOR;Maret 2026;5,",
    "71.73;Kota Tomohon;BOR;Maret 2026;12a",
    "71.73;Kota Tomohon;BOR;Maret 2026;-",
    "71.73;Kota Tomohon;BOR;Maret 2026;n.a.",
    "71.73;Kota Tomohon;BOR;Maret 2026;tidak ada",
    "71.73;Kota Tomohon;BOR;Maret 2026;…",
    "71.73;Kota Tomohon;BOR;Maret 2026;",
    "71.73;Kota Tomohon;BOR;Maret 2026;99999999999999999999999",
    "71.73;Kota Tomohon;BOR;Triwulan I 2026;60,1",  # a quarter on a monthly indicator
    "71.73;Kota Tomohon;BOR;Semester 1 2026;60,1",
    "71.73;Kota Tomohon;BOR;2026;60,1",  # a year is not January
    "71.73;Kota Tomohon;BOR;2026-03-17;60,1",  # a day, aligned to the month
    "71.73;Kota Tomohon;BOR;17/03/2026;60,1",
    "71.73;Kota Tomohon;BOR;31/02/2026;60,1",
    "71.73;Kota Tomohon;BOR;Maret 1899;60,1",
    "71.73;Kota Tomohon;BOR;Smarch 2026;60,1",
    "71.73;Kota Tomohon;BOR;;60,1",
    "71.73;Kota Tomohon;STUNTING;Maret 2026;18,75",  # mapped indicator code
    "71.73;Kota Tomohon;LIV.BOR;Maret 2026;18,75",  # the catalogue's own code
    "71.73;Kota Tomohon;XYZ;Maret 2026;18,75",  # unknown indicator
    "71.73;Kota Tomohon;;Maret 2026;18,75",  # missing indicator
    "71.73;Kota Tomohon;-;Maret 2026;18,75",
    ";;;;5",
    "71.99;Atlantis;XYZ;Smarch 2026;12a",  # everything wrong at once
    "71.71;Kota Manado;BOR;Maret 2026;70,5",  # the same key again, same value
    "71.71;Kota Manado;BOR;Maret 2026;70,6",  # and with another value
]


def tricky_table(seed: int, rows: int = 400) -> str:
    rng = random.Random(seed)
    lines = [
        "REKAPITULASI BOR;;;;",
        "PROVINSI SULAWESI UTARA;;;;",
        ";;;;",
        HEADER,
        "(1);(2);(3);(4);(5)",
    ]
    codes = [r.code for r in kit.catalogue().regions]
    for i in range(rows):
        if rng.random() < 0.3:
            lines.append(rng.choice(TRICKY_ROWS))
        else:
            year, month = divmod(i, 12)
            lines.append(
                f"{rng.choice(codes)};x;{rng.choice(['BOR', 'STUNTING'])};{month + 1:02d}/{2000 + year % 20};"
                f"{rng.randint(0, 99)},{rng.randint(0, 9)}"
            )
    lines += ["", "Sumber: SIRS Online;;;;", "Catatan: angka sementara;;;;"]
    return "\n".join(lines) + ("\n" if seed % 2 else "")


@pytest.mark.parametrize("seed", range(8))
def test_tricky_tables_read_the_same_both_ways(seed):
    result = assert_same(tricky_table(seed))
    assert result.rows and kit.reasons(result)


def test_every_tricky_row_alone_reads_the_same_both_ways():
    filler = "".join(
        f"71.71;Kota Manado;BOR;{month:02d}/20{year:02d};1\n"
        for year in range(10, 15)
        for month in range(1, 13)
    )  # below the header search: the tricky row is in the body
    for row in TRICKY_ROWS:
        assert_same(f"{HEADER}\n{filler}{row}\n71.71;Kota Manado;BOR;Januari 2026;1\n")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(newline):
    # CRLF is split as lines; a lone CR sends the file through the csv module: same rows either way.
    assert_same(tricky_table(3).replace("\n", newline))


def test_quoted_cells_go_through_the_csv_module_and_read_the_same():
    text = (
        HEADER
        + '\n71.71;"Kota; Manado";BOR;Maret 2026;"70,5"\n"71.72";"Kota\nBitung";BOR;Maret 2026;71\n'
        + "\n".join(tricky_table(5).splitlines()[5:])
    )
    result = assert_same(text)
    assert result.rows[0].raw["Kabupaten/Kota"] == "Kota; Manado"


def test_a_byte_order_mark_and_the_first_header():
    assert_same(("\ufeff" + tricky_table(1)).encode("utf-8"))
    assert_same(("\ufeff" + tricky_table(1)).encode("utf-8"), {"encoding": "utf-8-sig"})


def test_english_locale_and_commas():
    text = tricky_table(2).replace(";", ",")
    assert_same(text, {"delimiter": ",", "locale": "en"})
    assert_same(text.replace(",", "\t"), {"delimiter": "\t", "locale": "en"})


def test_a_header_found_further_down_or_declared():
    text = "\n".join(["judul;;;;"] * 60 + tricky_table(4).splitlines())
    assert_same(text, {"header_row": 64})
    assert_same(text)  # not in the first 50 rows: the same error both ways


def test_a_constant_indicator_and_period_with_a_year_column():
    lines = ["Kode;Bulan;Tahun;Nilai"]
    rng = random.Random(7)
    for _ in range(300):
        lines.append(
            ";".join(
                [
                    rng.choice(["71.71", "71.72", "7172", "x", "", "Jumlah"]),
                    rng.choice(["Januari", "3", "13", "Maret", "Triwulan I", "", "Mar"]),
                    rng.choice(["2026", "2025", "26", "", "tahun"]),
                    rng.choice(["1", "2,5", "x", "-", ""]),
                ]
            )
        )
    options = {
        "columns": {"region": "Kode", "period": "Bulan", "year": "Tahun", "value": "Nilai"},
        "indicator": "LIV.BOR",
        "indicator_map": {},
    }
    assert_same("\n".join(lines), options)
    options = {
        "columns": {"region": "Kode", "value": "Nilai"},
        "indicator": "LIV.BOR",
        "period": "Maret 2026",
        "indicator_map": {},
    }
    assert_same("\n".join(lines), options)


@pytest.mark.parametrize("first", ["Kode Wilayah", "Indikator"])
def test_a_clean_table_every_row_full(first):
    # Every line holds every cell: the body is split in one pass. With "Indikator" first,
    # every row starts like the header's first name ("I…"): each is checked as _skipped would.
    codes = [r.code for r in kit.catalogue().regions]
    names = [first] + [h for h in ["Kode Wilayah", "Indikator", "Periode", "Nilai"] if h != first]
    lines = [";".join(names)]
    for i in range(300):
        cells = {
            "Kode Wilayah": codes[i % 16],
            "Indikator": "BOR" if i % 7 else "Indikator",
            "Periode": f"{i % 12 + 1:02d}/20{10 + i // 192}",
            "Nilai": f"{i % 50},{i % 10}",
        }
        lines.append(";".join(cells[n] for n in names))
    lines.append(";".join(names))  # the header repeated on the last line
    result = assert_same("\n".join(lines) + "\n")
    assert len(result.rows) == 300


def test_region_names():
    lines = ["Wilayah;Indikator;Periode;Nilai"] + [
        f"{name};BOR;Maret 2026;{i}"
        for i, name in enumerate(
            [
                "Kota Manado",
                "KOTA MANADO",
                "Manado",
                "Minut",
                "Sitaro",
                "Sulut",
                "Jumlah",
                "Total",
                "Atlantis",
                "",
                "Kab. Minahasa Utara",
                " Manado ",
                "manado",
                "-",
            ]
            * 5
        )
    ]
    options = {
        "columns": {
            "region": "Wilayah",
            "indicator": "Indikator",
            "period": "Periode",
            "value": "Nilai",
        },
        "region_system": "name",
    }
    assert_same("\n".join(lines), options)


# --- limits and errors: the same error, at the same point --------------------------------


def test_too_many_rows():
    text = tricky_table(1, rows=200)
    result = assert_same(text, {"limits": {"max_rows": 150}})
    assert result[1] == "too_large"
    assert_same(text, {"limits": {"max_rows": 10**6}})


def test_too_many_rows_before_a_malformed_quote_and_after_it():
    good = tricky_table(6, rows=200).splitlines()
    broken = good[:100] + ['71.71;"Kota" Manado;BOR;Maret 2026;1'] + good[100:]  # row 101
    text = "\n".join(broken)
    assert (
        assert_same(text, {"limits": {"max_rows": 80}})[1] == "too_large"
    )  # the limit comes first
    assert (
        assert_same(text, {"limits": {"max_rows": 150}})[1] == "format"
    )  # the bad quote comes first
    assert (
        assert_same(text, {"limits": {"max_rows": 30}})[1] == "too_large"
    )  # within the header search


def test_a_cell_longer_than_the_csv_field_limit():
    text = tricky_table(6, rows=50) + "\n71.71;" + "x" * 140_000 + ";BOR;Maret 2026;1\n"
    assert assert_same(text)[1] == "format"


def test_a_header_named_twice():
    assert (
        assert_same("Kode Wilayah;Indikator;Periode;Nilai;Nilai\n71.71;BOR;Maret 2026;1;2\n")[1]
        == "schema"
    )


def test_no_rows_below_the_header():
    assert_same(HEADER + "\n")
    assert_same(HEADER)
    assert_same(HEADER + "\n\n\nSumber: x;;;;\n")


# --- numbers: many at once, exactly as one at a time -------------------------------------------


NUMBER_TEXTS = [
    "12",
    "12,5",
    "-3,25",
    "+7",
    " 12,5 ",
    "\t1\t",
    "0",
    "-0",
    "007",
    "1.234",
    "1.234,5",
    "1.234.567",
    "1,234.5",
    "12.5",
    "5.8",
    ",5",
    "5,",
    "1e3",
    "inf",
    "-inf",
    "nan",
    "1_000",
    "12a",
    "",
    " ",
    "-",
    "–",
    "n.a.",
    "N/A",
    "…",
    "tidak ada",
    "\u0661\u0662,\u0665",
    "\u00a012,5",
    "12,5\u00a0",
    "١٢",
    "99999999999999999999999",
    "1" * 400,
    "12,5\n",
    "\n12",
    "1 234",
    "1\u00a0234,5",
    "--1",
    "+-1",
]


@pytest.mark.parametrize("locale", ["id", "en"])
def test_read_many_agrees_with_read_on_every_value(locale):
    reader = NumberReader(locale)
    values = NUMBER_TEXTS + [None, 12, 12.5, float("nan"), float("inf"), True, 10**400]
    numbers, ok = reader.read_many(values)
    for value, number, good in zip(values, numbers.tolist(), ok.tolist()):
        try:
            expected = reader.read(value)
        except ValueProblem:
            assert not good, value
        else:
            assert good and number == expected, value


def test_read_many_agrees_with_read_on_random_decimals():
    rng = random.Random(11)
    reader = NumberReader("id")
    values = [
        f"{rng.choice(['', '-', '+'])}{rng.randint(0, 10 ** rng.randint(0, 18))},"
        f"{rng.randint(0, 10 ** rng.randint(0, 18))}"
        for _ in range(5000)
    ]
    numbers, ok = reader.read_many(values)
    assert ok.all()
    assert numbers.tolist() == [reader.read(v) for v in values]


# --- through validation -------------------------------------------------------------------------


def test_a_big_table_validates_the_same_both_ways():
    text = tricky_table(9, rows=600)
    ctx = kit.context("dinkes-bor-csv", {"encoding": "utf-8"})
    verdicts = []
    for columnwise in (False, True):
        result = parse(text, columnwise=columnwise, frame_from=0)
        verdict = validate(result, ctx.catalogue, ctx.source, date(2026, 6, 1))
        verdicts.append(verdict)
    pd.testing.assert_frame_equal(verdicts[0].accepted, verdicts[1].accepted)
    assert verdicts[0].rejected == verdicts[1].rejected
    reasons = {r.en for c in verdicts[0].rejected for r in c.reasons}
    assert any("the same key appears in rows" in r for r in reasons)


# --- validation's vectorised helpers are the pandas operations they replace ----------------------


def test_duplicate_keys_found_on_numbered_keys_as_pandas_finds_them():
    from dashboard.validation import KEY, _duplicated

    rng = random.Random(3)
    for size in (0, 1, 50, 2000):
        frame = pd.DataFrame(
            {
                "indicator_code": [rng.choice(["A", "B", "C"]) for _ in range(size)],
                "region_code": [rng.choice(["71", "71.71", "71.72", "7172"]) for _ in range(size)],
                "period_start": pd.to_datetime(
                    [date(2026, rng.randint(1, 3), 1) for _ in range(size)]
                ).astype("datetime64[ns]"),
                "grain": [rng.choice(["month", "day"]) for _ in range(size)],
                "value": [float(rng.randint(0, 3)) for _ in range(size)],
            }
        )
        assert _duplicated(frame).tolist() == frame.duplicated(KEY, keep=False).tolist()


def test_days_become_datetimes_as_pandas_converts_them():
    from datetime import datetime

    from dashboard.validation import _datetimes

    for days in (
        [date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 1)],
        [],
        [pd.Timestamp("2026-01-01"), date(2025, 5, 5), datetime(2026, 1, 1, 5)],
    ):
        series = pd.Series(days, dtype=object)
        assert _datetimes(series).equals(pd.to_datetime(series).astype("datetime64[ns]"))


def test_lookups_are_series_map():
    from dashboard.validation import _lookup

    keys = pd.Series(["a", "b", "zz", "a", "c"] * 3).astype(str)
    table = pd.Series([1.0, float("nan"), 3.0], index=["a", "b", "c"])
    assert pd.Series(_lookup(keys, table)).equals(
        keys.map(table).astype("float64").reset_index(drop=True)
    )


# --- the upsert's counts come from its statements' row counts --------------------------------------


def test_upsert_counts_new_changed_and_unchanged_in_one_payload(engine):
    from datetime import datetime

    from sqlalchemy import select

    from dashboard.store.observations import ObservationRow, upsert_observations
    from dashboard.store.schema import Observation, ObservationRevision

    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    first = [
        ObservationRow("LIV.BOR", code, date(2026, 1, 1), "month", float(i))
        for i, code in enumerate(["71", "71.71", "71.72", "71.73"])
    ]
    with engine.begin() as conn:
        stats = upsert_observations(conn, first, source_id="s", run_id=1, ingested_at=t0)
    assert (stats.inserted, stats.updated, stats.unchanged) == (4, 0, 0)
    # Two unchanged, one changed, two new; as a typed frame, as validation hands it over.
    second = pd.DataFrame(
        first[:2]
        + [first[2]._replace(value=9.5)]
        + [
            ObservationRow("LIV.BOR", "71.74", date(2026, 1, 1), "month", 1 / 3),
            ObservationRow("LIV.BOR", "71.71", date(2026, 2, 1), "month", 1e-300),
        ]
    )
    second["period_start"] = pd.to_datetime(second["period_start"]).astype("datetime64[ns]")
    with engine.begin() as conn:
        stats = upsert_observations(conn, second, source_id="s", run_id=2, ingested_at=t1)
    assert (stats.inserted, stats.updated, stats.unchanged) == (2, 1, 2)
    with engine.connect() as conn:
        stored = {
            (r.region_code, r.period_start): (r.value, r.revision)
            for r in conn.execute(select(Observation))
        }
        revisions = [(r.value, r.revision) for r in conn.execute(select(ObservationRevision))]
    assert stored[("71.72", date(2026, 1, 1))] == (9.5, 2)
    assert stored[("71.74", date(2026, 1, 1))] == (1 / 3, 1)  # every bit of the double kept
    assert stored[("71.71", date(2026, 2, 1))] == (1e-300, 1)
    assert revisions == [(2.0, 1)]


def test_upsert_writes_codes_with_characters_copy_would_read_as_escapes(engine):

    from sqlalchemy import select

    from dashboard.store.observations import ObservationRow, upsert_observations
    from dashboard.store.schema import Observation

    codes = ["A\\B", "A\tB", "A\\tB", "Ä.1"]
    rows = [ObservationRow(code, "71", date(2026, 1, 1), "month", 1.0) for code in codes]
    with engine.begin() as conn:
        stats = upsert_observations(
            conn, rows, source_id="s", run_id=None, ingested_at=clock_kit.now()
        )
    assert stats.inserted == 4
    with engine.connect() as conn:
        assert sorted(conn.execute(select(Observation.indicator_code)).scalars()) == sorted(codes)


def test_factorize_numbers_values_as_a_dict_keys_them():
    rng = random.Random(8)
    nan = float("nan")
    for size in (0, 1, 2, 7, 1000):
        for runs in (False, True):
            values = []
            while len(values) < size:
                value = rng.choice(
                    ["a", "b", "", " ", "71.71", nan, float("nan"), 1, 1.0, True, None]
                )
                values += [value] * (rng.randint(1, 50) if runs else 1)
            values = values[:size]
            codes, distinct = records.factorize(values)
            expected = list(dict.fromkeys(values))
            number = {v: i for i, v in enumerate(expected)}
            assert distinct == expected or [repr(v) for v in distinct] == [
                repr(v) for v in expected
            ]
            assert codes.tolist() == [number[v] for v in values]


def test_upsert_stores_every_row_exactly_as_given(engine):
    """Many distinct indicators, regions, days and grains: every row reads back with its own
    key and value (on SQLite the staging numbers each key's parts into one integer)."""
    from datetime import timedelta

    from sqlalchemy import select

    from dashboard.store.observations import ObservationRow, upsert_observations
    from dashboard.store.schema import Observation

    rng = random.Random(4)
    keys = {
        (
            f"IND.{rng.randint(0, 40):02d}",
            f"71.{rng.randint(0, 30):02d}",
            date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000)),
            rng.choice(["day", "month", "quarter", "year"]),
        )
        for _ in range(3000)
    }
    rows = [ObservationRow(*key, rng.uniform(-1e6, 1e6)) for key in sorted(keys)]
    rng.shuffle(rows)
    with engine.begin() as conn:
        stats = upsert_observations(
            conn, rows, source_id="s", run_id=None, ingested_at=clock_kit.now()
        )
    assert (stats.inserted, stats.updated, stats.unchanged) == (len(rows), 0, 0)
    with engine.connect() as conn:
        stored = {
            (o.indicator_code, o.region_code, o.period_start, o.grain): o.value
            for o in conn.execute(select(Observation))
        }
    assert stored == {
        (r.indicator_code, r.region_code, r.period_start, r.grain): r.value for r in rows
    }


def test_the_bookmark_is_the_latest_period_of_the_indicator_furthest_behind():
    # BOR is reported up to March, stunting only up to January: the next pull starts at January.
    lines = [f"71.71;Kota Manado;BOR;{m} 2026;70,5" for m in ("Januari", "Februari", "Maret")]
    lines += [
        "71.71;Kota Manado;STUNTING;Desember 2025;21,5",
        "71.02;Minahasa;STUNTING;Januari 2026;20,1",
    ]
    random.Random(7).shuffle(lines)
    result = assert_same(HEADER + "\n" + "\n".join(lines * 20) + "\n")
    assert result.bookmark == "2026-01-01"
