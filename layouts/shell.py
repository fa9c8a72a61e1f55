"""The desktop pages' frame: a navigation bar and a language toggle that keeps the URL.

Not a page itself (it registers none); every desktop page wraps its content with
``page_shell`` so navigation and the language switch look and behave the same.
The wall has no chrome and does not use it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from dashboard import i18n, search
from dashboard.access import Permission, Principal, current_principal, role_label
from dashboard.catalogue.models import DOMAIN_ORDER
from dashboard.webapp import current_context


def domains_in_order() -> list:
    """The catalogue's domains (names from domains.yaml), in the wall's fixed order."""
    return sorted(current_context().catalogue.domains, key=lambda d: DOMAIN_ORDER.index(d.id))


def domain_name(domain_id: str | None, lang: str) -> str | None:
    return next((d.name.get(lang) for d in domains_in_order() if d.id == domain_id), None)


def href(path: str, lang: str, **query) -> str:
    """A link that keeps the language (Indonesian is the default and stays implicit)."""
    params = {k: v for k, v in query.items() if v not in (None, "", [])}
    if lang == "en":
        params["lang"] = "en"
    return path + ("?" + urlencode(params, doseq=True) if params else "")


def navbar(active: str, lang: str, path: str, query: dict | None = None) -> html.Nav:
    """Bootstrap's navbar; below 992 px its links fold behind a menu button, toggled by
    ``assets/navigation.js`` (no callback, no inline script). The search box is always shown."""
    query = {k: v for k, v in (query or {}).items() if k != "lang"}
    other = "id" if lang == "en" else "en"
    principal = current_principal()

    def item(key: str, target: str, needs: Permission = Permission.READ) -> html.Li | None:
        # Only what the role may open (the server refuses the rest anyway).
        if not principal.can(needs):
            return None
        current = key == active
        return html.Li(
            html.A(
                i18n.label(f"nav.{key}", lang),
                href=href(target, lang),
                className="nav-link" + (" active" if current else ""),
                **({"aria-current": "page"} if current else {}),
            ),
            className="nav-item",
        )

    def menu(key: str, entries: list, active_here: bool = False) -> html.Li | None:
        # A <details> list: opens without a callback or script, folds into the collapsed nav.
        entries = [e for e in entries if e is not None]
        if not entries:
            return None
        return html.Li(
            className="nav-item odsk-nav-group",
            children=html.Details(
                [
                    html.Summary(
                        i18n.label(f"nav.{key}", lang),
                        className="nav-link" + (" active" if active_here else ""),
                    ),
                    html.Ul(entries, className="odsk-nav-menu"),
                ]
            ),
        )

    def entry(label: str, target: str) -> html.Li:
        return html.Li(html.A(label, href=href(target, lang)), className="dropdown-item")

    def ops_entry(key: str, target: str, needs: Permission) -> html.Li | None:
        return entry(i18n.label(f"nav.{key}", lang), target) if principal.can(needs) else None

    # Operators' pages in one menu: with every right, a flat row no longer fits 1920 px.
    ops_pages = [
        ("sources", "/ops/sources", Permission.OPS_READ),
        ("compliance", "/ops/compliance", Permission.COMPLIANCE_READ),
        ("upload", "/ops/upload", Permission.UPLOAD),
        ("screens", "/ops/screens", Permission.SCREENS_COMMAND),
        ("audit", "/ops/audit", Permission.AUDIT_READ),
    ]
    links = html.Ul(
        className="navbar-nav me-auto",
        children=[
            item("overview", "/"),
            menu(
                "domains", [entry(d.name.get(lang), f"/domain/{d.id}") for d in domains_in_order()]
            ),
            item("alerts", "/alerts"),
            item("followup", "/followup", Permission.FOLLOWUP_READ),
            item("wall", "/wall", Permission.WALL),
            menu(
                "ops",
                [ops_entry(*page) for page in ops_pages],
                active_here=active in {key for key, _target, _needs in ops_pages},
            ),
        ],
    )
    switch = html.Ul(
        className="navbar-nav align-items-lg-center gap-lg-2",
        children=[
            html.Li(
                html.A(
                    i18n.label("nav.switch", lang),
                    id="nav-language",
                    href=href(path, other, **query),
                    lang=other,
                    hrefLang=other,
                    className="nav-link",
                ),
                className="nav-item",
            ),
            _account(principal, lang),
        ],
    )
    return html.Nav(
        className="navbar navbar-expand-lg navbar-dark bg-dark mb-3 border-bottom odsk-navbar",
        **{"aria-label": i18n.label("nav.main", lang)},
        children=html.Div(
            className="container-fluid",
            children=[
                html.A("Command Centre ODSK", href=href("/", lang), className="navbar-brand"),
                search_box(lang),
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    className="navbar-toggler",
                    type="button",
                    id="nav-toggler",
                    **{
                        "aria-controls": "nav-collapse",
                        "aria-expanded": "false",
                        "aria-label": i18n.label("nav.menu", lang),
                    },
                ),
                html.Div([links, switch], className="collapse navbar-collapse", id="nav-collapse"),
            ],
        ),
    )


def _account(principal: Principal, lang: str) -> html.Li | None:
    """Who is signed in, and the sign-out button (a POST with the CSRF token)."""
    if not principal.signed_in:
        return None
    return html.Li(
        className="nav-item",
        children=html.Form(
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
                dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                dcc.Input(type="hidden", name="lang", value=lang),
                html.Button(
                    i18n.label("nav.signout", lang),
                    id="nav-signout",
                    type="submit",
                    className="btn btn-sm btn-outline-secondary",
                ),
            ],
        ),
    )


def search_box(lang: str) -> html.Div:
    """A keyboard-first combobox (WAI-ARIA pattern): type, arrows to choose, Enter to open;
    "/" anywhere focuses it. The index loads on first use (``dashboard.search``)."""
    lang = i18n.language(lang)
    return html.Div(
        className="odsk-search",
        role="search",
        **{"data-index": search.index_url(lang, current_context().catalogue)},
        children=[
            html.Label(
                i18n.label("nav.search", lang), htmlFor="nav-search", className="visually-hidden"
            ),
            # navigation.js makes it a combobox (role, aria-expanded, aria-controls) on focus.
            dcc.Input(
                id="nav-search",
                type="search",
                placeholder=i18n.label("nav.search.placeholder", lang),
                autoComplete="off",
                className="form-control form-control-sm",
            ),
            html.Ul(
                id="nav-search-results",
                role="listbox",
                className="odsk-search-results",
                hidden=True,
                **{"aria-label": i18n.label("nav.search", lang)},
            ),
            # Read out by screen readers as results change; the templates keep "{n}".
            html.Div(
                id="nav-search-status",
                className="visually-hidden",
                role="status",
                **{
                    "data-count": i18n.LABELS[lang]["nav.search.count"],
                    "data-count-one": i18n.LABELS[lang].get(
                        "nav.search.count.one", i18n.LABELS[lang]["nav.search.count"]
                    ),
                },
            ),
        ],
    )


def as_cards(table, labels: list[str]):
    """Let a table become a stack of cards on a phone (CSS ``.odsk-cards``): every cell carries
    its column's name (``data-label``), shown in front of it when the header row is hidden."""
    table.className = f"{getattr(table, 'className', '') or ''} odsk-cards".strip()
    for part in table.children:
        if isinstance(part, html.Tbody):
            for row in part.children:
                for cell, name in zip(row.children, labels):
                    if name:
                        setattr(cell, "data-label", name)
    return table


def read_only_banner(lang: str) -> list:
    """Said on every page while the data directory cannot be written (dashboard.webapp)."""
    if not current_context().read_only:
        return []
    return [
        html.Div(
            i18n.label("readonly.banner", lang),
            id="odsk-read-only",
            role="alert",
            className="alert alert-warning rounded-0 mb-0 py-2 small",
        )
    ]


def page_shell(active: str, lang: str, path: str, children, query: dict | None = None) -> html.Div:
    return html.Div(
        lang=lang,
        className="odsk-page",
        children=[
            navbar(active, lang, path, query),
            *read_only_banner(lang),
            # Every page's content is in one landmark (screen readers jump to it).
            html.Main(className="container-fluid pb-4", id="main", children=children),
        ],
    )
