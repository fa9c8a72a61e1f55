"""Retention: how long archived payloads, run records and quarantined rows are kept.

The policy is ``config/retention.yaml`` (optional; defaults below): every run and its
payload for ``runs_full_days``, after that only runs that stored or changed something
(and each source's latest run and latest success); quarantined rows for
``quarantine_days``. The scheduler prunes every ``prune_every_hours``; ``odsk prune
--dry-run`` prints what a prune would free (files, bytes, rows) without deleting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dashboard.archive import payload_path
from dashboard.catalogue.loader import load_optional_file
from dashboard.runtime import Runtime
from dashboard.store import retention as store
from dashboard.store.engine import begin_write

log = logging.getLogger(__name__)

FILE = "retention.yaml"


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    runs_full_days: int = Field(default=90, ge=1)
    quarantine_days: int = Field(default=365, ge=1)
    prune_every_hours: float = Field(default=24, gt=0)


def load_policy(config_dir: Path | str) -> RetentionPolicy:
    return load_optional_file(config_dir, FILE, RetentionPolicy)


@dataclass(frozen=True)
class PruneReport:
    dry_run: bool
    runs: int
    quarantined_rows: int
    payload_files: int
    payload_bytes: int

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "dry_run": self.dry_run,
            "runs": self.runs,
            "quarantined_rows": self.quarantined_rows,
            "payload_files": self.payload_files,
            "payload_bytes": self.payload_bytes,
        }

    def line(self) -> str:
        verb = "would free" if self.dry_run else "freed"
        return (
            f"prune {verb}: {self.payload_files} payload files ({self.payload_bytes} bytes), "
            f"{self.runs} run records, {self.quarantined_rows} quarantined rows"
        )


def prune(
    rt: Runtime,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    policy: RetentionPolicy | None = None,
) -> PruneReport:
    """Apply the policy (or, with ``dry_run``, only count what it would delete)."""
    policy = policy or load_policy(rt.settings.config_dir)
    now = now or datetime.now(UTC)
    runs_before = now - timedelta(days=policy.runs_full_days)
    quarantine_before = now - timedelta(days=policy.quarantine_days)
    with begin_write(rt.engine) as conn:
        plan = store.prune(conn, runs_before, quarantine_before)
        if dry_run:
            conn.rollback()  # the same deletes, undone: the figures are exact
    if not dry_run:
        # Files go only after their rows are gone: a crash between leaves a stray file,
        # never a row pointing at nothing.
        for sha, _, _ in plan.payloads:
            payload_path(rt.settings.payload_dir, sha).unlink(missing_ok=True)
    report = PruneReport(
        dry_run, len(plan.runs), plan.quarantined_rows, len(plan.payloads), plan.payload_bytes
    )
    log.info(report.line())
    return report
