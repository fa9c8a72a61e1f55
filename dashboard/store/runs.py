"""A collection run as every reader of ``collection_run`` sees it (health, wall, provenance)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

# A run that stored data; a run that has ended (a 'running' one has no verdict yet).
SUCCESS_STATUSES = ("ok", "partial")
FINISHED_STATUSES = ("ok", "partial", "failed")


@dataclass(frozen=True)
class RunRecord:
    id: int
    source_id: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_accepted: int
    rows_rejected: int
    rows_changed: int
    error_class: str | None
    message: str | None
    message_id: str | None
    replay_of: int | None
    payload_sha256: str | None
    # Events (earthquakes) the payload held and how many were new or changed; the file
    # a drop or upload run read.
    events_accepted: int
    events_changed: int
    file_name: str | None

    @classmethod
    def from_row(cls, row, **extra):
        """From a selected ``collection_run`` row (plus any fields a subclass adds)."""
        values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra}
        return cls(**values, **extra)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_STATUSES

    @property
    def ended_at(self) -> datetime:
        return self.finished_at or self.started_at

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)
