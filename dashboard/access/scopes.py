"""What a callback request is about, read from the values it carries, for its rule.

These read the full catalogue (not the principal's cut): the guard decides with them.
"""

from __future__ import annotations

from collections.abc import Callable

import flask

from dashboard.access.roles import Permission
from dashboard.access.rules import Call
from dashboard.catalogue.models import Catalogue


def _catalogue() -> Catalogue:
    return flask.current_app.extensions["odsk"].catalogue


def source_skpd(component: str, prop: str = "value") -> Callable[[Call], str | None]:
    """The SKPD owning the source chosen in ``component`` (None when none or unknown)."""

    def skpd(call: Call) -> str | None:
        value = call.value(component, prop)
        if not isinstance(value, str):
            return None
        source = next((s for s in _catalogue().sources if s.id == value), None)
        return source.skpd if source is not None else None

    return skpd


def export_of(component: str, prop: str = "data", key: str = "code"):
    """An export of the indicator named in ``component``: internal or restricted data needs
    ``EXPORT_INTERNAL`` (public data is for every reader)."""

    def needs(call: Call) -> Permission | None:
        value = call.value(component, prop)
        code = value.get(key) if isinstance(value, dict) else None
        indicator = _catalogue().indicators_by_code.get(code) if isinstance(code, str) else None
        if indicator is not None and indicator.classification == "public":
            return None
        return Permission.EXPORT_INTERNAL

    return needs
