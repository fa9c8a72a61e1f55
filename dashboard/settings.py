"""Runtime settings, read from the environment (prefix ``ODSK_``)."""

from __future__ import annotations

import tempfile
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
    # A scheduler's lease on itself and its source locks (renewed every third of it), and
    # how often each scheduler closes runs whose owner stopped renewing: a killed
    # scheduler's runs are closed within lease + housekeeping seconds.
    lease_seconds: float = Field(default=30.0, gt=0)
    housekeeping_seconds: float = Field(default=15.0, gt=0)
    # The host name a scheduler records (default: the machine's). Schedulers on one host
    # give up a dead one's runs at once (its pid is gone); containers that share a host
    # name but not a pid namespace must set distinct names here.
    instance_host: str | None = None
    debug: bool = False
    # --- limits and logs at the edge (dashboard/edge_limits.py, dashboard/access_log.py) ---
    # Largest request body (an upload of 20 MB arrives base64-encoded, about 27 MB).
    max_request_mb: float = Field(default=32.0, gt=0, le=1024)
    # /healthz fails when the payload archive's disk has less free space than this.
    min_free_disk_mb: float = Field(default=512.0, ge=0)
    access_log: str | None = Field(
        default="-", description='JSON lines per request: "-" = stdout, a file path, "" = off'
    )
    drop_dir: Path | None = Field(
        default=None,
        description="SKPD file drop folder (inbox/, done/, rejected/); default: <data dir>/drop",
    )
    # How often the scheduler looks into the drop folder's inbox.
    drop_scan_seconds: float = 10.0
    boundary_geojson: Path | None = Field(
        default=None, description="GeoJSON of kab/kota boundaries; none = tile-grid map"
    )
    # --- access control (dashboard/access) ---
    secret_key: str | None = Field(
        default=None, description="signs session cookies; none = a key kept in the data dir"
    )
    secure_cookies: bool = Field(default=False, description="Secure cookies + HSTS (behind TLS)")
    session_idle_minutes: float = Field(default=60, gt=0)
    login_limit_account: str = "5 per 15 minutes"
    login_limit_address: str = "30 per 15 minutes"
    # The open-data API (/api/v1, CKAN subset): per API key, else per address.
    api_rate_limit: str = "600 per minute"
    # Sites allowed to frame /embed/… panels (CSP frame-ancestors), e.g. https://sulutprov.go.id
    embed_origins: list[str] = Field(default_factory=list)
    metrics_token: str | None = Field(default=None, description="bearer token for /metrics")
    oidc_issuer: str | None = Field(default=None, description="the province's SSO issuer URL")
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_groups_claim: str = "groups"
    # Group → role ("admin", or "skpd_officer:dinkes,bkd"); the first role in ROLE_ORDER wins.
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    oidc_scope: str = "openid profile email"
    # --- behind a reverse proxy (deploy/nginx) ---
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host: the app
    # believes exactly that many hops (werkzeug's ProxyFix), so a client cannot forge its
    # address. 0 = no proxy: the headers are ignored.
    proxy_hops: int = Field(default=0, ge=0, le=5, description="trusted X-Forwarded-* hops")

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

    @property
    def followup_dir(self) -> Path:
        """Attachments of follow-up answers, content-addressed."""
        return self.data_dir / "archive" / "followup"


def data_dir_problem(settings: Settings) -> str | None:
    """Why the data directory cannot be written (it holds the SQLite store, the payload
    archive, the session key), or None when a file can be created in it."""
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            return None
    except OSError as exc:
        return f"{path} is not writable ({exc.strerror or type(exc).__name__})"


def get_settings(**overrides: Any) -> Settings:
    """A fresh Settings each call: nothing is cached in module globals."""
    return Settings(**overrides)
