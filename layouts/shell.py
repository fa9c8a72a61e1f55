"""The desktop pages' frame: a navigation bar and a language toggle that keeps the URL.

Not a page itself (it registers none); every desktop page wraps its content with
``page_shell`` so navigation and the language switch look and behave the same.
The wall has no chrome and does not use it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard.catalogue.models import DOMAIN_ORDER

NAV_LABELS = {
    "id": {
        "overview": "Ringkasan",
        "domains": "Domain",
        "alerts": "Peringatan",
        "sources": "Sumber data",
        "compliance": "Kepatuhan SKPD",
        "upload": "Unggah data",
        "wall": "Dinding video",
        "switch": "English",
    },
    "en": {
        "overview": "Overview",
        "domains": "Domains",
        "alerts": "Alerts",
        "sources": "Data sources",
        "compliance": "SKPD compliance",
        "upload": "Upload data",
        "wall": "Video wall",
        "switch": "Bahasa Indonesia",
    },
}

DOMAIN_NAMES = {
    "living": "Smart Living",
    "society": "Smart Society",
    "branding": "Smart Branding",
    "governance": "Smart Governance",
    "environment": "Smart Environment",
    "economy": "Smart Economy",
}


def href(path: str, lang: str, **query) -> str:
    """A link that keeps the language (Indonesian is the default and stays implicit)."""
    params = {k: v for k, v in query.items() if v not in (None, "", [])}
    if lang == "en":
        params["lang"] = "en"
    return path + ("?" + urlencode(params, doseq=True) if params else "")


def navbar(active: str, lang: str, path: str, query: dict | None = None) -> dbc.Navbar:
    text = NAV_LABELS["en" if lang == "en" else "id"]
    query = {k: v for k, v in (query or {}).items() if k != "lang"}
    other = "id" if lang == "en" else "en"

    def item(key: str, target: str) -> dbc.NavItem:
        return dbc.NavItem(dbc.NavLink(text[key], href=href(target, lang), active=(key == active)))

    domains = dbc.DropdownMenu(
        label=text["domains"],
        nav=True,
        in_navbar=True,
        children=[
            dbc.DropdownMenuItem(DOMAIN_NAMES[d], href=href(f"/domain/{d}", lang))
            for d in DOMAIN_ORDER
        ],
    )
    return dbc.Navbar(
        dbc.Container(
            fluid=True,
            children=[
                dbc.NavbarBrand("Command Centre ODSK", href=href("/", lang)),
                dbc.Nav(
                    className="me-auto",
                    navbar=True,
                    children=[
                        item("overview", "/"),
                        domains,
                        item("alerts", "/alerts"),
                        item("sources", "/ops/sources"),
                        item("compliance", "/ops/compliance"),
                        item("upload", "/ops/upload"),
                        item("wall", "/wall"),
                    ],
                ),
                dbc.Nav(
                    navbar=True,
                    children=[
                        dbc.NavItem(
                            dbc.NavLink(
                                text["switch"], id="nav-language", href=href(path, other, **query)
                            )
                        )
                    ],
                ),
            ],
        ),
        color="dark",
        dark=True,
        className="mb-3 border-bottom",
    )


def page_shell(active: str, lang: str, path: str, children, query: dict | None = None) -> html.Div:
    return html.Div(
        lang=lang,
        className="odsk-page",
        children=[
            navbar(active, lang, path, query),
            dbc.Container(fluid=True, className="pb-4", children=children),
        ],
    )
