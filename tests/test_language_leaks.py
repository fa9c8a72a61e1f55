"""The bilingual page check itself: its word lists come from the message tables, and it
catches what the issue saw (English in Indonesian pages and the reverse, config keys)."""

from __future__ import annotations

import pytest
from page_kit import language_words, leaks, message_keys


@pytest.fixture(scope="module")
def words(catalogue):
    return language_words(catalogue)


@pytest.mark.parametrize(
    ("text", "lang", "caught"),
    [
        ("Page Size: 50 · 1 to 50 of 59 · Page 1 of 2", "id", "Page"),
        ("Sumber data · Peringatan aktif", "en", "Peringatan"),
        ("Kepatuhan (delivery_day) bulan berikutnya", "id", "raw key delivery_day"),
        ("Status: analyst.col.region", "en", "raw key analyst.col.region"),
        ("Nilai: undefined", "id", "junk undefined"),
    ],
)
def test_leaks_are_caught(words, text, lang, caught):
    assert caught in leaks(text, lang, words, message_keys())


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Prevalensi stunting balita · Kota Manado · LIV.STUNTING · 14,0 %", "id"),
        ("Stunting prevalence among under-fives · Kota Manado · dinkes-sik", "en"),
        ("Dinas Kesehatan Daerah Provinsi Sulawesi Utara · /wall?monitor=dinding-1", "en"),
    ],
)
def test_names_codes_and_identifiers_are_not_leaks(words, text, lang):
    assert leaks(text, lang, words, message_keys()) == []


def test_the_word_lists_are_large_and_disjoint(words):
    assert len(words["id"]) > 300 and len(words["en"]) > 300
    assert not words["id"] & words["en"]
    assert {"peringatan", "sumber", "halaman"} <= words["id"]
    assert {"alerts", "failing", "page"} <= words["en"]
