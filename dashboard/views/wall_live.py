"""The wall's live check: what moved since a screen drew itself, and what should take it over.

This is the hot path (every wall screen, every few seconds), so it reads as little as it can:

- the data versions: Redis when configured, else one read of the tiny ``data_version`` table
  on the same connection as the rest (one checkout, one transaction per poll);
- the heads of the *open* alerts: an index scan of the partial index on open alerts, however
  long the alert history (gives both the alerts screen's version and critical takeovers);
- the earthquake rule only when the ``events`` version moved, or a quake is taking over now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dashboard.alerts.silences import active_silences, silence_for
from dashboard.store.queries import data_versions, heads_fingerprint, open_alert_heads
from dashboard.versions import ChangeSignal
from dashboard.views.wall_alerts import (
    Trigger,
    alert_triggers,
    newest_first,
    quake_candidates,
    quake_triggers,
)
from dashboard.wall_config import WallConfig

# Always watched: new earthquakes can take over a screen that shows none of them.
EVENTS = "events"


@dataclass(frozen=True)
class LiveState:
    versions: dict[str, object]
    triggers: list[Trigger]

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.triggers]


def live_state(
    engine: Engine,
    signal: ChangeSignal,
    config: WallConfig,
    scopes: Iterable[str],
    now: datetime,
    drawn: Mapping[str, Any] | None = None,
) -> LiveState:
    """Versions of ``scopes`` (plus ``events``) and the takeover triggers.

    ``drawn`` (what the screen last drew) lets the earthquake rule be skipped when no event
    was stored since and no quake is taking over."""
    scopes = set(scopes) | {EVENTS}
    drawn_versions = (drawn or {}).get("versions") or {}
    drawn_keys = (drawn or {}).get("takeover") or []
    with engine.connect() as conn:
        stored = signal.current() if signal.redis is not None else data_versions(conn)
        versions: dict[str, object] = {s: stored.get(s) for s in sorted(scopes) if s != "alerts"}
        heads = open_alert_heads(conn)
        # A silenced critical alert stays on the alerts screen but takes nothing over.
        silences = (
            active_silences(conn, now) if any(h.severity == "critical" for h in heads) else []
        )
        check_quakes = (
            drawn is None
            or drawn_versions.get(EVENTS, "∅") != versions[EVENTS]
            or any(k.startswith("quake:") for k in drawn_keys)
        )
        quakes = quake_candidates(conn, config, now) if check_quakes else []
    if "alerts" in scopes:
        versions["alerts"] = heads_fingerprint(heads)
    loud = [h for h in heads if silence_for(silences, h.rule_id, h.subject) is None]
    triggers = newest_first(
        [*quake_triggers(quakes, config, now), *alert_triggers(loud, config, now)]
    )
    return LiveState(versions, triggers)
