"""The access rules of every page, Dash callback and route, kept in one registry per app.

- A page declares its rule where it registers: ``dash.register_page(..., access=P.READ)``.
- A callback is registered through ``callback(app, Rule(...), *dependencies, **kw)``
  instead of ``app.callback``; the rule is filed under the callback's output key.
- A Flask route is added through ``route(server, rule, path, endpoint, view)`` (or, for
  routes Dash and Flask add themselves, ``allow(server, endpoint, rule)``).

``guard.py`` decides every request from this registry; an endpoint, page or callback
without a rule is refused by ``create_app`` (``check_complete``) and so fails the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dash
import flask

from dashboard.access.roles import Permission

EXTENSION_KEY = "odsk_access"


@dataclass(frozen=True)
class Call:
    """A Dash callback request as the guard sees it: what triggered it and the values sent."""

    output: str
    triggers: tuple[str, ...]  # component ids (a pattern id's "type") whose props changed
    values: Mapping[str, Any]  # "component-id.prop" → value, inputs and states

    def value(self, component: str, prop: str) -> Any:
        return self.values.get(f"{component}.{prop}")

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Call:
        values: dict[str, Any] = {}
        for group in ("inputs", "state"):
            for item in body.get(group) or []:
                for entry in item if isinstance(item, list) else [item]:
                    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                        values[f"{entry['id']}.{entry.get('property')}"] = entry.get("value")
        triggers = tuple(_component(p) for p in body.get("changedPropIds") or [] if p)
        return cls(str(body.get("output") or ""), triggers, values)


def _component(prop_id: str) -> str:
    """``"a-b.n_clicks"`` → ``a-b``; ``'{"alert":3,"type":"x"}.n_clicks'`` → ``x``."""
    text = str(prop_id).rsplit(".", 1)[0]
    if text.startswith("{"):
        try:
            return str(json.loads(text).get("type", text))
        except (ValueError, AttributeError):
            return text
    return text


@dataclass(frozen=True)
class Rule:
    """What a callback or route needs.

    ``needs``: to be called at all. ``on``: when one of these components triggered the call
    (a button that writes), that permission as well. ``skpd``: the SKPD the call is about,
    read from the request, for permissions an skpd_officer holds only for their own SKPDs.
    ``page``: the rule of the page the request is for (the pages router and page URLs).
    """

    needs: Permission
    on: Mapping[str, Permission] = field(default_factory=dict)
    skpd: Callable[[Call], str | None] | None = None
    page: bool = False
    # A further permission the call needs, decided from what it carries (e.g. the
    # classification of the indicator an export is about); None = nothing further.
    extra: Callable[[Call], Permission | None] | None = None
    # Routes Dash serves only in development (hot reload): absent in production.
    dev_only: bool = False

    def permissions(self, call: Call | None) -> list[Permission]:
        needed = [self.needs]
        if call is not None:
            needed += [p for trigger, p in self.on.items() if trigger in call.triggers]
            more = self.extra(call) if self.extra is not None else None
            if more is not None:
                needed.append(more)
        return needed


PAGE_RULE = Rule(Permission.PUBLIC, page=True)


@dataclass
class Registry:
    callbacks: dict[str, Rule] = field(default_factory=dict)
    routes: dict[str, Rule] = field(default_factory=dict)


def registry(server: flask.Flask) -> Registry:
    found = server.extensions.get(EXTENSION_KEY)
    if found is None:
        found = server.extensions[EXTENSION_KEY] = Registry()
    return found


def callback(app: dash.Dash, rule: Rule, *dependencies, **kwargs):
    """``app.callback`` with its access rule (use it instead of ``app.callback``)."""
    before = set(app.callback_map)
    register = app.callback(*dependencies, **kwargs)

    def decorate(func):
        result = register(func)
        for key in set(app.callback_map) - before:
            registry(app.server).callbacks[key] = rule
        return result

    return decorate


def route(server: flask.Flask, rule: Rule, path: str, endpoint: str, view, **options) -> None:
    """``server.add_url_rule`` with its access rule."""
    server.add_url_rule(path, endpoint, view, **options)
    allow(server, endpoint, rule)


def allow(server: flask.Flask, endpoint: str, rule: Rule) -> None:
    registry(server).routes[endpoint] = rule


def page_rule(page: Mapping[str, Any]) -> Permission | None:
    value = page.get("access")
    return Permission(value) if value is not None else None


def missing_rules(app: dash.Dash) -> list[str]:
    """Every page, server callback and endpoint without a rule (empty when complete)."""
    reg = registry(app.server)
    missing = [f"page {p['path']}" for p in dash.page_registry.values() if page_rule(p) is None]
    missing += [
        f"callback {key}"
        for key, spec in app.callback_map.items()
        if key not in reg.callbacks and "callback" in spec  # clientside ones never reach us
    ]
    missing += [
        f"route {r.rule} ({r.endpoint})"
        for r in app.server.url_map.iter_rules()
        if r.endpoint not in reg.routes
    ]
    return missing


def check_complete(app: dash.Dash) -> None:
    missing = missing_rules(app)
    if missing:
        raise RuntimeError("no access rule for: " + "; ".join(missing))
