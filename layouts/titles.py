"""Browser-tab titles in the page's language.

Dash asks a page's ``title`` function for its path variables only, on the first load
(the index request) and on each in-app navigation (its router callback); the language is
in the query string of either, read here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import dash
import flask
from dash.exceptions import MissingCallbackContextException

from dashboard import i18n

SUFFIX = " — Command Centre ODSK"


def request_lang() -> str:
    """``?lang=`` of the page being drawn (router callback or first load); Indonesian otherwise."""
    try:
        search = dash.ctx.inputs.get("_pages_location.search")
    except (MissingCallbackContextException, LookupError):  # outside a callback: the index request
        search = None
    if search is not None:
        return i18n.language((parse_qs(search.lstrip("?")).get("lang") or [None])[0])
    if flask.has_request_context():
        return i18n.language(flask.request.args.get("lang"))
    return i18n.DEFAULT_LANGUAGE


def title(key: str) -> Callable[..., str]:
    """A title function for ``dash.register_page``: the message ``key``, then the product."""

    def page_title(**_path: str) -> str:
        return i18n.label(key, request_lang()) + SUFFIX

    return page_title


def title_of(name: Callable[[str, str | None], str | None], fallback: str) -> Callable[..., str]:
    """A title named after what the path points at: ``name(lang, path_value)``, else ``fallback``."""

    def page_title(**path: str) -> str:
        lang = request_lang()
        value = next(iter(path.values()), None)
        return (name(lang, value) or i18n.label(fallback, lang)) + SUFFIX

    return page_title
