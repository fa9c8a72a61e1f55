"""The access log: one JSON line per HTTP request, the same under gunicorn and the
development server (it wraps the WSGI app, so gunicorn's own access log stays off).

A line: ``{"time", "remote", "method", "path", "status", "duration_ms", "user", "bytes"}``.
``path`` carries the query string, redacted (``?device=***``); ``user`` is the signed-in
account's name, ``device:<screen>`` for an enrolled wall screen, ``service`` for the
metrics scraper, or null. The line is written when the body has been sent, so the duration counts
all of it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import flask

from dashboard.redaction import redact

LOGGER_NAME = "odsk.access"
USER_KEY = "odsk.user"  # the WSGI environ key the Flask hook files the requester under


class AccessLog:
    """WSGI middleware writing one line per request to the ``odsk.access`` logger."""

    def __init__(self, app: Callable, logger: logging.Logger):
        self.app, self.logger = app, logger

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": None, "bytes": None}

        def start(status: str, headers: list, exc_info: Any = None):
            seen["status"] = int(status.split(" ", 1)[0])
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            seen["bytes"] = int(length) if length and length.isdigit() else None
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, start)
        except BaseException:
            seen["status"] = 500
            self._write(environ, seen, started)
            raise
        return _Logged(body, lambda: self._write(environ, seen, started))

    def _write(self, environ: dict, seen: dict, started: float) -> None:
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(json.dumps(line(environ, seen, started), ensure_ascii=False))


class _Logged:
    """The response body, written out once: when the last chunk was sent or, at the
    latest, when the server closes the body (a client that went away)."""

    def __init__(self, body: Iterable[bytes], write: Callable[[], None]):
        self.body, self._write, self._done = body, write, False

    def __iter__(self):
        yield from self.body
        self._finish()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._write()


def line(environ: dict, seen: dict, started: float) -> dict[str, Any]:
    path = environ.get("PATH_INFO", "") or "/"
    query = environ.get("QUERY_STRING", "")
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "remote": environ.get("REMOTE_ADDR"),
        "method": environ.get("REQUEST_METHOD"),
        "path": redact(path + ("?" + query if query else ""))[:2000],
        "status": seen["status"],
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user": environ.get(USER_KEY),
        "bytes": seen["bytes"],
    }


def _file_requester(response: flask.Response) -> flask.Response:
    """After the guard decided who asks: file it where the middleware reads it."""
    from dashboard.access import current_principal

    principal = current_principal()
    who = {"account": principal.name, "device": f"device:{principal.name}"}.get(principal.kind)
    if principal.kind == "service":
        who = "service"
    flask.request.environ[USER_KEY] = who
    return response


def install_access_log(server: flask.Flask, destination: str | None) -> None:
    """Wrap the app in the access log: ``destination`` "-" = standard output, a path = that
    file (appended), empty/None = off. A second call changes nothing."""
    if not destination or isinstance(server.wsgi_app, AccessLog):
        return
    # The app's own logger (not the process-wide "odsk.access"): its lines go where this
    # app's settings say, and only there, not mixed into the application log.
    logger = logging.Logger(LOGGER_NAME, logging.INFO)
    handler: logging.Handler = (
        logging.StreamHandler(sys.stdout)
        if destination == "-"
        else logging.FileHandler(destination, encoding="utf-8")
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    server.after_request(_file_requester)
    server.wsgi_app = AccessLog(server.wsgi_app, logger)  # type: ignore[method-assign]
