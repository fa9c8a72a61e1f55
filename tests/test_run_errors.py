"""A failed run told to a person: one sentence per error class, in each language, no secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.run_errors import detail, redact, short_reason

NOW = datetime(2026, 10, 5, 6, 30, tzinfo=UTC)  # 14.30 WITA
SINCE = datetime(2026, 10, 5, 6, 5, tzinfo=UTC)  # 14.05 WITA


@pytest.mark.parametrize(
    ("error_class", "message", "lang", "expected"),
    [
        (
            "http",
            "HTTP 503 from http://x/api",
            "id",
            "Sumber DLH tidak menjawab (HTTP 503) sejak 14.05 WITA",
        ),
        (
            "http",
            "HTTP 503 from http://x/api",
            "en",
            "Source DLH is not answering (HTTP 503) since 14:05 WITA",
        ),
        (
            "timeout",
            "timed out after 30 s",
            "id",
            "Sumber DLH tidak menjawab tepat waktu sejak 14.05 WITA",
        ),
        ("connection", "connection refused", "en", "Source DLH cannot be reached since 14:05 WITA"),
        ("http", "connection reset", "en", "Source DLH cannot be reached since 14:05 WITA"),
        (
            "auth",
            "HTTP 401 from http://x",
            "id",
            "Sumber DLH menolak akses (kunci atau izin) sejak 14.05 WITA",
        ),
        (
            "schema",
            "no Infogempa.gempa",
            "en",
            "Data from DLH is not in the expected format since 14:05 WITA",
        ),
        (
            "format",
            "not JSON",
            "id",
            "Data dari DLH tidak sesuai format yang diharapkan sejak 14.05 WITA",
        ),
        ("surprise", "?", "en", "Collecting from DLH failed since 14:05 WITA"),
        (None, None, "id", "Pengambilan dari DLH gagal sejak 14.05 WITA"),
    ],
)
def test_each_failure_is_one_sentence_in_the_readers_language(error_class, message, lang, expected):
    assert short_reason(error_class, message, "DLH", SINCE, lang, NOW) == expected


def test_an_old_failure_names_its_day():
    text = short_reason("timeout", "", "DLH", SINCE - timedelta(days=2), "id", NOW)
    assert text == "Sumber DLH tidak menjawab tepat waktu sejak 3 Okt 14.05 WITA"


def test_the_technical_detail_keeps_no_secret():
    message = "HTTP 503 from https://user:pw@host/api?key=abc123&region=71: Service Unavailable"
    shown = detail("http", message)
    assert "abc123" not in shown and "pw@" not in shown
    assert (
        shown == "http: HTTP 503 from https://***@host/api?key=***&region=71: Service Unavailable"
    )
    # Whole names only: "monkey=" or "tokens_left=" are no secrets.
    assert redact("monkey=1 tokens_left=2") == "monkey=1 tokens_left=2"
