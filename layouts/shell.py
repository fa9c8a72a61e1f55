"""The desktop pages' frame: a navigation bar and a language toggle that keeps the URL.

Not a page itself (it registers none); every desktop page wraps its content with
``page_shell`` so navigation and the language switch look and behave the same.
The wall has no chrome and does not use it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html
from flask_wtf.csrf import generate_csrf

from dashboard.access import Permission, current_principal, role_label
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
        "screens": "Layar dinding",
        "audit": "Jejak audit",
        "signout": "Keluar",
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
        "screens": "Wall screens",
        "audit": "Audit trail",
        "signout": "Sign out",
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

    principal = current_principal()

    def item(key: str, target: str, needs: Permission = Permission.READ) -> dbc.NavItem | None:
        # Only what the role may open (the server refuses the rest anyway).
        if not principal.can(needs):
            return None
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
                        item("sources", "/ops/sources", Permission.OPS_READ),
                        item("compliance", "/ops/compliance", Permission.COMPLIANCE_READ),
                        item("upload", "/ops/upload", Permission.UPLOAD),
                        item("wall", "/wall", Permission.WALL),
                        item("screens", "/ops/screens", Permission.SCREENS_COMMAND),
                        item("audit", "/ops/audit", Permission.AUDIT_READ),
                    ],
                ),
                dbc.Nav(
                    navbar=True,
                    className="align-items-lg-center gap-lg-2",
                    children=[
                        dbc.NavItem(
                            dbc.NavLink(
                                text["switch"], id="nav-language", href=href(path, other, **query)
                            )
                        ),
                        _account(principal, text, lang),
                    ],
                ),
            ],
        ),
        color="dark",
        dark=True,
        className="mb-3 border-bottom",
    )


def _account(principal, text: dict[str, str], lang: str):
    """Who is signed in, and the sign-out button (a POST with the CSRF token)."""
    if not principal.signed_in:
        return None
    return html.Form(
        action="/logout",
        method="POST",
        className="d-flex align-items-center gap-2 odsk-account",
        children=[
            html.Span(
                [
                    html.I(className="bi bi-person-circle me-1"),
                    principal.display or principal.name,
                    html.Small(
                        f" · {role_label(principal.role, lang)}",
                        className="text-body-secondary d-none d-xl-inline",
                    ),
                ],
                id="nav-account",
                className="navbar-text small",
            ),
            dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            dbc.Input(type="hidden", name="lang", value=lang),
            dbc.Button(
                text["signout"],
                id="nav-signout",
                type="submit",
                size="sm",
                color="secondary",
                outline=True,
            ),
        ],
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
