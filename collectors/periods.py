"""The periods SKPD files name, read strictly: 'Januari 2026', 'Okt 2026', 'Triwulan III 2026',
'Semester 1 2026', '2026', ISO dates and real Excel dates.

A named period has its own grain (a month, a quarter, a half-year, a year) and is
only stored on an indicator of that grain: 'Triwulan I 2026' is never squeezed into a
monthly indicator. A date names a day, which lies inside exactly one period of any
grain, so it is aligned to the indicator's grain (as ``values.period_start`` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import get_month_names

from collectors.values import ValueProblem, is_missing
from dashboard.catalogue.periods import bucket

GRAIN_WORDS = {
    "day": ("harian", "daily"),
    "month": ("bulanan", "monthly"),
    "quarter": ("triwulanan", "quarterly"),
    "half": ("semesteran", "half-yearly"),
    "year": ("tahunan", "yearly"),
}


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in ("id", "en"):  # month names from CLDR, not typed in by hand
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    names.setdefault(name.lower().rstrip("."), number)
    # Spellings CLDR does not know but Indonesian government documents still use
    # (pre-1972 orthography and common office abbreviations).
    for name, number in (
        ("pebruari", 2),
        ("peb", 2),
        ("agt", 8),
        ("agust", 8),
        ("sept", 9),
        ("nopember", 11),
        ("nop", 11),
        ("dec", 12),
    ):
        names.setdefault(name, number)
    return names


MONTHS = _month_names()
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

_ISO_DAY = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ t]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$"
)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YM = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[-/](\d{4})$")
_YEAR = re.compile(r"^(?:tahun\s+)?(\d{4})$")
_MONTH_NAME = re.compile(r"^([a-z]+)\.?(?:\s*[-/]\s*|\s+)(\d{4})$")
_QUARTER = re.compile(
    r"^(?:triwulan|trw|tw|kuartal|quarter|q)\s*[-.]?\s*([1-4]|i{1,3}|iv)(?:\s*[-/]\s*|\s+)(\d{4})$"
)
_QUARTER_ISO = re.compile(r"^(\d{4})\s*[- ]?\s*q([1-4])$")
_HALF = re.compile(r"^(?:semester|smt|sem|s)\s*[-.]?\s*([12]|i{1,2})(?:\s*[-/]\s*|\s+)(\d{4})$")


@dataclass(frozen=True)
class Period:
    start: date
    grain: str  # day, month, quarter, half, year


def read_period(value: Any, *, year: Any = None, locale: str = "id") -> Period:
    """The period a cell names; ``year`` is the separate year column, when a file has one."""
    if is_missing(value):
        raise ValueProblem("periode kosong", "period is missing")
    if year is not None and not isinstance(value, (date, datetime)):
        return _with_year(value, year, locale)
    if isinstance(value, datetime):
        return _plausible(Period(value.date(), "day"), value)
    if isinstance(value, date):
        return _plausible(Period(value, "day"), value)
    if isinstance(value, bool):
        raise _unreadable(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return _from_text(str(int(value)), locale)
    return _from_text(str(value), locale)


def period_for(value: Any, grain: str, *, year: Any = None, locale: str = "id") -> date:
    """Start of the period at the indicator's grain, or a reason why it does not fit."""
    period = read_period(value, year=year, locale=locale)
    if period.grain == grain:
        return period.start
    if period.grain == "day":
        return bucket(period.start, grain)
    shown = f"{value} {year}" if year is not None else f"{value}"
    have_id, have_en = GRAIN_WORDS[period.grain]
    want_id, want_en = GRAIN_WORDS[grain]
    raise ValueProblem(
        f"'{shown}' adalah periode {have_id}, sedangkan indikator ini {want_id}",
        f"'{shown}' is a {have_en} period but this indicator is {want_en}",
    )


def _with_year(value: Any, year: Any, locale: str) -> Period:
    if is_missing(year):
        raise ValueProblem("tahun kosong", "year is missing")
    year_text = (
        str(int(year))
        if isinstance(year, (int, float)) and float(year).is_integer()
        else str(year).strip()
    )
    if not re.fullmatch(r"\d{4}", year_text):
        raise ValueProblem(f"'{year}' bukan tahun", f"'{year}' is not a year")
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    ):
        value = int(value)
        if not 1 <= value <= 12:
            raise ValueProblem(f"bulan '{value}' tidak ada", f"month '{value}' does not exist")
        return _from_text(f"{year_text}-{value:02d}", locale)
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}", text):
        return _with_year(int(text), year_text, locale)
    return _from_text(f"{text} {year_text}", locale)


@lru_cache(maxsize=4096)
def _from_text(raw: str, locale: str) -> Period:
    # Periods repeat on every row of a file: the cache makes a million rows cheap.
    text = " ".join(raw.replace("\u2013", "-").replace("\u2014", "-").lower().split())
    if m := _ISO_DAY.match(text):
        return _plausible(Period(_date(int(m[1]), int(m[2]), int(m[3]), raw), "day"), raw)
    if m := _YEAR.match(text):
        return _plausible(Period(date(int(m[1]), 1, 1), "year"), raw)
    if m := _YM.match(text):
        return _plausible(Period(_date(int(m[1]), int(m[2]), 1, raw), "month"), raw)
    if m := _MY.match(text):
        return _plausible(Period(_date(int(m[2]), int(m[1]), 1, raw), "month"), raw)
    if (m := _DMY.match(text)) and locale == "id":
        # Indonesian dates are day-first (17/03/2026); an 'en' source must use ISO dates.
        return _plausible(Period(_date(int(m[3]), int(m[2]), int(m[1]), raw), "day"), raw)
    if m := _QUARTER.match(text):
        quarter = _number(m[1])
        return _plausible(Period(date(int(m[2]), 3 * quarter - 2, 1), "quarter"), raw)
    if m := _QUARTER_ISO.match(text):
        return _plausible(Period(date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter"), raw)
    if m := _HALF.match(text):
        half = _number(m[1])
        return _plausible(Period(date(int(m[2]), 6 * half - 5, 1), "half"), raw)
    if (m := _MONTH_NAME.match(text)) and m[1] in MONTHS:
        return _plausible(Period(date(int(m[2]), MONTHS[m[1]], 1), "month"), raw)
    raise _unreadable(raw)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _ROMAN[token]


def _date(year: int, month: int, day: int, raw: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(
            f"'{raw}' bukan tanggal yang sah", f"'{raw}' is not a valid date"
        ) from None


def _plausible(period: Period, raw: Any) -> Period:
    if not 1990 <= period.start.year <= 2100:
        raise ValueProblem(
            f"tahun {period.start.year} tidak masuk akal",
            f"year {period.start.year} is not plausible",
        )
    return period


def _unreadable(raw: Any) -> ValueProblem:
    return ValueProblem(
        f"'{raw}' bukan periode yang dikenal", f"'{raw}' is not a period I can read"
    )
