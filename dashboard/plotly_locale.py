"""Plotly.js in the page's language, served by the app (no CDN).

Month and day names, the date pattern and the separators come from CLDR through Babel
(the same names as every other date on the pages: "Agu", not plotly.js-locales' "Agus");
the mode-bar words from the message table (``plotly.*`` in ``dashboard.i18n.LABELS``).
The script only queues the locale on ``window.PlotlyLocales``, which Plotly.js reads when
Dash loads it (Plotly is loaded lazily, only on pages that draw a chart); a graph picks it
with ``config={"locale": "id"}`` (``analysis.style.graph_config``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

import flask
from babel.core import Locale

from dashboard import i18n

# Fingerprinted by its content (``script_url``), so browsers keep it for a year.
ROUTE = "/_odsk/plotly-locale-id.js"


@cache
def locale_script(lang: str = "id") -> str:
    loc = Locale.parse(lang)
    days = loc.days["format"]  # Babel: 0 = Monday; Plotly wants Sunday first
    months = loc.months["format"]
    dictionary = {
        i18n.LABELS["en"][key]: i18n.LABELS[lang][key]
        for key in i18n.LABELS["en"]
        if key.startswith("plotly.")
    }
    symbols = loc.number_symbols.get("latn", loc.number_symbols)
    locale = {
        "moduleType": "locale",
        "name": lang,
        "dictionary": dictionary,
        "format": {
            "days": [days["wide"][(i + 6) % 7] for i in range(7)],
            "shortDays": [days["abbreviated"][(i + 6) % 7] for i in range(7)],
            "months": [months["wide"][m] for m in range(1, 13)],
            "shortMonths": [months["abbreviated"][m] for m in range(1, 13)],
            "date": "%d/%m/%Y",
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
        },
    }
    return (
        "(function () {\n"
        f"  var locale = {json.dumps(locale, ensure_ascii=False)};\n"
        '  if (typeof window.Plotly !== "undefined" && window.Plotly.register) {\n'
        "    window.Plotly.register(locale);\n"
        "  } else {\n"
        "    window.PlotlyLocales = window.PlotlyLocales || [];\n"
        "    window.PlotlyLocales.push(locale);\n"
        "  }\n"
        "})();\n"
    )


def script_url() -> str:
    """The script's address, versioned by what it is built from."""
    digest = hashlib.sha256(locale_script("id").encode()).hexdigest()[:12]
    return f"{ROUTE}?v={digest}"


def locale_response() -> flask.Response:
    return flask.Response(locale_script("id"), mimetype="application/javascript")
