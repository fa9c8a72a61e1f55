"""Runtime settings, read from the environment (prefix ``ODSK_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ODSK_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite under the data dir"
    )
    redis_url: str | None = Field(default=None, description="redis://…; none = in-process fallback")
    config_dir: Path = PROJECT_ROOT / "config"
    data_dir: Path = PROJECT_ROOT / "var"
    language: str = "id"
    timezone: str = "Asia/Makassar"
    # How often a wall browser asks whether the data version moved.
    wall_poll_seconds: float = 5.0
    scheduler_heartbeat_seconds: float = 15.0
    debug: bool = False
    drop_dir: Path | None = Field(
        default=None,
        description="SKPD file drop folder (inbox/, done/, rejected/); default: <data dir>/drop",
    )
    # How often the scheduler looks into the drop folder's inbox.
    drop_scan_seconds: float = 10.0
    boundary_geojson: Path | None = Field(
        default=None, description="GeoJSON of kab/kota boundaries; none = tile-grid map"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'odsk.sqlite3').resolve()}"

    @property
    def resolved_drop_dir(self) -> Path:
        return self.drop_dir or self.data_dir / "drop"

    @property
    def payload_dir(self) -> Path:
        return self.data_dir / "payloads"


def get_settings(**overrides: Any) -> Settings:
    """A fresh Settings each call: nothing is cached in module globals."""
    return Settings(**overrides)
