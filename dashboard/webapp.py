"""The Dash application: catalogue, store, change signal and pages, wired once per process.

Nothing mutable lives in module globals (gunicorn runs several workers): what callbacks
need is the process's ``runtime.Runtime`` on the Flask server, read back with ``current_context()``.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dash
import flask
import flask_bootstrap

from dashboard import i18n, plotly_bundle, plotly_locale, search
from dashboard.access import Permission, catalogue_for, current_principal
from dashboard.access.install import install_after_routes, install_before_routes
from dashboard.access.rules import Rule, route
from dashboard.access_log import install_access_log
from dashboard.edge_limits import install_edge_limits
from dashboard.observability import register_observability
from dashboard.opendata import api as opendata_api
from dashboard.opendata import ckan, dcat, embed, openapi
from dashboard.redaction import install_log_redaction
from dashboard.runtime import EXTENSION_KEY, Runtime
from dashboard.settings import PROJECT_ROOT, Settings, data_dir_problem, get_settings
from dashboard.web_weight import register_compression

log = logging.getLogger(__name__)

CATALOGUES_KEY = "odsk.catalogues"  # per set of readable indicators
PAGES_DIR = PROJECT_ROOT / "layouts"
ASSETS_DIR = PROJECT_ROOT / "assets"
# Bootstrap 5.3 (CSS and icon font) as shipped inside the Bootstrap-Flask package.
VENDOR_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"
VENDOR_URL = "/vendor/bootstrap5"
# The package version fingerprints the URLs, so browsers may keep them for a year.
_VENDOR_VERSION = f"?v={version('Bootstrap-Flask')}"
STYLESHEETS = [
    f"{VENDOR_URL}/css/bootstrap.min.css{_VENDOR_VERSION}",
    f"{VENDOR_URL}/css/font/bootstrap-icons.min.css{_VENDOR_VERSION}",
]

# Bootstrap's own dark colour mode; no theme CSS from anywhere else.
INDEX_STRING = """<!DOCTYPE html>
<html lang="id" data-bs-theme="dark">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class OdskDash(dash.Dash):
    """Dash, with the HTML every page starts from in the page's language: ``<html lang>``
    (screen readers, hyphenation) and the placeholder shown until the page is drawn; on
    pages that draw charts, Plotly loaded from the start (``plotly_bundle.early_script``)."""

    def interpolate_index(
        self,
        metas: Any = "",
        title: Any = "",
        css: Any = "",
        config: Any = "",
        scripts: Any = "",
        app_entry: Any = "",
        favicon: Any = "",
        renderer: Any = "",
    ) -> Any:
        lang = i18n.language(
            flask.request.args.get("lang") if flask.has_request_context() else None
        )
        entry = str(app_entry).replace("Loading...", i18n.label("page.loading", lang))
        if flask.has_request_context():
            scripts = plotly_bundle.early_script(self, flask.request.path) + str(scripts)
        page = str(
            super().interpolate_index(metas, title, css, config, scripts, entry, favicon, renderer)
        )
        return page.replace('<html lang="id"', f'<html lang="{lang}"', 1)


def current_context() -> Runtime:
    """The context of the app serving the current request (inside layouts and callbacks),
    its catalogue cut to what the request's principal may read (``dashboard.access``)."""
    found = flask.g.get("odsk_context")
    if found is None:
        base = flask.current_app.extensions[EXTENSION_KEY]
        cache = flask.current_app.extensions.setdefault(CATALOGUES_KEY, {})
        catalogue = catalogue_for(current_principal(), base.catalogue, cache)
        found = base if catalogue is base.catalogue else base.with_catalogue(catalogue)
        flask.g.odsk_context = found
    return found


def context_of_current_app() -> Runtime:
    """The app's own context (the whole catalogue), for deciding what a principal may see."""
    return flask.current_app.extensions[EXTENSION_KEY]


