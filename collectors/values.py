"""Turning the raw cells SKPDs send into typed values, with a reason when that fails."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal

from collectors.base import Reason

# Markers that mean "no value": kept as missing, never read as 0.
MISSING_MARKERS = frozenset({"", "-", "–", "—", "n.a.", "n/a", "na", "…", "...", "tidak ada", "null", "none"})


class ValueProblem(Exception):
    def __init__(self, reason_id: str, reason_en: str):
        super().__init__(reason_en)
        self.reason_id = reason_id
        self.reason_en = reason_en

    def reason(self, column: str | None, value: Any) -> Reason:
        return Reason(column, value, self.reason_id, self.reason_en)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_MARKERS


def to_number(value: Any, locale: str = "en") -> float:
    """A finite number; strings are read in the source's declared locale (strict)."""
    if is_missing(value):
        raise ValueProblem("nilai kosong", "value is missing")
    if isinstance(value, bool):
        raise ValueProblem(f"'{value}' bukan angka", f"'{value}' is not a number")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", " ")
        try:
            number = float(parse_decimal(text, locale=locale, strict=True))
        except (NumberFormatError, ValueError):
            raise ValueProblem(f"'{value}' bukan angka", f"'{value}' is not a number") from None
    else:
        raise ValueProblem(f"'{value}' bukan angka", f"'{value}' is not a number")
    if not math.isfinite(number):
        raise ValueProblem(f"'{value}' bukan angka terhingga", f"'{value}' is not a finite number")
    return number


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[- ]?Q([1-4])$", re.I)
_YEAR = re.compile(r"^(\d{4})$")


def period_start(value: Any, grain: str) -> date:
    """The first day of the period a cell names, at the indicator's grain.

    Accepts ISO dates, ``YYYY-MM``, ``YYYY-Qn`` and ``YYYY``; a date inside the
    period is moved to its start (2026-03-17 at month grain is 2026-03-01).
    """
    if is_missing(value):
        raise ValueProblem("periode kosong", "period is missing")
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if m := _MONTH.match(text):
            day = _safe_date(int(m.group(1)), int(m.group(2)), 1, value)
        elif m := _QUARTER.match(text):
            day = date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
        elif m := _YEAR.match(text):
            day = date(int(m.group(1)), 1, 1)
        else:
            try:
                day = date.fromisoformat(text[:10])
            except ValueError:
                raise ValueProblem(f"'{value}' bukan periode yang dikenal", f"'{value}' is not a period I can read") from None
    if not 1990 <= day.year <= 2100:
        raise ValueProblem(f"tahun {day.year} tidak masuk akal", f"year {day.year} is not plausible")
    return align(day, grain)


def _safe_date(year: int, month: int, day: int, raw: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"'{raw}' bukan tanggal yang sah", f"'{raw}' is not a valid date") from None


def align(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown grain {grain}")
