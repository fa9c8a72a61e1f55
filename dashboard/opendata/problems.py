"""Errors of the open-data API as RFC 9457 problem details, in the reader's language.

The language comes from ``?lang=`` or ``Accept-Language`` (Bahasa Indonesia by default);
``title`` and ``detail`` are in it, and a ``parameter`` member names what was wrong.
"""

from __future__ import annotations

from typing import Any

import flask

from dashboard import i18n

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:odsk:problem:"

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "not_found.title": "Tidak ditemukan",
        "not_found.dataset": "Dataset {value} tidak ada.",
        "not_found.region": "Wilayah {value} tidak dikenal (kode Kemendagri seperti 71.71 atau kode BPS seperti 7171).",
        "not_found.domain": "Bidang {value} tidak ada.",
        "not_found.path": "Alamat ini tidak ada di API.",
        "bad_request.title": "Permintaan tidak valid",
        "bad.period": "Parameter {parameter}: {value} bukan periode (tulis YYYY, YYYY-MM atau YYYY-MM-DD).",
        "bad.period_reversed": "Rentang periode terbalik: awal {start} sesudah akhir {end}.",
        "bad.period_long": "Rentang periode lebih dari {years} tahun ({start} – {end}).",
        "bad.page_size": "Parameter page_size: {value} bukan bilangan bulat antara 1 dan {max}.",
        "bad.cursor": "Parameter cursor: kursor tidak terbaca; pakai nilai next_cursor dari halaman sebelumnya.",
        "bad.format": "Parameter format: {value} tidak dikenal (pilih {choices}).",
        "bad.grain": "Parameter grain: {value} tidak dikenal (pilih {choices}).",
        "bad.region": "Parameter region: {value} bukan kode wilayah (kode Kemendagri seperti 71.71 atau kode BPS seperti 7171).",
        "bad.regions_many": "Parameter region: paling banyak {max} wilayah sekaligus.",
        "bad.month": "Parameter month: {value} bukan bulan (tulis YYYY-MM).",
        "bad.text": "Parameter {parameter}: terlalu panjang (paling banyak {max} karakter).",
        "unauthorized.title": "Kunci API tidak berlaku",
        "unauthorized.key": "Kunci API yang dikirim tidak dikenal atau sudah dicabut.",
        "too_many.title": "Terlalu banyak permintaan",
        "too_many.detail": "Batas {limit} terlampaui; coba lagi dalam {seconds} detik.",
        "server.title": "Kesalahan server",
        "server.detail": "Permintaan tidak dapat dijawab saat ini; coba lagi nanti.",
    },
    "en": {
        "not_found.title": "Not found",
        "not_found.dataset": "There is no dataset {value}.",
        "not_found.region": "Unknown region {value} (a Kemendagri code such as 71.71 or a BPS code such as 7171).",
        "not_found.domain": "There is no domain {value}.",
        "not_found.path": "There is no such address in the API.",
        "bad_request.title": "Invalid request",
        "bad.period": "Parameter {parameter}: {value} is not a period (write YYYY, YYYY-MM or YYYY-MM-DD).",
        "bad.period_reversed": "Reversed period range: the start {start} is after the end {end}.",
        "bad.period_long": "The period range is longer than {years} years ({start} – {end}).",
        "bad.page_size": "Parameter page_size: {value} is not a whole number from 1 to {max}.",
        "bad.cursor": "Parameter cursor: the cursor cannot be read; use next_cursor from the previous page.",
        "bad.format": "Parameter format: {value} is unknown (choose {choices}).",
        "bad.grain": "Parameter grain: {value} is unknown (choose {choices}).",
        "bad.region": "Parameter region: {value} is not a region code (a Kemendagri code such as 71.71 or a BPS code such as 7171).",
        "bad.regions_many": "Parameter region: at most {max} regions at once.",
        "bad.month": "Parameter month: {value} is not a month (write YYYY-MM).",
        "bad.text": "Parameter {parameter}: too long (at most {max} characters).",
        "unauthorized.title": "API key not valid",
        "unauthorized.key": "The API key sent is unknown or has been revoked.",
        "too_many.title": "Too many requests",
        "too_many.detail": "Limit {limit} exceeded; try again in {seconds} seconds.",
        "server.title": "Server error",
        "server.detail": "The request cannot be answered right now; try again later.",
    },
}

_TITLES = {
    400: "bad_request.title",
    401: "unauthorized.title",
    404: "not_found.title",
    429: "too_many.title",
    500: "server.title",
}


def request_language() -> str:
    """``?lang=`` first, then ``Accept-Language``; Bahasa Indonesia otherwise."""
    if not flask.has_request_context():
        return i18n.DEFAULT_LANGUAGE
    asked = flask.request.args.get("lang")
    if asked:
        return i18n.language(asked)
    best = flask.request.accept_languages.best_match(i18n.LANGUAGES)
    return best or i18n.DEFAULT_LANGUAGE


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


class Problem(Exception):
    """A refused request: its status, the message key and the values the message names."""

    def __init__(self, status: int, key: str, parameter: str | None = None, **values: Any) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.parameter = parameter
        self.values = {k: _short(v) for k, v in values.items()}
        if parameter is not None:
            self.values.setdefault("parameter", parameter)

    def body(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": TYPE_BASE + self.key,
            "title": i18n.lookup(LABELS, _TITLES.get(self.status, "bad_request.title"), lang),
            "status": self.status,
            "detail": i18n.lookup(LABELS, self.key, lang, **self.values),
        }
        if flask.has_request_context():
            out["instance"] = flask.request.path
        if self.parameter is not None:
            out["parameter"] = self.parameter
        return out


def response(problem: Problem, headers: dict[str, str] | None = None) -> flask.Response:
    lang = request_language()
    reply = flask.Response(
        flask.json.dumps(problem.body(lang)), status=problem.status, mimetype=MEDIA_TYPE
    )
    reply.headers["Content-Language"] = lang
    reply.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        reply.headers[name] = value
    return reply
