"""Turning the raw cells SKPDs send into typed values, with a reason when that fails."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

from collectors.base import Reason

# Markers that mean "no value": kept as missing, never read as 0.
MISSING_MARKERS = frozenset(
    {"", "-", "–", "—", "n.a.", "n/a", "na", "…", "...", "tidak ada", "null", "none"}
)


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


class NumberReader:
    """Strict numbers in the source's locale.

    Babel's strict parse is the authority. Plain integers and plain decimals written
    with the locale's own decimal symbol (no grouping: "12", "-3,5" in id, "-3.5" in en)
    are unambiguous and exact to convert, so they skip Babel's slow round-trip check —
    a million-row file would otherwise spend most of its time there.
    """

    def __init__(self, locale: str):
        self.locale = Locale.parse(locale)
        decimal = re.escape(get_decimal_symbol(self.locale))
        self._plain = re.compile(rf"^\s*([+-]?\d+)(?:{decimal}(\d+))?\s*$")
        self.plain = self._plain.match

    def read(self, value: Any) -> float:
        kind = type(value)
        if kind is str:
            if m := self._plain.match(value):
                return float(f"{m[1]}.{m[2]}") if m[2] else float(m[1])
            return self._finite(self._babel(value), value)
        if kind is float or kind is int:
            return self._finite(_float(value), value)
        if is_missing(value):
            raise ValueProblem("nilai kosong", "value is missing")
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return self._finite(_float(value), value)
        raise _not_a_number(value)

    def read_many(self, values: list[Any]) -> tuple[Any, Any]:
        """``read`` of many values at once: (numbers, ok), float64 and bool arrays; where
        ``read`` would raise, ok is False (and the number NaN).

        A plain number (the strict pattern above) is the text with the locale's decimal
        symbol made a point: ``float`` of that is what ``read`` computes from the match's
        groups (the pattern leaves only whitespace around sign and digits, and ``float``
        strips the same whitespace ``\\s`` matches). Everything else goes to ``read``."""
        import numpy as np

        n = len(values)
        numbers = np.full(n, np.nan, dtype=np.float64)
        ok = np.zeros(n, dtype=bool)
        decimal = get_decimal_symbol(self.locale)
        matched = [i for i, m in enumerate(map(self._match_str, values)) if m]
        if matched:
            texts = [values[i] for i in matched]
            if decimal != ".":
                texts = [t.replace(decimal, ".") for t in texts]
            numbers[matched] = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
            ok[matched] = True
        if len(matched) != n:
            plain = set(matched)
            for i, value in enumerate(values):
                if i in plain:
                    continue
                try:
                    numbers[i] = self.read(value)
                    ok[i] = True
                except ValueProblem:
                    pass
        return numbers, ok

    def _match_str(self, value: Any) -> bool:
        return value.__class__ is str and self._plain.match(value) is not None

    def _babel(self, value: str) -> float:
        if is_missing(value):
            raise ValueProblem("nilai kosong", "value is missing")
        try:
            return float(
                parse_decimal(value.strip().replace("\u00a0", " "), locale=self.locale, strict=True)
            )
        except (NumberFormatError, ValueError, InvalidOperation):
            raise _not_a_number(value) from None

    @staticmethod
    def _finite(number: float, value: Any) -> float:
        if not math.isfinite(number):
            if isinstance(value, float) and math.isnan(value):
                raise ValueProblem(
                    "nilai kosong", "value is missing"
                )  # an empty cell as pandas/SQL saw it
            raise ValueProblem(
                f"'{value}' bukan angka terhingga", f"'{value}' is not a finite number"
            )
        return number


def _float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer too big for a float
        return math.inf


def _not_a_number(value: Any) -> ValueProblem:
    return ValueProblem(f"'{value}' bukan angka", f"'{value}' is not a number")
