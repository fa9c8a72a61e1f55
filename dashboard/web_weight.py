"""How much a page weighs on the wire: compressed responses and year-long caching of
fingerprinted files.

- Flask-Compress answers with brotli (or gzip for clients without it). The component
  bundles Dash serves from installed packages never change while the process runs, so
  their compressed bytes are kept per process (bounded) instead of compressed per request.
- A file whose URL names its version (Dash's ``.v4_4_1m123.js`` bundles, ``/assets/x.css?m=…``,
  the vendored Bootstrap with ``?v=``, the icon font's ``?<hash>``) is cached for a year;
  everything else is revalidated (ETag) on each use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from threading import Event, Lock

import flask
from dash.fingerprint import cache_regex
from flask_compress import Compress

YEAR = 365 * 24 * 3600
# Where Dash serves component bundles straight from the installed packages.
PACKAGE_FILES = "/_dash-component-suites/"
# Static files whose URLs carry a version in their query string.
VERSIONED_QUERY = {"/assets/": "m", "/vendor/": None, "/_favicon.ico": "v", "/_odsk/": "v"}
COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
CACHE_BYTES = 48 * 1024 * 1024  # per worker: every bundle, in brotli and gzip, fits


class PackageFileCache:
    """Compressed bytes of package files (``algorithm;path``), least recently used dropped first.

    Flask-Compress asks its cache for every response it compresses; only package files,
    whose content is fixed for the life of the process, are kept. Browsers ask for the same
    bundles at once (a wall of six screens starting together): the first request compresses,
    the others wait for it (``WAIT_SECONDS`` at most) instead of compressing the same bytes.
    """

    WAIT_SECONDS = 30.0

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, Event] = {}
        self._size = 0
        self._limit = limit
        self._lock = Lock()

    @staticmethod
    def _cacheable(key: str) -> bool:
        return key.partition(";")[2].startswith(PACKAGE_FILES)

    def get(self, key: str) -> bytes | None:
        if not self._cacheable(key):
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                return value
            pending = self._pending.get(key)
            if pending is None:  # this request compresses; later ones wait for its ``set``
                self._pending[key] = Event()
                return None
        pending.wait(self.WAIT_SECONDS)
        with self._lock:
            return self._items.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not self._cacheable(key):
            return
        with self._lock:
            done = self._pending.pop(key, None)
            if len(value) <= self._limit:
                old = self._items.pop(key, None)
                self._size -= len(old) if old is not None else 0
                self._items[key] = value
                self._size += len(value)
                while self._size > self._limit:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
        if done is not None:
            done.set()


def _cache_key(request: flask.Request) -> str:
    return request.path


def is_fingerprinted(path: str, args: Mapping[str, str]) -> bool:
    """Whether the URL names the exact version of what it serves."""
    if path.startswith(PACKAGE_FILES):
        # Dash's own fingerprint (its dash.fingerprint pattern): name.v<version>m<mtime>.ext
        parts = path.rsplit("/", 1)[-1].split(".")
        return len(parts) > 2 and cache_regex.match(parts[1]) is not None
    for prefix, param in VERSIONED_QUERY.items():
        if path.startswith(prefix):
            return bool(args.get(param)) if param else bool(args)
    return False


def _cache_headers(response: flask.Response) -> flask.Response:
    request = flask.request
    if request.method != "GET" or response.status_code not in (200, 304):
        return response
    if is_fingerprinted(request.path, request.args):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def register_compression(server: flask.Flask) -> None:
    """Compress responses and cache fingerprinted files for a year."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_MIMETYPES=COMPRESSIBLE,
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_KEY=_cache_key,
        COMPRESS_CACHE_BACKEND=PackageFileCache,
    )
    # Registered first, so it runs after Flask-Compress (after_request runs in reverse).
    server.after_request(_cache_headers)
    Compress(server)
