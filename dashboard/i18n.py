"""Labels in Bahasa Indonesia (default) and English; numbers, periods, ages and times per locale.

All number and date formatting goes through Babel so "1.234,5" and "Okt 2026" come from
CLDR, never from string replacement.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.numbers import format_decimal

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
WITA = ZoneInfo("Asia/Makassar")

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "wall.title": "Command Centre ODSK — Provinsi Sulawesi Utara",
        "wall.page_title": "Dinding Video — Command Centre ODSK",
        "wall.screen.overview": "Ringkasan",
        "status.on_track": "Sesuai target",
        "status.at_risk": "Berisiko",
        "status.behind": "Tertinggal",
        "status.no_target": "Tanpa target",
        "status.no_data": "Belum ada data",
        "target": "target {value}",
        "target.band": "rentang {low}–{high}",
        "change.none": "belum ada pembanding",
        "change.vs": "vs {period}",
        "change.good": "membaik",
        "change.bad": "memburuk",
        "change.neutral": "tetap",
        "age.fetched": "diambil {age}",
        "age.ago": "{span} lalu",
        "age.now": "baru saja",
        "age.stale": "TERLAMBAT",
        "age.unknown": "waktu pengambilan tidak diketahui",
        "health.ok": "{n} sumber OK",
        "health.failing": "{n} gagal",
        "health.never": "{n} belum pernah jalan",
        "health.none": "belum ada sumber",
        "legend": "Keterangan",
        "no_headline": "Belum ada indikator utama",
    },
    "en": {
        "wall.title": "Command Centre ODSK — North Sulawesi Province",
        "wall.page_title": "Video wall — Command Centre ODSK",
        "wall.screen.overview": "Overview",
        "status.on_track": "On track",
        "status.at_risk": "At risk",
        "status.behind": "Behind",
        "status.no_target": "No target",
        "status.no_data": "No data yet",
        "target": "target {value}",
        "target.band": "band {low}–{high}",
        "change.none": "nothing to compare",
        "change.vs": "vs {period}",
        "change.good": "improving",
        "change.bad": "worsening",
        "change.neutral": "unchanged",
        "age.fetched": "fetched {age}",
        "age.ago": "{span} ago",
        "age.now": "just now",
        "age.stale": "STALE",
        "age.unknown": "fetch time unknown",
        "health.ok": "{n} sources OK",
        "health.failing": "{n} failing",
        "health.never": "{n} never run",
        "health.none": "no sources yet",
        "legend": "Legend",
        "no_headline": "No headline indicators yet",
    },
}


def language(value: str | None) -> str:
    """A supported language code from a URL parameter or setting; Indonesian otherwise."""
    value = (value or "").strip().lower()
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **values) -> str:
    """The label ``key`` in ``lang``; a missing key is a bug, so it raises KeyError."""
    text = LABELS[language(lang)][key]
    return text.format(**values) if values else text


def number(value: float, lang: str, decimals: int = 1) -> str:
    """1234.5 → "1.234,5" (id) / "1,234.5" (en), always with exactly ``decimals`` digits."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=language(lang))


def period(start: date, grain: str, lang: str) -> str:
    """A data period by its grain: "5 Okt 2026", "Okt 2026", "Triwulan III 2026", "2026"."""
    lang = language(lang)
    if grain == "day":
        return format_date(start, "d MMM y", locale=lang)
    if grain == "month":
        return format_date(start, "MMM y", locale=lang)
    if grain == "quarter":
        quarter = (start.month - 1) // 3 + 1
        if lang == "en":
            return f"Q{quarter} {start.year}"
        return f"Triwulan {_ROMAN[quarter]} {start.year}"
    if grain == "year":
        return str(start.year)
    raise ValueError(f"unknown grain {grain!r}")


JUST_NOW = timedelta(seconds=10)


def age(then: datetime, now: datetime, lang: str) -> str:
    """How long ago: "5 menit lalu" / "5 minutes ago"; "baru saja" under 10 s (or a clock ahead)."""
    span = now - then
    if span < JUST_NOW:
        return t("age.now", lang)
    # threshold=1: 50 minutes stays "50 menit" rather than rounding up to "1 jam".
    text = format_timedelta(span, threshold=1, locale=language(lang))
    return t("age.ago", lang, span=text)


def wita_time(moment: datetime, lang: str, with_seconds: bool = False) -> str:
    """A UTC moment as a 24-hour WITA time: "14.05 WITA" (id) / "14:05 WITA" (en)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    # A skeleton lets CLDR pick the separator (dots in Indonesian).
    text = format_skeleton("Hms" if with_seconds else "Hm", moment, tzinfo=WITA, locale=language(lang))
    return f"{text} WITA"


def wita_date(moment: datetime, lang: str) -> str:
    """The WITA calendar day of a UTC moment: "Senin, 5 Oktober 2026" / "Monday, 5 October 2026"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment, "EEEE, d MMMM y", tzinfo=WITA, locale=language(lang))


def wita_datetime(moment: datetime, lang: str) -> str:
    """A UTC moment as a full WITA date and time: "Senin, 5 Oktober 2026 14.05 WITA"."""
    return f"{wita_date(moment, lang)} {wita_time(moment, lang)}"
