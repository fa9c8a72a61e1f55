"""WSGI entry point: ``gunicorn app:server``; ``python app.py`` runs the development server."""

from __future__ import annotations

import os
import sys

from dashboard.catalogue.loader import CatalogueError
from dashboard.webapp import create_app

try:
    app = create_app()
except CatalogueError as exc:
    # Refuse to start, with the same messages as `odsk check-config`.
    sys.exit(f"invalid catalogue, refusing to start:\n{exc}")
server = app.server

if __name__ == "__main__":
    settings = server.extensions["odsk"].settings
    app.run(
        host=os.environ.get("ODSK_HOST", "127.0.0.1"),
        port=int(os.environ.get("ODSK_PORT", "8050")),
        debug=settings.debug,
    )
