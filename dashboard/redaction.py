"""One redaction rule for everything a person or a log may see: secrets become ``***``.

Run messages, HTTP error texts, log lines and the access log all pass through ``redact``.
It masks, wherever they appear in a text:
- ``user:password@`` in URLs;
- query (or ``key=value``) parameters named like secrets: ``?key=…``, ``&token=…``,
  ``device=…``, ``password=…`` …;
- URL path segments that follow a segment named like a secret: BPS puts its API key in
  the path (``…/key/<key>/``);
- ``Bearer``/``Basic`` credentials, and wall device tokens (``odskdev_…``) anywhere.
A false positive costs a few characters of a message; a missed secret costs the key.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# Names that mark the value after them as a secret (lower case, compared case-insensitively).
SECRET_NAMES = (
    "key",
    "apikey",
    "api_key",
    "api-key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "authorization",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "device",
    "signature",
    "sig",
    "session",
)
_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_NAMES, key=len, reverse=True))
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
_PARAM = re.compile(
    rf"(?<![\w-])((?:{_NAMES})[\"']?\s*[=:]\s*[\"']?)(?!\*\*\*|Bearer\s|Basic\s)[^&\s;,'\"<>)]+",
    re.I,
)
_PATH = re.compile(rf"(/(?:{_NAMES})/)(?!\*\*\*)[^/?#\s'\"<>]+", re.I)
_CREDENTIAL = re.compile(r"\b(Bearer|Basic)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]{6,}", re.I)
_DEVICE_TOKEN = re.compile(r"\bodskdev_[A-Za-z0-9_-]+")


def redact(text: str | None) -> str:
    """``text`` with every secret it names replaced by ``***`` ("" for None)."""
    if not text:
        return ""
    text = _USERINFO.sub(rf"\1{MASK}@", str(text))
    text = _DEVICE_TOKEN.sub(f"odskdev_{MASK}", text)
    text = _PATH.sub(rf"\1{MASK}", text)
    text = _CREDENTIAL.sub(rf"\1 {MASK}", text)
    return _PARAM.sub(rf"\1{MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message and its traceback before any
    handler formats it (install it on handlers: ``install_log_redaction``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # bad format/args: the handler reports it
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_redaction(*loggers: logging.Logger) -> None:
    """Put a ``RedactingFilter`` on every handler of the root logger (and of ``loggers``,
    e.g. gunicorn's own), once each: records reach handlers from any logger below them."""
    handlers = [h for logger in (logging.getLogger(), *loggers) for h in logger.handlers]
    if logging.lastResort is not None:  # what prints when no handler is configured
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
