"""Limits at the edge: what an HTTP request may weigh before anything reads it.

- The body: Flask's ``MAX_CONTENT_LENGTH`` (settings ``max_request_mb``). A request that
  announces a larger body is answered 413 before the guard or Dash parse a byte of it;
  one that streams without announcing its length is cut at the limit by Werkzeug (413).
- The request line and headers: gunicorn's ``limit_request_line`` /
  ``limit_request_fields`` / ``limit_request_field_size`` (``gunicorn_limits``), so a
  megabyte URL or a thousand headers are refused (400/431) before Python sees them.
Every refusal says what and why, in Bahasa Indonesia and English.
"""

from __future__ import annotations

import io

import flask
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import i18n
from dashboard.settings import Settings

# gunicorn: request line (method, path, query) and header limits.
REQUEST_LINE_BYTES = 8190
REQUEST_FIELDS = 100
REQUEST_FIELD_BYTES = 8190


def gunicorn_limits() -> dict[str, int]:
    return {
        "limit_request_line": REQUEST_LINE_BYTES,
        "limit_request_fields": REQUEST_FIELDS,
        "limit_request_field_size": REQUEST_FIELD_BYTES,
    }


def max_body_bytes(settings: Settings) -> int:
    return int(settings.max_request_mb * 1024 * 1024)


def _refuse_large_body() -> None:
    limit = flask.current_app.config.get("MAX_CONTENT_LENGTH")
    request = flask.request
    if limit is None:
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
        return
    environ = request.environ
    if environ.get("wsgi.input_terminated") and request.method not in ("GET", "HEAD"):
        # A chunked body names no length; Werkzeug would silently cut it at the limit (and
        # the cut JSON be refused as malformed). Read up to one byte past the limit: 413.
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(body)


def _too_large(_exc: RequestEntityTooLarge):
    mb = f"{flask.current_app.config['MAX_CONTENT_LENGTH'] / 2**20:.3g}"
    text = f"{i18n.label('input.too_large', 'id', mb=mb)} / {i18n.label('input.too_large', 'en', mb=mb)}"
    # The client may still be sending: say so and close, rather than read what was refused.
    response = flask.make_response(
        flask.jsonify({"odsk": {"code": "too_large", "message": text}}), 413
    )
    response.headers["Connection"] = "close"
    return response


def install_edge_limits(server: flask.Flask, settings: Settings) -> None:
    """Call first in ``create_app``: the body check runs before every other hook."""
    server.config["MAX_CONTENT_LENGTH"] = max_body_bytes(settings)
    server.before_request_funcs.setdefault(None, []).insert(0, _refuse_large_body)
    server.register_error_handler(RequestEntityTooLarge, _too_large)
