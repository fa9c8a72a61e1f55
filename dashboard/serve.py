"""Run the WSGI app under gunicorn from Python (``odsk serve``)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi


class _NoBannerResponse(wsgi.Response):
    """gunicorn writes ``Server: gunicorn`` itself (no setting turns it off): drop it, so the
    server does not announce what it runs."""

    def default_headers(self):
        return [h for h in super().default_headers() if not h.lower().startswith("server:")]


def hide_server_banner() -> None:
    setattr(wsgi, "Response", _NoBannerResponse)  # noqa: B010  (read at each request)


class _App(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from app import server

        return server


def run_gunicorn(host: str, port: int, workers: int) -> None:
    from dashboard.edge_limits import gunicorn_limits
    from dashboard.observability import gunicorn_child_exit, prepare_multiprocess_dir
    from dashboard.settings import get_settings

    # Request-latency metrics add up across workers through prometheus_client's multiprocess dir.
    prepare_multiprocess_dir(get_settings().data_dir)
    hide_server_banner()
    _App(
        {
            "child_exit": gunicorn_child_exit,
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 60,
            "graceful_timeout": 10,
            # dashboard/access_log.py writes the access log (JSON lines, user, redacted).
            # Longer than nginx's upstream keepalive_timeout (60 s, deploy/nginx): the proxy
            # closes an idle connection first, never sends a request into one being closed (a 502).
            "keepalive": 75,
            "accesslog": None,
            **gunicorn_limits(),
        }
    ).run()
