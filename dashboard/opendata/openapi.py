"""The OpenAPI 3.1 document of /api/v1, generated from the code, and its documentation page.

apispec (marshmallow-code; framework-agnostic, writes OpenAPI 3.1) assembles the document:
the paths are the API's own route table (``api.VIEWS``), the body schemas come from the
pydantic models in ``schemas.py`` (JSON Schema 2020-12, which OpenAPI 3.1 uses as is), the
limits from ``params.py``. flask-openapi3 and spectree want to own the Flask app or wrap
each view with their own validation and errors; apispec only writes the document.

The page at /api/v1/docs is Swagger UI from the ``swagger-ui-bundle-v2`` wheel (Swagger UI
5, which reads OpenAPI 3.1), served from this server; its start-up is a file of ours, so
the page keeps the strict CSP (no inline script).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import flask
from apispec import APISpec
from pydantic.json_schema import models_json_schema
from swagger_ui_bundle import swagger_ui_path

from dashboard.access import Permission
from dashboard.access.rules import Rule, route
from dashboard.opendata import params, schemas
from dashboard.opendata.api import PREFIX
from dashboard.opendata.problems import MEDIA_TYPE as PROBLEM_TYPE
from dashboard.opendata.render import CSV_TYPE, XLSX_TYPE

STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER_URL = "/vendor/swagger-ui"
STATIC_URL = "/_odsk/opendata"
PUBLIC = Rule(Permission.PUBLIC)
_REF = "#/components/schemas/{model}"


def _ref(model: type[Any]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "in": "query",
        "name": name,
        "required": False,
        "description": description,
        "schema": schema,
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "description": description,
        "schema": {"type": "string", "maxLength": 64},
    }


_TEXT = {"type": "string", "maxLength": params.MAX_TEXT}
LANG = _query("lang", "id (default) or en: the language of messages", _TEXT)
REGION = _query(
    "region",
    "Kemendagri code (71, 71.71) or BPS code (7100, 7171); several separated by commas",
    _TEXT,
)
PERIOD = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}


def _format(choices: tuple[str, ...]) -> dict[str, Any]:
    return _query(
        "format",
        "output format (or send Accept: text/csv)",
        {"type": "string", "enum": list(choices)},
    )


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_TYPE: {"schema": _ref(schemas.Problem)}},
    }


def _ok(model: type[Any], formats: tuple[str, ...] = ("json",)) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": _ref(model)}}
    if "csv" in formats:
        content[CSV_TYPE] = {"schema": {"type": "string"}}
    if "xlsx" in formats:
        content[XLSX_TYPE] = {"schema": {"type": "string", "contentMediaType": XLSX_TYPE}}
    return {"description": "OK", "content": content}


def _operation(
    summary: str,
    description: str,
    model: type[Any],
    parameters: list[dict[str, Any]],
    formats: tuple[str, ...] = ("json",),
    not_found: str | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": _ok(model, formats),
        "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
        "400": _problem("Invalid parameter: the problem names it (parameter)"),
        "401": _problem("The API key sent is unknown or revoked"),
        "429": _problem("Rate limit exceeded; see Retry-After"),
        "503": _problem("The store is not answering; see Retry-After"),
    }
    if not_found:
        responses["404"] = _problem(not_found)
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": [*parameters, LANG],
            "responses": dict(sorted(responses.items())),
            "security": [{}, {"apiKey": []}],
        }
    }


def operations() -> dict[str, dict[str, Any]]:
    """Path template (OpenAPI style) → its operations."""
    listing = ("json", "csv")
    return {
        "/datasets": _operation(
            "List the datasets",
            "Every dataset the caller may read (public ones without a key), filtered.",
            schemas.DatasetList,
            [
                _query("q", "words in the code, title or synonyms", _TEXT),
                _query("domain", "domain id (living, society, …)", _TEXT),
                _query("skpd", "producing SKPD id (dinkes, …)", _TEXT),
                _query("frequency", "daily, monthly, quarterly, yearly, event", _TEXT),
                _format(listing),
            ],
            listing,
        ),
        "/datasets/{code}": _operation(
            "One dataset's metadata",
            "Satu Data metadata: definition, unit, frequency, calculation, producer, walidata, "
            "region codes, last update and next expected update.",
            schemas.DatasetOne,
            [_path("code", "dataset id (indicator code)")],
            not_found="No such dataset (or not readable by the caller)",
        ),
        "/datasets/{code}/observations": _operation(
            "A dataset's observations",
            "Ordered by region, period and grain; a page at a time (next_cursor, Link: rel=next).",
            schemas.ObservationPage,
            [
                _path("code", "dataset id (indicator code)"),
                REGION,
                _query("from", "first period: YYYY, YYYY-MM or YYYY-MM-DD", PERIOD),
                _query("to", "last period: YYYY, YYYY-MM or YYYY-MM-DD", PERIOD),
                _query("grain", "day, month, quarter or year", _TEXT),
                _query(
                    "page_size",
                    f"rows per page (default {params.DEFAULT_PAGE_SIZE})",
                    {"type": "integer", "minimum": 1, "maximum": params.MAX_PAGE_SIZE},
                ),
                _query("cursor", "next_cursor of the previous page", _TEXT),
                _format(params.FORMATS),
            ],
            params.FORMATS,
            not_found="No such dataset or region",
        ),
        "/domains/{domain_id}/latest": _operation(
            "Latest values of a domain",
            "Each readable indicator's newest value in one region (the province by default), "
            "with the wall's status.",
            schemas.LatestOfDomain,
            [
                _path("domain_id", "living, society, branding, governance, environment, economy"),
                REGION,
                _format(listing),
            ],
            listing,
            not_found="No such domain or region",
        ),
        "/compliance": _operation(
            "SKPD data compliance",
            "Per SKPD: deliveries of the month on time, late, missing, pending (the /ops/compliance rule).",
            schemas.Compliance,
            [
                _query(
                    "month", "YYYY-MM (default: the latest month whose deadlines passed)", _TEXT
                ),
                _format(listing),
            ],
            listing,
        ),
    }


@functools.cache
def document() -> dict[str, Any]:
    spec = APISpec(
        title="ODSK Open Data API — Provinsi Sulawesi Utara",
        version="1.0.0",
        openapi_version="3.1.0",
        info={
            "description": "Read-only open data of the Command Centre ODSK (Satu Data). "
            "Public datasets need no key; an API key (X-API-Key) bound to a role reads more.",
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        servers=[{"url": PREFIX}],
    )
    spec.components.security_scheme(
        "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    _refs, defs = models_json_schema(
        [(m, "serialization") for m in schemas.MODELS], ref_template=_REF
    )
    for name, schema in sorted(defs.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    for path, ops in operations().items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


def openapi_json() -> flask.Response:
    reply = flask.jsonify(document())
    reply.headers["Cache-Control"] = "public, max-age=300"
    return reply


DOCS_HTML = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{swagger}/swagger-ui.css">
</head>
<body>
<main><h1>{title}</h1><div id="swagger-ui" data-spec="{spec}"></div></main>
<script src="{swagger}/swagger-ui-bundle.js"></script>
<script src="{static}/api-docs.js"></script>
</body>
</html>"""

