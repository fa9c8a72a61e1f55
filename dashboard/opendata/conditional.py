"""Cheap polling: ``ETag``/``Last-Modified`` from the data-version counter, ``Cache-Control``.

The validator is the ``all`` counter of ``dashboard.versions`` (bumped in every ingest
transaction: one primary-key read) with what else shapes the answer — the catalogue, who
asks (their clearance and role), the URL, the format and language. A matching
``If-None-Match`` (or an ``If-Modified-Since`` not older than the last change) is answered
304 before any observation is read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

import flask
from sqlalchemy import Engine

from dashboard.access import current_principal
from dashboard.catalogue.models import Catalogue
from dashboard.versions import stamp

MAX_AGE_SECONDS = 60
_FINGERPRINT_KEY = "odsk.opendata.catalogue-fingerprint"


def catalogue_fingerprint(catalogue: Catalogue) -> str:
    """Changes when the catalogue does (a restart with a new config): memoised per process."""
    cache = flask.current_app.extensions.setdefault(_FINGERPRINT_KEY, {})
    key = id(catalogue)
    found = cache.get(key)
    if found is None:
        text = json.dumps([i.model_dump(mode="json") for i in catalogue.indicators], sort_keys=True)
        found = cache[key] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return str(found)


def validator(version: int, catalogue: Catalogue, lang: str, fmt: str) -> str:
    principal = current_principal()
    request = flask.request
    parts = [
        str(version),
        catalogue_fingerprint(catalogue),
        f"{principal.kind}:{principal.role}:{principal.clearance}",
        request.path,
        "&".join(sorted(f"{k}={v}" for k, v in request.args.items(multi=True))),
        fmt,
        lang,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _not_newer(since: datetime | None, changed: datetime | None) -> bool:
    return since is not None and changed is not None and changed.replace(microsecond=0) <= since


def answer(
    engine: Engine,
    catalogue: Catalogue,
    lang: str,
    fmt: str,
    make: Callable[[], flask.Response],
    max_age: int = MAX_AGE_SECONDS,
    moment: str = "",
) -> flask.Response:
    """``make()``'s response with validators, or 304 when the client's copy is current.
    ``moment``: for an answer that also moves with the clock (a deadline, "… ago")."""
    version, changed = stamp(engine)
    etag = validator(version, catalogue, lang + moment, fmt)
    request = flask.request
    since = request.if_modified_since
    fresh = (
        request.if_none_match.contains(etag)
        if request.if_none_match
        else _not_newer(since.astimezone(UTC) if since else None, changed)
    )
    # A 304 says nothing of its type; JSON keeps the page's CSRF cookie off it.
    reply = flask.Response(status=304, mimetype="application/json") if fresh else make()
    reply.set_etag(etag)
    if changed is not None:
        reply.last_modified = changed.replace(microsecond=0)
    anonymous = current_principal().kind == "anonymous"
    reply.headers["Cache-Control"] = f"{'public' if anonymous else 'private'}, max-age={max_age}"
    reply.headers["Vary"] = "Accept, Accept-Language, X-API-Key"
    if not fresh:
        reply.headers["Content-Language"] = lang
    return reply
