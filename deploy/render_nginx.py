"""Render deploy/nginx/odsk.conf.template into an nginx site (stdout, or --out FILE).

    .venv/bin/python deploy/render_nginx.py --server-name cc.sulutprov.go.id \\
        --web 127.0.0.1:8001 --web 127.0.0.1:8002 > /etc/nginx/sites-available/odsk

Every ``{{NAME}}`` of the template must be given (a default counts); a placeholder left
over, or a value that would break out of its directive, is refused. Standard library only,
so it runs before the application is installed. The tests render the same template.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx" / "odsk.conf.template"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# A value is one nginx token: no spaces, quotes, semicolons or braces.
SAFE_VALUE = re.compile(r"[^\s;{}'\"#]+")


def vendor_dir() -> str:
    """Where the installed Bootstrap-Flask package keeps Bootstrap 5 (served at /vendor/bootstrap5)."""
    try:
        import flask_bootstrap
    except ImportError:
        return "/opt/odsk/.venv/lib/python3.11/site-packages/flask_bootstrap/static/bootstrap5"
    return str(Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5")


def defaults() -> dict[str, str]:
    return {
        "SERVER_NAME": "_",
        "HTTP_LISTEN": "80",
        "HTTPS_LISTEN": "443",
        "TLS_CERTIFICATE": "/etc/ssl/certs/odsk.pem",
        "TLS_CERTIFICATE_KEY": "/etc/ssl/private/odsk.key",
        "MAX_BODY": "32m",  # = ODSK_MAX_REQUEST_MB: the app and the proxy refuse the same size
        "ASSETS_DIR": str(HERE.parent / "assets"),
        "VENDOR_DIR": vendor_dir(),
        "LOG_DIR": "/var/log/nginx",
    }


def render(web: list[str], template: Path = TEMPLATE, **values: str) -> str:
    """The site for web nodes ``web`` (``host:port`` each), with ``values`` over the defaults."""
    if not web:
        raise ValueError("at least one web node (--web host:port) is needed")
    filled = defaults() | {k.upper(): str(v) for k, v in values.items()}
    for node in web:
        if not re.fullmatch(r"[\w.\-\[\]:]+:\d+", node):
            raise ValueError(f"web node {node!r}: expected host:port")
    for name, value in filled.items():
        if not SAFE_VALUE.fullmatch(value):
            raise ValueError(f"{name}={value!r}: not a single nginx token")
    filled["UPSTREAM_SERVERS"] = "\n".join(
        f"    server {node} max_fails=1 fail_timeout=10s;" for node in web
    )
    text = template.read_text()
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(filled))
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: filled[m.group(1)], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", action="append", default=[], help="a web node, host:port")
    for name, value in defaults().items():
        parser.add_argument(f"--{name.lower().replace('_', '-')}", default=value)
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = vars(parser.parse_args(argv))
    web, out = args.pop("web"), args.pop("out")
    try:
        text = render(web, **args)
    except ValueError as exc:
        print(f"render_nginx: {exc}", file=sys.stderr)
        return 2
    if out:
        out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
