"""Helpers shared by the collector-kind tests: the small catalogue, contexts, a loopback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.base import Payload, SourceContext
from collectors.registry import get_kind
from dashboard.catalogue import Catalogue, load_catalogue
from dashboard.regions import RegionRegistry

HERE = Path(__file__).resolve().parent
CATALOGUE_DIR = HERE / "catalogue"


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_DIR, env={})


def context(source_id: str, options: dict[str, Any] | None = None, **kw) -> SourceContext:
    """The source's context; ``options`` are merged over its YAML options (None removes a key)."""
    cat = catalogue()
    source = cat.source(source_id)
    if options is None:
        opts = cat.source_options[source_id]
    else:
        merged = {k: v for k, v in {**source.options, **options}.items() if v is not None}
        source = source.model_copy(update={"options": merged})
        opts = get_kind(source.kind).options_model.model_validate(merged)
    return SourceContext(source, opts, cat, RegionRegistry(cat.regions), **kw)


def recorded(name: str) -> bytes:
    return (HERE / name).read_bytes()


def payload(content: bytes | str | Any, content_type: str = "application/octet-stream") -> Payload:
    if isinstance(content, str):
        content = content.encode()
    elif not isinstance(content, bytes):
        content, content_type = json.dumps(content).encode(), "application/json"
    return Payload(content, content_type)


def parse(source_id: str, content, options: dict[str, Any] | None = None, **kw):
    ctx = context(source_id, options, **kw)
    return get_kind(ctx.source.kind).parse(payload(content), ctx)


def reasons(result) -> list[tuple[int, str | None, str]]:
    """(row, column, English reason) of every rejected row, for compact assertions."""
    return [(c.row, r.column, r.en) for c in result.rows for r in c.reasons]


# --- a loopback HTTP server ------------------------------------------------------

Handler = Callable[[str, dict[str, list[str]]], tuple[int, bytes, str]]


class Loopback:
    """A real HTTP server on 127.0.0.1 (port 0) answering with ``handler(path, query)``."""

    def __init__(self, handler: Handler):
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                split = urlsplit(self.path)
                query = parse_qs(split.query)
                outer.requests.append((split.path, query))
                status, body, content_type = handler(split.path, query)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# --- CKAN datastore_search, as a CKAN 2.10 site answers it --------------------------

CKAN_RESOURCE = "3f1c2a9e-5b7d-4c1a-9f0e-7d2b8c6a1e44"
# BPS codes and names as the provincial open-data portal writes them.
SULUT_BPS = [
    ("7101", "KABUPATEN BOLAANG MONGONDOW"),
    ("7102", "KABUPATEN MINAHASA"),
    ("7103", "KABUPATEN KEPULAUAN SANGIHE"),
    ("7104", "KABUPATEN KEPULAUAN TALAUD"),
    ("7105", "KABUPATEN MINAHASA SELATAN"),
    ("7106", "KABUPATEN MINAHASA UTARA"),
    ("7107", "KABUPATEN BOLAANG MONGONDOW UTARA"),
    ("7108", "KABUPATEN SIAU TAGULANDANG BIARO"),
    ("7109", "KABUPATEN MINAHASA TENGGARA"),
    ("7110", "KABUPATEN BOLAANG MONGONDOW SELATAN"),
    ("7111", "KABUPATEN BOLAANG MONGONDOW TIMUR"),
    ("7171", "KOTA MANADO"),
    ("7172", "KOTA BITUNG"),
    ("7173", "KOTA TOMOHON"),
    ("7174", "KOTA KOTAMOBAGU"),
]
BULAN = [
    "JANUARI",
    "FEBRUARI",
    "MARET",
    "APRIL",
    "MEI",
    "JUNI",
    "JULI",
    "AGUSTUS",
    "SEPTEMBER",
    "OKTOBER",
    "NOVEMBER",
    "DESEMBER",
]
CKAN_FIELDS = [
    {"id": "_id", "type": "int"},
    {"id": "kode_provinsi", "type": "int4"},
    {"id": "nama_provinsi", "type": "text"},
    {"id": "kode_kabupaten_kota", "type": "int4"},
    {"id": "nama_kabupaten_kota", "type": "text"},
    {"id": "bulan", "type": "text"},
    {"id": "jumlah_penempatan", "type": "int4"},
    {"id": "satuan", "type": "text"},
    {"id": "tahun", "type": "int4"},
]


def ckan_dataset(year: int = 2025) -> list[dict[str, Any]]:
    """Job placements per regency and month: 15 x 12 = 180 records."""
    records = []
    for m, bulan in enumerate(BULAN):
        for code, name in SULUT_BPS:
            records.append(
                {
                    "_id": len(records) + 1,
                    "kode_provinsi": 71,
                    "nama_provinsi": "SULAWESI UTARA",
                    "kode_kabupaten_kota": int(code),
                    "nama_kabupaten_kota": name,
                    "bulan": bulan,
                    "jumlah_penempatan": 10 + (int(code) * 7 + m * 13) % 90,
                    "satuan": "ORANG",
                    "tahun": year,
                }
            )
    return records


def ckan_page(
    records: list[dict[str, Any]],
    *,
    offset: int,
    limit: int,
    filters: dict | None = None,
    base: str = "https://satudata.example.go.id",
) -> dict[str, Any]:
    link = f"/api/3/action/datastore_search?resource_id={CKAN_RESOURCE}&limit={limit}"
    if filters:
        link += "&filters=" + json.dumps(filters, separators=(",", ":"))
    result = {
        "include_total": True,
        "limit": limit,
        "offset": offset,
        "records_format": "objects",
        "resource_id": CKAN_RESOURCE,
        "total_estimation_threshold": None,
        "records": records[offset : offset + limit],
        "fields": CKAN_FIELDS,
        "_links": {"start": link, "next": f"{link}&offset={offset + limit}"},
        "total": len(records),
        "total_was_estimated": False,
    }
    if filters:
        result["filters"] = filters
    return {
        "help": f"{base}/api/3/action/help_show?name=datastore_search",
        "success": True,
        "result": result,
    }


def ckan_error(kind: str, **error: Any) -> dict[str, Any]:
    return {
        "help": "https://satudata.example.go.id/api/3/action/help_show?name=datastore_search",
        "error": {"__type": kind, **error},
        "success": False,
    }
