"""What a process needs to work with the store: settings, catalogue, engine, change signal.

Built once per process (CLI command, scheduler, web worker: the web app keeps it on
``server.extensions[EXTENSION_KEY]``, ``webapp.current_context()``) and passed along;
nothing here is a module global.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import Engine

from dashboard.catalogue import Catalogue, CatalogueError, load_catalogue
from dashboard.regions import RegionRegistry
from dashboard.settings import Settings, get_settings
from dashboard.store.engine import make_engine, read_only_url
from dashboard.versions import ChangeSignal

# Where the web app keeps its per-process context (``flask.current_app.extensions[…]``).
EXTENSION_KEY = "odsk"


@dataclass
class Runtime:
    settings: Settings
    catalogue: Catalogue
    engine: Engine
    # The data directory cannot be written: pages are served, nothing is stored (a banner says so).
    read_only: bool = False

    @classmethod
    def from_settings(cls, settings: Settings | None = None, read_only: bool = False) -> Runtime:
        settings = settings or get_settings()
        catalogue = load_catalogue(settings.config_dir)
        url = settings.resolved_database_url
        engine = make_engine(read_only_url(url) if read_only else url)
        return cls(settings, catalogue, engine, read_only)

    @cached_property
    def regions(self) -> RegionRegistry:
        return RegionRegistry(self.catalogue.regions)

    @cached_property
    def signal(self) -> ChangeSignal:
        return ChangeSignal(self.engine, self.settings.redis_url)

    def with_catalogue(self, catalogue: Catalogue) -> Runtime:
        """The same process handles with another view of the catalogue (a principal's):
        the change signal (and its Redis client) stays the process's one."""
        other = replace(self, catalogue=catalogue)
        other.__dict__["signal"] = self.signal  # primes the cached_property
        return other

    def close(self) -> None:
        self.engine.dispose()


def print_issues(exc: CatalogueError) -> None:
    for issue in exc.issues:
        print(issue, file=sys.stderr)
    print(f"{len(exc.issues)} problem(s) in the catalogue; nothing was started.", file=sys.stderr)


def prepared_runtime(migrate: bool = True) -> Runtime:
    """For a command-line process (``odsk …``, the demo): settings → catalogue → store,
    migrated and synced. An invalid catalogue is listed on stderr and the process exits."""
    from dashboard.store.catalogue_sync import sync_catalogue
    from dashboard.store.migrate import startup_lock, upgrade

    settings = get_settings()
    try:
        rt = Runtime.from_settings(settings)
    except CatalogueError as exc:
        print_issues(exc)
        sys.exit(1)
    with startup_lock(rt.engine):  # schedulers started together migrate and sync one at a time
        if migrate:
            upgrade(settings.resolved_database_url)
        sync_catalogue(rt.engine, rt.catalogue)
    return rt
