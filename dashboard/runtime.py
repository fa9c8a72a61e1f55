"""What a process needs to work with the store: settings, catalogue, engine, change signal.

Built once per process (CLI command, scheduler, web worker) and passed along;
nothing here is a module global.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from dashboard.catalogue import Catalogue, load_catalogue
from dashboard.regions import RegionRegistry
from dashboard.settings import Settings, get_settings
from dashboard.store.engine import make_engine
from dashboard.versions import ChangeSignal


@dataclass
class Runtime:
    settings: Settings
    catalogue: Catalogue
    engine: Engine

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or get_settings()
        catalogue = load_catalogue(settings.config_dir)
        return cls(settings, catalogue, make_engine(settings.resolved_database_url))

    @cached_property
    def regions(self) -> RegionRegistry:
        return RegionRegistry(self.catalogue.regions)

    @cached_property
    def signal(self) -> ChangeSignal:
        return ChangeSignal(self.engine, self.settings.redis_url)

    def close(self) -> None:
        self.engine.dispose()
