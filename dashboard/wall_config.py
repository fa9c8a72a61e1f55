"""The model of ``config/wall.yaml``: screens, playlists, time-of-day schedules, emergency
takeover, the e-disaster map and named monitors.

Every section has defaults, so a missing file means "every screen, in wall order".
Screens are those of the registry, ``dashboard.views.wall_screens``, which passes them in.
Times in the schedule are WITA (Asia/Makassar, UTC+8, no daylight saving).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dashboard.catalogue.loader import CatalogueError, ConfigIssue, load_optional_file
from dashboard.catalogue.periods import WITA

FILE = "wall.yaml"
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(Strict):
    screen: str = Field(min_length=1)
    dwell_seconds: float = Field(default=30, ge=1, le=3600)


class Playlist(Strict):
    items: list[Item] = Field(min_length=1)


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError("must be a time HH:MM (WITA)")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError("must be a time between 00:00 and 24:00")
    return h * 60 + m


class Slot(Strict):
    """A playlist for a time of day (WITA); ``from`` after ``to`` runs over midnight."""

    playlist: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    days: list[Day] = list(DAYS)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("start", "end")
    @classmethod
    def _time(cls, v: str) -> str:
        _minutes(v)
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> Slot:
        if _minutes(self.start) == _minutes(self.end):
            raise ValueError("'from' and 'to' are the same time: the slot would be empty")
        return self

    @property
    def start_minute(self) -> int:
        return _minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _minutes(self.end)

    def covers(self, weekday: int, minute: int) -> bool:
        """Whether the slot is on at ``minute`` of a WITA day (``weekday`` 0 = Monday).

        An overnight slot belongs to the day it starts: Monday 22:00–06:00 covers
        Tuesday 03:00."""
        start, end = self.start_minute, self.end_minute
        if start < end:
            return DAYS[weekday] in self.days and start <= minute < end
        if minute >= start:
            return DAYS[weekday] in self.days
        return minute < end and DAYS[(weekday - 1) % 7] in self.days


class Origin(Strict):
    name: str = "Manado"
    lat: float = Field(default=1.4748, ge=-90, le=90)
    lon: float = Field(default=124.8421, ge=-180, le=180)


class QuakeRule(Strict):
    enabled: bool = True
    min_magnitude: float = Field(default=5.0, ge=0, le=10)
    max_distance_km: float = Field(default=300, gt=0)
    # A quake older than this never takes over (a backfill of last month's feed, say).
    max_age_minutes: float = Field(default=60, gt=0)
    event_kinds: list[str] = ["earthquake"]


class Takeover(Strict):
    duration_seconds: float = Field(default=300, ge=5, le=3 * 3600)
    critical_alerts: bool = True
    # Distances (the rule's and the e-disaster map's rings) are measured from here.
    origin: Origin = Origin()
    earthquake: QuakeRule = QuakeRule()


class Frame(Strict):
    lat_min: float = -1.3
    lat_max: float = 5.8
    lon_min: float = 120.6
    lon_max: float = 129.2

    @model_validator(mode="after")
    def _ordered(self) -> Frame:
        if not (self.lat_min < self.lat_max and self.lon_min < self.lon_max):
            raise ValueError("lat_min < lat_max and lon_min < lon_max are required")
        return self


class Disaster(Strict):
    """The e-disaster screen: recent earthquakes on the offline coastline map."""

    days: int = Field(default=7, ge=1, le=90)
    max_events: int = Field(default=150, ge=1, le=2000)
    listed: int = Field(default=10, ge=0, le=20)
    frame: Frame = Frame()
    rings_km: list[float] = [100, 200, 300]


class Monitor(Strict):
    """One physical screen of a wall driven by its own browser: ``/wall?monitor=ID``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,60}$")
    playlist: str | None = None
    screen: str | None = None
    start: int = Field(default=0, ge=0)


class WallConfig(Strict):
    heartbeat_seconds: float = Field(default=15, ge=2, le=600)
    default_playlist: str = "utama"
    playlists: dict[str, Playlist] = {}
    schedule: list[Slot] = []
    takeover: Takeover = Takeover()
    disaster: Disaster = Disaster()
    monitors: list[Monitor] = []

    def playlist_at(self, moment: datetime) -> str:
        """The scheduled playlist at a UTC moment (the first slot that covers it, else the default)."""
        local = moment.astimezone(WITA)
        minute = local.hour * 60 + local.minute
        for slot in self.schedule:
            if slot.covers(local.weekday(), minute):
                return slot.playlist
        return self.default_playlist

    def monitor(self, monitor_id: str | None) -> Monitor | None:
        return next((m for m in self.monitors if m.id == monitor_id), None)

    def fingerprint(self) -> str:
        """Changes whenever the configuration does (a wall reloads itself to pick it up)."""
        dumped = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(dumped.encode()).hexdigest()[:16]


def load_wall_config(config_dir: Path | str, screens: Mapping[str, float]) -> WallConfig:
    """Read ``wall.yaml`` (defaults when absent) against the known ``screens`` (id → default
    dwell, in wall order); raise ``CatalogueError`` listing every problem."""
    config = load_optional_file(config_dir, FILE, WallConfig)
    if not config.playlists:
        every = Playlist(items=[Item(screen=s, dwell_seconds=d) for s, d in screens.items()])
        config = config.model_copy(update={"playlists": {config.default_playlist: every}})
    issues = check_against(config, set(screens))
    if issues:
        raise CatalogueError(issues)
    return config


def check_against(config: WallConfig, screens: set[str]) -> list[ConfigIssue]:
    """Screens must exist, playlists named anywhere must be defined, monitor ids unique."""
    names = set(config.playlists)
    issues = []

    def playlist_issue(name: str | None, where: str) -> None:
        if name is not None and name not in names:
            issues.append(
                ConfigIssue(FILE, where, f"playlist '{name}' is not defined under playlists")
            )

    def screen_issue(screen: str | None, where: str) -> None:
        if screen is not None and screen not in screens:
            issues.append(
                ConfigIssue(
                    FILE, where, f"unknown screen '{screen}' (one of {', '.join(sorted(screens))})"
                )
            )

    playlist_issue(config.default_playlist, "default_playlist")
    for name, playlist in config.playlists.items():
        for i, item in enumerate(playlist.items):
            screen_issue(item.screen, f"playlists.{name}.items[{i}].screen")
    for i, slot in enumerate(config.schedule):
        playlist_issue(slot.playlist, f"schedule[{i}].playlist")
    seen: set[str] = set()
    for i, monitor in enumerate(config.monitors):
        if monitor.id in seen:
            issues.append(
                ConfigIssue(FILE, f"monitors[{i}].id", f"'{monitor.id}' is defined more than once")
            )
        seen.add(monitor.id)
        playlist_issue(monitor.playlist, f"monitors[{i}].playlist")
        screen_issue(monitor.screen, f"monitors[{i}].screen")
    return issues
