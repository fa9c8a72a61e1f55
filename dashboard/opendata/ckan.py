"""A CKAN-compatible read subset for harvesting by a CKAN-based Satu Data portal:
``package_list``, ``package_show`` and ``datastore_search`` over the public datasets.

One dataset = one indicator (package ``id`` = the code, ``name`` = its CKAN slug) with one
datastore resource, its observations. Answers use CKAN's envelope (``success``, ``result``
or ``error`` with ``__type``) and CKAN's statuses (404 not found, 409 validation), so a
CKAN client — ckanapi, or this project's own ``collectors/ckan.py`` — reads us as it reads
any portal. GET and POST (CKAN's clients POST JSON for reads) are both accepted; the POST
carries no session and changes nothing, so it is exempt from the pages' CSRF token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flask

from dashboard.access import Permission
from dashboard.access.rules import Rule, route
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.opendata import api, params
from dashboard.opendata.problems import Problem
from dashboard.settings import Settings
from dashboard.store import opendata_queries as q
from dashboard.views import opendata as view

PREFIX = "/api/3/action"
UNVERSIONED = "/api/action"
PUBLIC = Rule(Permission.PUBLIC)
MAX_LIMIT = 32_000  # CKAN's own ckan.datastore.search.rows_max default
RESOURCE_SUFFIX = "-observations"
FIELDS = (
    ("region_code", "text"),
    ("region_bps_code", "text"),
    ("region_name", "text"),
    ("period", "date"),
    ("grain", "text"),
    ("value", "numeric"),
    ("updated_at", "timestamp"),
    ("revision", "int"),
)


class CkanError(Exception):
    def __init__(self, status: int, kind: str, message: str | dict[str, list[str]]) -> None:
        super().__init__(kind)
        self.status, self.kind, self.message = status, kind, message


def slug(code: str) -> str:
    return code.lower().replace(".", "-").replace("_", "-")


def _envelope(action: str, result: Any) -> flask.Response:
    body = {
        "help": f"{flask.request.host_url.rstrip('/')}{PREFIX}/help_show?name={action}",
        "success": True,
        "result": result,
    }
    reply = flask.Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    reply.headers["Cache-Control"] = "public, max-age=60"
    return reply


def _failure(action: str, error: CkanError) -> flask.Response:
    detail: dict[str, Any] = {"__type": error.kind}
    if isinstance(error.message, dict):
        detail.update(error.message)
    else:
        detail["message"] = error.message
    body = {"help": f"{PREFIX}/help_show?name={action}", "success": False, "error": detail}
    return flask.Response(
        json.dumps(body, ensure_ascii=False), status=error.status, mimetype="application/json"
    )


def _arguments() -> dict[str, Any]:
    """GET query, or a POST's JSON or form body."""
    args: dict[str, Any] = flask.request.args.to_dict()
    if flask.request.method == "POST":
        body = flask.request.get_json(silent=True) if flask.request.is_json else None
        args.update(body if isinstance(body, dict) else flask.request.form.to_dict())
    return args


def _find(catalogue: Catalogue, ident: Any) -> Indicator:
    text = str(ident or "")
    for ind in catalogue.indicators:
        if text in (
            ind.code,
            slug(ind.code),
            ind.code + RESOURCE_SUFFIX,
            slug(ind.code) + RESOURCE_SUFFIX,
        ):
            return ind
    raise CkanError(404, "Not Found Error", "Not found")


def _int(args: dict[str, Any], name: str, default: int, top: int) -> int:
    value = args.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CkanError(409, "Validation Error", {name: ["Invalid integer"]}) from None
    if not 0 <= number <= top:
        raise CkanError(409, "Validation Error", {name: [f"Must be between 0 and {top}"]})
    return number


def package(catalogue: Catalogue, ind: Indicator, facts: view.DatasetFacts) -> dict[str, Any]:
    base = flask.request.host_url.rstrip("/")
    meta = view.dataset(catalogue, ind, facts, base)
    modified = meta["last_update"] or "2000-01-01T00:00:00+00:00"
    resource = {
        "id": ind.code + RESOURCE_SUFFIX,
        "package_id": ind.code,
        "name": f"{ind.name.id} — data",
        "description": meta["description"]["id"],
        "format": "CSV",
        "mimetype": "text/csv",
        "url": f"{base}/api/v1/datasets/{ind.code}/observations?format=csv&page_size=10000",
        "datastore_active": True,
        "last_modified": modified[:26].replace("+00:00", ""),
        "created": modified[:26].replace("+00:00", ""),
    }
    return {
        "id": ind.code,
        "name": slug(ind.code),
        "title": ind.name.id,
        "notes": meta["description"]["id"],
        "url": meta["links"]["page"],
        "state": "active",
        "type": "dataset",
        "private": False,
        "license_id": "cc-by",
        "metadata_modified": resource["last_modified"],
        "organization": {
            "name": ind.skpd,
            "title": meta["producer"]["name"],
            "type": "organization",
        },
        "groups": [{"name": ind.domain, "title": meta["domain"]["name"]["id"]}],
        "tags": [{"name": s} for s in ind.synonyms],
        "extras": [
            {"key": "title_en", "value": ind.name.en},
            {"key": "unit", "value": ind.unit.id},
            {"key": "frequency", "value": ind.frequency},
            {"key": "calculation", "value": meta["calculation"]["id"]},
            {"key": "walidata", "value": meta["walidata"]["name"]},
            {"key": "latest_period", "value": meta["latest_period"] or ""},
            {"key": "next_expected_update", "value": meta["next_expected_update"] or ""},
            {
                "key": "kode_wilayah_kemendagri",
                "value": ",".join(r["code"] for r in meta["regions"]),
            },
            {"key": "kode_wilayah_bps", "value": ",".join(r["bps_code"] for r in meta["regions"])},
        ],
        "resources": [resource],
        "num_resources": 1,
    }


