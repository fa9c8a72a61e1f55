"""``/domain/<domain_id>``: the domain's applications and their indicators, as small multiples.

Each card: latest province value, status against the RPJMD target, change on the previous
period, freshness, and a sparkline drawn to the same size as its neighbours. A card links
to ``/indicator/<code>``. Reads prepared data from ``dashboard.views.domain``; no callbacks.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.access import Permission
from dashboard.catalogue.models import DOMAIN_ORDER
from dashboard.status import STATUSES
from dashboard.store.schema import utcnow
from dashboard.views.domain import Card, DomainView, load_domain
from layouts import analyst_parts as parts
from layouts import store_down, titles
from layouts.shell import domain_name, domains_in_order, href, page_shell

dash.register_page(
    __name__,
    path_template="/domain/<domain_id>",
    title=titles.title_of(lambda lang, domain_id: domain_name(domain_id, lang), "nav.domains"),
    name="Domain",
    access=Permission.READ,
)


def layout(domain_id: str | None = None, **query):
    lang = i18n.language(query.get("lang"))
    path = f"/domain/{domain_id}"
    if domain_id not in DOMAIN_ORDER:
        return page_shell(
            "domains",
            lang,
            path,
            parts.not_found(lang, i18n.label("analyst.unknown_domain", lang, domain=domain_id)),
            query,
        )
    try:
        view = load_domain(parts.env_for(domain_id), domain_id, lang, utcnow())
    except store_down.Error as exc:
        store_down.noted("domain page", exc)
        return page_shell("domains", lang, path, store_down.panel(lang, className="mt-3"), query)
    return page_shell(
        "domains",
        lang,
        path,
        html.Div(
            className="odsk-analyst odsk-domain",
            children=[
                domain_nav(domain_id, lang),
                html.H1(view.name, className="h3 mb-0", id="domain-title"),
                html.P(view.tagline, className="text-body-secondary mb-2"),
                summary(view, lang),
                *[section(group.name, group.cards, lang) for group in view.groups],
            ],
        ),
        query,
    )


def domain_nav(active: str, lang: str) -> dbc.Nav:
    return dbc.Nav(
        pills=True,
        className="mb-2 small odsk-domain-nav",
        children=[
            dbc.NavLink(d.name.get(lang), href=href(f"/domain/{d.id}", lang), active=d.id == active)
            for d in domains_in_order()
        ],
    )


def summary(view: DomainView, lang: str) -> html.Div:
    return html.Div(
        className="mb-3 d-flex flex-wrap gap-2",
        id="domain-summary",
        children=[
            html.Span(
                [
                    parts.status_badge(s, lang),
                    html.Span(str(view.counts[s]), className="ms-1 fw-semibold"),
                ],
                className="me-2",
            )
            for s in STATUSES
            if view.counts.get(s)
        ],
    )


def section(title: str, cards: tuple[Card, ...], lang: str) -> html.Section:
    return html.Section(
        className="mb-4",
        children=[
            html.H2(title, className="h5 odsk-app-title"),
            html.Div(className="odsk-multiples", children=[indicator_card(c, lang) for c in cards]),
        ],
    )


def indicator_card(card: Card, lang: str) -> html.Div:
    tone_class = {"good": "text-success", "bad": "text-danger", "neutral": "text-body-secondary"}[
        card.tone
    ]
    target_href = href(f"/indicator/{card.code}", lang)
    lines = [i for i in (card.period, card.target) if i]
    return html.Div(
        className=f"odsk-multiple odsk-status-edge-{card.status}",
        id=f"card-{card.code}",
        children=[
            html.Div(
                className="d-flex justify-content-between align-items-start gap-2",
                children=[
                    dcc.Link(
                        card.name,
                        href=target_href,
                        className="odsk-multiple-title stretched-link",
                        id={"type": "domain-indicator-link", "code": card.code},
                    ),
                    parts.status_badge(card.status, lang),
                ],
            ),
            html.Div(
                className="odsk-multiple-value",
                children=[
                    html.Span(card.value or "—", className="odsk-value"),
                    html.Span(f" {card.unit}", className="odsk-unit") if card.value else None,
                ],
            ),
            html.Div(
                card.change or i18n.label("change.none", lang), className=f"small {tone_class}"
            ),
            html.Img(src=card.sparkline, alt="", className="odsk-spark"),
            html.Div(" · ".join(lines), className="small text-body-secondary"),
            html.Div(
                [
                    card.fetched or "",
                    html.Span(card.owner, className="sc-owner ms-2") if card.owner else None,
                ],
                className="small text-body-secondary",
            ),
        ],
    )


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks (the page is static); shares the analyst memo."""
    parts.install_memo(app)
