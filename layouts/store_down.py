"""The store cannot be reached: what every page, callback and export does about it.

One log line naming what was being done, one message in both languages (``store_down`` in
``dashboard.i18n``) and a panel for a page or a callback, a 503 for an export.
A write refused in read-only mode says ``input.not_stored`` instead (upload, alerts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import dash_bootstrap_components as dbc
import flask
from sqlalchemy.exc import SQLAlchemyError

from dashboard import i18n

log = logging.getLogger(__name__)
T = TypeVar("T")
Error = SQLAlchemyError  # what a page catches: the store refused or could not be reached


def noted(what: str, exc: Exception) -> None:
    """The one log line: what was being done when the store failed, and how."""
    log.warning("%s: store unavailable: %s", what, exc)


def panel(lang: str, **alert: Any) -> dbc.Alert:
    """Shown in place of what could not be read or written."""
    return dbc.Alert(i18n.label("store_down", lang), color="danger", **alert)


def response(lang: str) -> flask.Response:
    """An export's answer when it could not read, or could not audit, what it sends."""
    return flask.Response(i18n.label("store_down", lang), status=503, mimetype="text/plain")


def read(what: str, load: Callable[[], T]) -> T | None:
    """``load()``, or None (noted) when the store is down."""
    try:
        return load()
    except Error as exc:
        noted(what, exc)
        return None