# --- the actions ----------------------------------------------------------------------


def package_list(ctx: Any, args: dict[str, Any]) -> Any:
    names = [slug(i.code) for i in ctx.catalogue.indicators]
    offset = _int(args, "offset", 0, 10**6)
    limit = _int(args, "limit", len(names), 10**6)
    return names[offset : offset + limit]


def package_show(ctx: Any, args: dict[str, Any]) -> Any:
    if not args.get("id"):
        raise CkanError(409, "Validation Error", {"id": ["Missing value"]})
    ind = _find(ctx.catalogue, args["id"])
    return package(ctx.catalogue, ind, view.dataset_facts_of(ctx.engine, ctx.catalogue, ind))


def datastore_search(ctx: Any, args: dict[str, Any]) -> Any:
    if not args.get("resource_id"):
        raise CkanError(409, "Validation Error", {"resource_id": ["Missing value"]})
    ind = _find(ctx.catalogue, args["resource_id"])
    limit = _int(args, "limit", 100, MAX_LIMIT)
    offset = _int(args, "offset", 0, 10**9)
    filters = args.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise CkanError(409, "Validation Error", {"filters": ["Cannot parse JSON"]}) from None
    if not isinstance(filters, dict) or set(filters) - {"region_code", "region_bps_code"}:
        raise CkanError(
            409, "Validation Error", {"filters": ["Only region_code or region_bps_code"]}
        )
    regions = None
    for key, value in filters.items():
        wanted = value if isinstance(value, list) else [value]
        try:
            regions = [params.region(ctx.catalogue, str(v)) for v in wanted]
        except Problem:
            regions = []
        _ = key
    with ctx.engine.connect() as conn:
        records, total = q.observations_slice(
            conn, ind.code, regions=regions, offset=offset, limit=limit
        )
    rows = [view.observation(ctx.catalogue, r) for r in records]
    base = f"{PREFIX}/datastore_search?resource_id={ind.code + RESOURCE_SUFFIX}"
    return {
        "resource_id": ind.code + RESOURCE_SUFFIX,
        "fields": [{"id": "_id", "type": "int"}] + [{"id": n, "type": t} for n, t in FIELDS],
        "records": [{"_id": offset + i + 1, **r} for i, r in enumerate(rows)],
        "total": total,
        "total_was_estimated": False,
        "limit": limit,
        "offset": offset,
        "_links": {"start": base, "next": f"{base}&offset={offset + limit}"},
    }


ACTIONS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "datastore_search": datastore_search,
}


def _view_for(action: str) -> Callable[[], flask.Response]:
    handler = ACTIONS[action]

    def ckan_action() -> flask.Response:
        try:
            return _envelope(action, handler(api.context(), _arguments()))
        except CkanError as error:
            return _failure(action, error)

    ckan_action.__name__ = f"ckan_{action}"
    ckan_action.__qualname__ = f"ckan_{action}"
    return ckan_action


def register(server: flask.Flask, settings: Settings) -> None:
    limit = api.limiter_of(server).shared_limit(
        settings.api_rate_limit, scope="api", key_func=api.client_key, on_breach=api.breached
    )
    csrf = server.extensions.get("csrf")
    for action in ACTIONS:
        view_func = _view_for(action)
        if csrf is not None:
            csrf.exempt(view_func)  # a read; CKAN clients POST without a session
        limited = limit(view_func)
        # CKAN answers at /api/3/action/… and /api/action/… (ckanapi uses the latter).
        for prefix, suffix in ((PREFIX, ""), (UNVERSIONED, "_unversioned")):
            route(
                server,
                PUBLIC,
                f"{prefix}/{action}",
                f"ckan_{action}{suffix}",
                limited,
                methods=["GET", "POST"],
            )
