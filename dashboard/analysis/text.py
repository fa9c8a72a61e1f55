"""Fast paths to the same Babel formatting as ``dashboard.i18n`` for pages that format hundreds of numbers.

``i18n.number`` parses its pattern on every call; here the parsed pattern and the locale
are kept (both immutable), which makes a call about three times cheaper with the exact
same CLDR output. Period labels are memoised the same way.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.core import Locale
from babel.numbers import parse_pattern

from dashboard import i18n


@lru_cache(maxsize=16)
def _pattern(decimals: int):
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    return Locale.parse(i18n.language(lang))


def number(value: float, lang: str, decimals: int = 1) -> str:
    """Exactly ``i18n.number(value, lang, decimals)``."""
    return i18n.minus(_pattern(decimals).apply(value, _locale(lang)))


@lru_cache(maxsize=8192)
def period(start: date, grain: str, lang: str) -> str:
    """Exactly ``i18n.period(start, grain, lang)``."""
    return i18n.period(start, grain, lang)
