"""The API's bodies: JSON (stable field names), CSV (UTF-8, a header row) and Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import flask

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def json_response(body: Any) -> flask.Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return flask.Response(text, mimetype="application/json")


def flat(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested {"title": {"id": …, "en": …}} → {"title_id": …, "title_en": …}."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flat(value, name + "_"))
        elif isinstance(value, list):
            continue  # lists (region codes, links) stay in the JSON
        else:
            out[name] = value
    return out


def csv_text(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def csv_response(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], name: str
) -> flask.Response:
    reply = flask.Response(csv_text(rows, fields), mimetype=CSV_TYPE)
    reply.headers["Content-Type"] = f"{CSV_TYPE}; charset=utf-8"
    reply.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return reply


def xlsx_response(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], name: str
) -> flask.Response:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append(list(fields))
    for row in rows:
        sheet.append([row.get(f) for f in fields])
    out = io.BytesIO()
    book.save(out)
    reply = flask.Response(out.getvalue(), mimetype=XLSX_TYPE)
    reply.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return reply


def table(rows: Sequence[Mapping[str, Any]], fmt: str, name: str) -> flask.Response:
    """Flat rows as CSV or Excel (the columns: every key of the flattened rows, in order)."""
    flattened = [flat(r) for r in rows]
    fields = list(dict.fromkeys(k for r in flattened for k in r))
    if fmt == "xlsx":
        return xlsx_response(flattened, fields, name)
    return csv_response(flattened, fields, name)