_TITLES = {"id": "Dokumentasi API Data Terbuka ODSK", "en": "ODSK Open Data API documentation"}


def docs_page() -> flask.Response:
    from dashboard.opendata.problems import request_language

    lang = request_language()
    html = DOCS_HTML.format(
        lang=lang,
        title=_TITLES[lang],
        swagger=SWAGGER_URL,
        static=STATIC_URL,
        spec=f"{PREFIX}/openapi.json",
    )
    return flask.Response(html, mimetype="text/html")


def api_root() -> flask.Response:
    """``/api/v1/``: a browser is sent to the documentation; a client gets the addresses."""
    accept = flask.request.accept_mimetypes
    if accept.best_match(["application/json", "text/html"]) == "text/html":
        return flask.redirect(f"{PREFIX}/docs", code=302)  # type: ignore[return-value]
    return flask.jsonify(
        openapi=f"{PREFIX}/openapi.json", docs=f"{PREFIX}/docs", datasets=f"{PREFIX}/datasets"
    )


def register(server: flask.Flask) -> None:
    server.register_blueprint(
        flask.Blueprint(
            "odsk_swagger", __name__, static_folder=swagger_ui_path, static_url_path=SWAGGER_URL
        )
    )
    server.register_blueprint(
        flask.Blueprint(
            "odsk_opendata_static",
            __name__,
            static_folder=str(STATIC_DIR),
            static_url_path=STATIC_URL,
        )
    )
    from dashboard.access.rules import allow

    allow(server, "odsk_swagger.static", PUBLIC)
    allow(server, "odsk_opendata_static.static", PUBLIC)
    route(server, PUBLIC, f"{PREFIX}/openapi.json", "api_openapi", openapi_json, methods=["GET"])
    route(server, PUBLIC, f"{PREFIX}/docs", "api_docs", docs_page, methods=["GET"])
    route(server, PUBLIC, f"{PREFIX}/", "api_root", api_root, methods=["GET"])


__all__ = ["document", "register"]
