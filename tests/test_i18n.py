"""Labels, numbers, periods, ages and WITA times in Bahasa Indonesia and English."""

from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard import i18n


@pytest.mark.parametrize(
    "value, lang, decimals, expected",
    [
        (1234.5, "id", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (2712345, "id", 0, "2.712.345"),
        (2712345, "en", 0, "2,712,345"),
        (74.3, "id", 2, "74,30"),  # decimals from the indicator, trailing zeros kept
        (0.456, "en", 2, "0.46"),
        (-1.25, "id", 1, "\u22121,2"),  # banker's rounding, as Babel does; the true minus sign
        (-1234.5, "en", 1, "\u22121,234.5"),
        (-0.04, "id", 1, "0,0"),  # rounds to zero: no sign
        (18.0, "id", 1, "18,0"),
    ],
)
def test_numbers_follow_the_locale_and_the_indicator_decimals(value, lang, decimals, expected):
    assert i18n.number(value, lang, decimals) == expected


def test_counts_take_the_plural_form_of_the_language(catalogue):
    events = catalogue.indicator("ENV.BENCANA").unit
    assert [events.for_count(n, "en") for n in (1, 2, 0)] == ["event", "events", "events"]
    assert [events.for_count(n, "id") for n in (1, 2)] == ["kejadian", "kejadian"]
    assert i18n.label("wall.quake.count", "en", n=1) == "1 earthquake"
    assert i18n.label("wall.quake.count", "en", n=2) == "2 earthquakes"
    assert i18n.label("wall.quake.count", "id", n=1) == "1 gempa"


def test_the_province_has_its_english_name(catalogue):
    assert catalogue.province.label("en") == "North Sulawesi Province"
    assert catalogue.province.label("id") == "Provinsi Sulawesi Utara"
    manado = catalogue.regions_by_code["71.71"]
    assert manado.label("en") == manado.label("id") == "Kota Manado"


@pytest.mark.parametrize(
    "start, grain, lang, expected",
    [
        (date(2026, 10, 1), "month", "id", "Okt 2026"),
        (date(2026, 10, 1), "month", "en", "Oct 2026"),
        (date(2026, 8, 1), "month", "id", "Agu 2026"),
        (date(2026, 7, 1), "quarter", "id", "Triwulan III 2026"),
        (date(2026, 7, 1), "quarter", "en", "Q3 2026"),
        (date(2026, 1, 1), "quarter", "id", "Triwulan I 2026"),
        (date(2026, 10, 1), "quarter", "id", "Triwulan IV 2026"),
        (date(2026, 1, 1), "year", "id", "2026"),
        (date(2026, 1, 1), "year", "en", "2026"),
        (date(2026, 10, 5), "day", "id", "5 Okt 2026"),
        (date(2026, 10, 5), "day", "en", "5 Oct 2026"),
    ],
)
def test_period_labels_by_grain(start, grain, lang, expected):
    assert i18n.period(start, grain, lang) == expected


def test_unknown_grain_is_an_error():
    with pytest.raises(ValueError):
        i18n.period(date(2026, 1, 1), "week", "id")


NOW = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "ago, lang, expected",
    [
        (timedelta(minutes=5), "id", "5 menit lalu"),
        (timedelta(minutes=5), "en", "5 minutes ago"),
        (timedelta(seconds=20), "id", "20 detik lalu"),
        (timedelta(minutes=50), "id", "50 menit lalu"),  # not rounded up to an hour
        (timedelta(hours=3), "en", "3 hours ago"),
        (timedelta(days=2), "id", "2 hari lalu"),
        (timedelta(seconds=3), "id", "baru saja"),
        (timedelta(seconds=-30), "en", "just now"),  # a clock slightly ahead is not "in the future"
    ],
)
def test_relative_ages(ago, lang, expected):
    assert i18n.age(NOW - ago, NOW, lang) == expected


def test_times_are_shown_in_wita():
    # 06:05 UTC is 14:05 in Makassar (UTC+8, no daylight saving).
    moment = datetime(2026, 10, 5, 6, 5, 7, tzinfo=UTC)
    assert i18n.wita_time(moment, "id") == "14.05 WITA"
    assert i18n.wita_time(moment, "en") == "14:05 WITA"
    assert i18n.wita_time(moment, "id", with_seconds=True) == "14.05.07 WITA"
    assert i18n.wita_date(moment, "id") == "Senin, 5 Oktober 2026"
    assert i18n.wita_date(moment, "en") == "Monday, 5 October 2026"
    assert i18n.wita_datetime(moment, "id") == "Senin, 5 Oktober 2026 14.05 WITA"


def test_late_utc_evening_is_the_next_day_in_wita():
    assert (
        i18n.wita_date(datetime(2026, 10, 5, 20, 0, tzinfo=UTC), "en") == "Tuesday, 6 October 2026"
    )


@pytest.mark.parametrize(
    "given, expected",
    [(None, "id"), ("", "id"), ("en", "en"), ("EN", "en"), ("fr", "id"), ("id", "id")],
)
def test_language_defaults_to_indonesian(given, expected):
    assert i18n.language(given) == expected


def _without_plural_forms(keys) -> set[str]:
    """Keys less their plural variants ("x.one"), which only a language that inflects has."""
    keys = set(keys)
    forms = {k for k in keys if k.endswith(".one")}
    assert all(k.removesuffix(".one") in keys for k in forms)  # a variant needs its base
    return keys - forms


def test_every_label_exists_in_both_languages():
    assert _without_plural_forms(i18n.LABELS["id"]) == _without_plural_forms(i18n.LABELS["en"])


def test_labels_fill_in_values():
    assert i18n.label("health.ok", "id", n=12) == "12 sumber OK"
    assert i18n.label("health.failing", "en", n=1) == "1 failing"
    assert i18n.label("wall.title", "id") == "Command Centre ODSK — Provinsi Sulawesi Utara"
