"""The REST API under /api/v1: read-only, public data without a key.

Routes are registered with the access registry as ``public``; what a request may read is
decided by the catalogue cut to its principal (``dashboard.access.clearance.may_read``
through ``current_context()``): anonymous callers see ``public`` indicators, an API key
what its role and clearance allow. An indicator the caller may not read does not exist
for it (404, the same answer as an unknown one).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import flask
from flask_limiter import Limiter, RequestLimit
from sqlalchemy.exc import SQLAlchemyError

from dashboard.access import Permission, current_principal
from dashboard.access.rules import Rule, route
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.compliance.rules import default_month
from dashboard.opendata import conditional, params, render
from dashboard.opendata.problems import Problem, request_language
from dashboard.opendata.problems import response as problem_response
from dashboard.settings import Settings
from dashboard.store import opendata_queries as q
from dashboard.views import opendata as view

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
PUBLIC = Rule(Permission.PUBLIC)
LIMITER_KEY = "odsk_limiter"


def context() -> Any:
    """The request's context: its catalogue cut to what the caller may read."""
    from dashboard.webapp import current_context

    return current_context()


def _now() -> datetime:
    from dashboard.store.schema import utcnow

    return utcnow()


def client_key() -> str:
    """Rate limits count per API key, else per address."""
    principal = current_principal()
    if principal.kind == "apikey":
        return f"apikey:{principal.id}"
    return f"address:{flask.request.remote_addr or '?'}"


def breached(limit: RequestLimit) -> flask.Response:
    seconds = max(1, int(limit.reset_at - datetime.now().timestamp()))
    problem = Problem(429, "too_many.detail", limit=str(limit.limit), seconds=seconds)
    return problem_response(problem, {"Retry-After": str(seconds)})


def readable(catalogue: Catalogue, code: str) -> Indicator:
    found = catalogue.indicators_by_code.get(code)
    if found is None:  # unknown, or not for this caller: the same answer
        raise Problem(404, "not_found.dataset", value=code)
    return found


def _base_url() -> str:
    return flask.request.host_url.rstrip("/")


def _next_link(cursor: str) -> str:
    args = flask.request.args.to_dict()
    args["cursor"] = cursor
    return f"{_base_url()}{flask.request.path}?{urlencode(args)}"


def api_view(view_func: Callable[..., flask.Response]) -> Callable[..., flask.Response]:
    """Problems become RFC 9457 answers; a wrong API key is 401; the store away is 503."""

    @functools.wraps(view_func)
    def wrapped(**kwargs: Any) -> flask.Response:
        try:
            if flask.g.get("odsk_access_problem") == "apikey":
                raise Problem(401, "unauthorized.key")
            params.text(flask.request.args, "lang")  # any value picks a language; not any size
            return view_func(**kwargs)
        except Problem as problem:
            return problem_response(problem)
        except SQLAlchemyError as exc:
            log.warning("open-data API: store error: %s", exc)
            return problem_response(Problem(503, "server.detail"), {"Retry-After": "5"})

    return wrapped


# --- the views --------------------------------------------------------------------------


def datasets() -> flask.Response:
    args = flask.request.args
    fmt = params.output_format(args, flask.request.headers.get("Accept", ""), ("json", "csv"))
    search = (params.text(args, "q") or "").lower()
    domain = params.text(args, "domain")
    skpd = params.text(args, "skpd")
    frequency = params.text(args, "frequency")
    ctx = context()
    catalogue: Catalogue = ctx.catalogue
    lang = request_language()

    def chosen(ind: Indicator) -> bool:
        words = " ".join([ind.code, ind.name.id, ind.name.en, *ind.synonyms]).lower()
        return (
            (not search or search in words)
            and (domain is None or ind.domain == domain)
            and (skpd is None or ind.skpd == skpd)
            and (frequency is None or ind.frequency == frequency)
        )

    def make() -> flask.Response:
        facts = view.dataset_facts(ctx.engine, catalogue)
        rows = [
            view.dataset(catalogue, i, facts[i.code], _base_url())
            for i in catalogue.indicators
            if chosen(i)
        ]
        if fmt == "csv":
            return render.table(rows, "csv", "datasets")
        return render.json_response({"data": rows, "meta": {"count": len(rows)}})

    return conditional.answer(ctx.engine, catalogue, lang, fmt, make)


def dataset(code: str) -> flask.Response:
    ctx = context()
    indicator = readable(ctx.catalogue, code)
    lang = request_language()

    def make() -> flask.Response:
        facts = view.dataset_facts_of(ctx.engine, ctx.catalogue, indicator)
        return render.json_response(
            {"data": view.dataset(ctx.catalogue, indicator, facts, _base_url())}
        )

    return conditional.answer(ctx.engine, ctx.catalogue, lang, "json", make)


