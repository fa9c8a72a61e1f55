"""A failed collection run told to a person: one short sentence in the reader's language.

"Sumber Dinkes - SIRS tidak menjawab (HTTP 503) sejak 14.05 WITA" instead of
"HTTP 503 from http://…: Service Unavailable": what happened, to which source, since when.
The technical message (redacted) stays one click away on /ops/sources. The wall, the
alert titles and /ops all say it with ``short_reason``: each failure is worded once.
"""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_datetime

from dashboard import i18n
from dashboard.catalogue.periods import WITA
from dashboard.redaction import redact

# The run's error classes (collectors/base.py and its kinds) and how each is told.
KNOWN_CLASSES = (
    "http",
    "timeout",
    "connection",
    "auth",
    "schema",
    "format",
    "parse",
    "too_large",
    "deadline",
    "abandoned",
    "store",
)
_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def http_status(message: str | None) -> str | None:
    match = _STATUS.search(message or "")
    return match.group(1) if match else None


def short_reason(
    error_class: str | None,
    message: str | None,
    source: str,
    since: datetime | None,
    lang: str,
    now: datetime | None = None,
) -> str:
    """One sentence: "Sumber X tidak menjawab (HTTP 503) sejak 14.05 WITA" (with the day when
    ``since`` is more than half a day before ``now``)."""
    kind = error_class if error_class in KNOWN_CLASSES else "other"
    status = http_status(message)
    if kind == "http" and status is None:
        kind = "connection"
    if kind in ("format", "parse"):
        kind = "schema"
    text = i18n.label(f"run_error.{kind}", lang, source=source, status=status or "")
    if since is not None:
        text += " " + i18n.label("run_error.since", lang, time=_when(since, now, lang))
    return text


def _when(moment: datetime, now: datetime | None, lang: str) -> str:
    if now is not None and (now - moment).total_seconds() > 12 * 3600:
        day = format_datetime(moment, "d MMM", tzinfo=WITA, locale=i18n.language(lang))
        return f"{day} {i18n.wita_time(moment, lang)}"
    return i18n.wita_time(moment, lang)


def detail(error_class: str | None, message: str | None) -> str:
    """The technical detail, redacted: "http: HTTP 503 from http://host/api?key=***"."""
    parts = [p for p in (error_class, redact(message or "")) if p]
    return ": ".join(parts)