def context_of(app: dash.Dash) -> Runtime:
    """The context of an app outside a request (tests, CLI)."""
    return app.server.extensions[EXTENSION_KEY]


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the web app; raises ``CatalogueError`` (listing every problem) on a bad catalogue.

    Runs no migrations (``odsk db upgrade`` does) and opens no connection until a request.
    """
    settings = settings or get_settings()
    problem = data_dir_problem(settings)
    if problem is not None:
        log.warning("read-only mode: %s; pages are served, nothing is stored", problem)
    context = Runtime.from_settings(settings, read_only=problem is not None)
    settings = context.settings

    app = OdskDash(
        # Named after app.py at the repository root, so page modules import as ``layouts.<page>``.
        name="app",
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        external_stylesheets=STYLESHEETS,
        external_scripts=[plotly_locale.script_url()],
        suppress_callback_exceptions=True,
        title="Command Centre ODSK",
        # The wall polls every few seconds; a flickering tab title helps nobody.
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (title unchanged) but types str
        index_string=INDEX_STRING,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server = app.server
    server.config["DEBUG"] = settings.debug
    trust_proxies(server, settings.proxy_hops)
    server.extensions[EXTENSION_KEY] = context
    server.register_blueprint(
        flask.Blueprint(
            "odsk_vendor", __name__, static_folder=str(VENDOR_DIR), static_url_path=VENDOR_URL
        )
    )
    install_edge_limits(server, settings)  # 413 before anything reads a large body
    install_log_redaction(logging.getLogger("gunicorn.error"))  # no secret in any log line
    install_before_routes(app, settings)  # sessions, CSRF, the guard, sign-in routes
    register_observability(server)  # /healthz, /metrics and request latency
    register_compression(server)  # brotli/gzip; fingerprinted files cached for a year
    # Plotly's Indonesian locale (anyone: it holds no data); the navigation bar's search
    # index of what the signed-in principal may read.
    route(
        server,
        Rule(Permission.PUBLIC),
        plotly_locale.ROUTE,
        "plotly_locale",
        plotly_locale.locale_response,
    )
    # Plotly's cartesian bundle where dcc.Graph asks for Plotly (the full one for a choropleth).
    plotly_bundle.register(
        server, app.config.routes_pathname_prefix, settings.boundary_geojson is not None
    )
    route(
        server,
        Rule(Permission.READ),
        search.ROUTE,
        "search_index",
        lambda lang: search.index_response(lang, current_context().catalogue),
    )
    opendata_api.register(server, settings)  # /api/v1: public data without a key
    openapi.register(server)  # /api/v1/openapi.json and the docs page
    ckan.register(server, settings)  # /api/3/action/…: a CKAN portal harvests us
    dcat.register(server)  # /data/catalog.jsonld
    embed.register(server, settings)  # /embed/…: panels the provincial website frames
    _register_page_callbacks(app)
    # Dash sets itself up on its first request, racily under gunicorn threads
    # (plotly/dash#3971): do it here, once, before any request arrives.
    with server.test_request_context("/"):
        server.preprocess_request()
    install_after_routes(app, settings)  # CSP over every inline script; every rule present
    install_access_log(server, settings.access_log)  # JSON lines: who asked what, answered how
    return app


def trust_proxies(server: flask.Flask, hops: int) -> None:
    """Behind ``hops`` reverse proxies (nginx), take the client's address, scheme and host
    from the X-Forwarded-* headers those proxies set, and from nothing further left: the audit
    trail, sign-in throttling and Secure cookies then see the real client. Not X-Forwarded-Port:
    the host carries the port as the browser wrote it, which the same-origin check compares."""
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _register_page_callbacks(app: dash.Dash) -> None:
    """Let each page module attach its callbacks to this app (``register_callbacks(app)``).

    Registering on the app rather than with the global ``dash.callback`` keeps two apps
    in one process (tests) from sharing or duplicating callbacks.
    """
    for page in dash.page_registry.values():
        module = sys.modules.get(page["module"])
        register = getattr(module, "register_callbacks", None)
        if register is not None:
            register(app)