def observations(code: str) -> flask.Response:
    ctx = context()
    catalogue: Catalogue = ctx.catalogue
    indicator = readable(catalogue, code)
    args = flask.request.args
    fmt = params.output_format(args, flask.request.headers.get("Accept", ""), params.FORMATS)
    query = params.observation_query(catalogue, args)
    lang = request_language()

    def make() -> flask.Response:
        with ctx.engine.connect() as conn:
            records, following = q.observations_page(
                conn,
                indicator.code,
                regions=query.regions,
                start=query.start,
                end=query.end,
                grain=query.grain,
                after=query.after,
                limit=query.page_size,
            )
        rows = [view.observation(catalogue, r) for r in records]
        cursor = params.encode_cursor(following) if following is not None else None
        if fmt in ("csv", "xlsx"):
            table = [{"dataset": indicator.code, **r} for r in rows]
            fields = ("dataset", *view.OBSERVATION_FIELDS)
            reply = (
                render.csv_response(table, fields, indicator.code)
                if fmt == "csv"
                else render.xlsx_response(table, fields, indicator.code)
            )
        else:
            reply = render.json_response(
                {
                    "dataset": indicator.code,
                    "unit": view.text(indicator.unit),
                    "data": rows,
                    "meta": {
                        "count": len(rows),
                        "page_size": query.page_size,
                        "next_cursor": cursor,
                    },
                    "links": {"next": _next_link(cursor) if cursor else None},
                }
            )
        if cursor is not None:
            reply.headers["Link"] = f'<{_next_link(cursor)}>; rel="next"'
        return reply

    return conditional.answer(ctx.engine, catalogue, lang, fmt, make)


def latest(domain_id: str) -> flask.Response:
    ctx = context()
    catalogue: Catalogue = ctx.catalogue
    if domain_id not in {d.id for d in catalogue.domains}:
        raise Problem(404, "not_found.domain", value=domain_id)
    args = flask.request.args
    fmt = params.output_format(args, flask.request.headers.get("Accept", ""), ("json", "csv"))
    region = params.one_region(catalogue, args)
    lang = request_language()

    def make() -> flask.Response:
        rows = view.latest_of_domain(ctx.engine, catalogue, domain_id, region)
        if fmt == "csv":
            return render.table(rows, "csv", f"latest-{domain_id}")
        return render.json_response(
            {"domain": domain_id, "region": view.region_entry(catalogue, region), "data": rows}
        )

    return conditional.answer(ctx.engine, catalogue, lang, fmt, make)


def compliance() -> flask.Response:
    ctx = context()
    catalogue: Catalogue = ctx.catalogue
    args = flask.request.args
    fmt = params.output_format(args, flask.request.headers.get("Accept", ""), ("json", "csv"))
    now = _now()
    month = params.month(args) or default_month(catalogue, now)
    lang = request_language()

    def make() -> flask.Response:
        rows = view.compliance_summary(ctx.engine, catalogue, month, now)
        if fmt == "csv":
            return render.table(rows, "csv", f"compliance-{month:%Y-%m}")
        return render.json_response({"month": f"{month:%Y-%m}", "data": rows})

    # The judgement moves with the clock (a deadline passes): a short cache, no validator
    # beyond the data version and the hour.
    return conditional.answer(ctx.engine, catalogue, lang, fmt, make, moment=f"@{now:%Y%m%d%H}")


def not_found(rest: str) -> flask.Response:
    raise Problem(404, "not_found.path")


VIEWS: tuple[tuple[str, str, Callable[..., flask.Response]], ...] = (
    (f"{PREFIX}/datasets", "api_datasets", datasets),
    (f"{PREFIX}/datasets/<code>", "api_dataset", dataset),
    (f"{PREFIX}/datasets/<code>/observations", "api_observations", observations),
    (f"{PREFIX}/domains/<domain_id>/latest", "api_latest", latest),
    (f"{PREFIX}/compliance", "api_compliance", compliance),
)


def limiter_of(server: flask.Flask) -> Limiter:
    found = server.extensions.get(LIMITER_KEY)
    if not isinstance(found, Limiter):
        raise RuntimeError("the access set-up's Flask-Limiter is missing")
    return found


def register(server: flask.Flask, settings: Settings) -> None:
    """Every API route, public in the access registry, under one shared rate limit."""
    limit = limiter_of(server).shared_limit(
        settings.api_rate_limit, scope="api", key_func=client_key, on_breach=breached
    )
    for path, endpoint, func in VIEWS:
        route(server, PUBLIC, path, endpoint, limit(api_view(func)), methods=["GET"])
    route(
        server,
        PUBLIC,
        f"{PREFIX}/<path:rest>",
        "api_not_found",
        api_view(not_found),
        methods=["GET"],
    )
