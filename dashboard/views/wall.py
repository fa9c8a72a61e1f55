"""What the wall shows, per domain: headline tiles, their freshness, collector health."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dashboard import i18n
from dashboard.catalogue.models import DOMAIN_ORDER, Catalogue, Indicator
from dashboard.status import Status, Tone, change_tone, indicator_status, target_for_period
from dashboard.store.queries import CollectorHealth, LatestPair, SourceRuns, source_stale

HEADLINES_PER_DOMAIN = 3

Arrow = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class Freshness:
    text: str  # "diambil 5 menit lalu"
    stale: bool
    fetched_at: datetime | None


@dataclass(frozen=True)
class TileView:
    code: str
    name: str
    unit: str
    value: str | None  # formatted for the language; None without data
    status: Status
    status_label: str
    target: str | None  # "target 18,0" or "60–85"
    change_arrow: Arrow | None  # None: nothing to compare with
    change_amount: str | None  # magnitude of the change, formatted
    change_tone: Tone
    change_label: str  # "vs Sep 2026" or why there is no change
    period: str | None
    freshness: Freshness
    source_id: str | None
    ingested_at: datetime | None
    history: tuple[
        float, ...
    ] = ()  # recent periods, oldest first (domain screens draw a sparkline)

    def freshness_inputs(self) -> dict:
        """What the periodic freshness refresh needs to redo ``freshness`` (JSON-safe)."""
        return fetched_inputs(self.source_id, self.ingested_at)


def fetched_inputs(source_id: str | None, stored_at: datetime | None) -> dict:
    return {
        "kind": "fetched",
        "source": source_id,
        "ingested_at": stored_at.isoformat() if stored_at else None,
    }


def ago_inputs(at: datetime) -> dict:
    """A plain "5 menit lalu" that the freshness refresh keeps current."""
    return {"kind": "ago", "at": at.isoformat()}


@dataclass(frozen=True)
class PanelView:
    domain_id: str
    name: str
    tiles: tuple[TileView, ...]


@dataclass(frozen=True)
class HealthView:
    ok: int
    failing: int
    never_run: int
    ok_text: str
    failing_text: str
    never_text: str | None  # only when some source never ran
    attention: int = 0  # late or unstable
    attention_text: str | None = None  # only when some source is late or unstable


def headline_indicators(catalogue: Catalogue, domain_id: str) -> list[Indicator]:
    """The domain's headline indicators; its first ones when none is flagged."""
    indicators = catalogue.indicators_of_domain(domain_id)
    flagged = [i for i in indicators if i.headline]
    return (flagged or indicators)[:HEADLINES_PER_DOMAIN]


def freshness(
    source_id: str | None,
    ingested_at: datetime | None,
    runs: Mapping[str, SourceRuns],
    catalogue: Catalogue,
    now: datetime,
    lang: str,
) -> Freshness:
    """When the data was last fetched and whether its source has fallen behind its schedule.

    "Fetched" is the source's last successful run (a run that changed nothing still
    proves the figure current); without one, when the row was stored.
    """
    entry = runs.get(source_id) if source_id else None
    success_at = entry.last_success_at if entry else None
    fetched_at = success_at or ingested_at
    stale = False
    try:
        source = catalogue.source(source_id) if source_id else None
    except KeyError:
        source = None  # an upload or a source since removed: no schedule to judge by
    if source is not None and source.enabled:
        stale = source_stale(catalogue, source.id, entry, now)
    if fetched_at is None:
        return Freshness(i18n.label("age.unknown", lang), stale, None)
    return Freshness(
        i18n.label("age.fetched", lang, age=i18n.age(fetched_at, now, lang)), stale, fetched_at
    )


def _target_text(indicator: Indicator, pair: LatestPair | None, lang: str) -> str | None:
    if indicator.direction == "band" and indicator.band:
        low = i18n.number(indicator.band.low, lang, indicator.decimals)
        high = i18n.number(indicator.band.high, lang, indicator.decimals)
        return i18n.label("target.band", lang, low=low, high=high)
    if pair is None:
        return None
    target = target_for_period(indicator, pair.latest.period_start, pair.latest.grain)
    if target is None:
        return None
    return i18n.label("target", lang, value=i18n.number(target, lang, indicator.decimals))


def tile_view(
    indicator: Indicator,
    pair: LatestPair | None,
    runs: Mapping[str, SourceRuns],
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    history: tuple[float, ...] = (),
) -> TileView:
    name, unit = indicator.name.get(lang), indicator.unit.get(lang)
    if pair is None:
        # No value yet: still say whether the source that should bring it is alive.
        feeding = catalogue.sources_feeding(indicator.code)
        source_id = feeding[0].id if feeding else None
        return TileView(
            code=indicator.code,
            name=name,
            unit=unit,
            value=None,
            status="no_data",
            status_label=i18n.label("status.no_data", lang),
            target=_target_text(indicator, None, lang),
            change_arrow=None,
            change_amount=None,
            change_tone="neutral",
            change_label=i18n.label("change.none", lang),
            period=None,
            freshness=freshness(source_id, None, runs, catalogue, now, lang),
            source_id=source_id,
            ingested_at=None,
        )
    latest, previous = pair.latest, pair.previous
    status = indicator_status(indicator, latest.value, latest.period_start, latest.grain)
    arrow: Arrow | None = None
    amount = None
    label = i18n.label("change.none", lang)
    tone: Tone = "neutral"
    if previous is not None:
        delta = latest.value - previous.value
        # Compare at the precision shown, so "0,0" never comes with an arrow.
        shown = round(delta, indicator.decimals)
        arrow = "up" if shown > 0 else "down" if shown < 0 else "flat"
        amount = i18n.number(abs(delta), lang, indicator.decimals)
        label = i18n.label(
            "change.vs", lang, period=i18n.period(previous.period_start, previous.grain, lang)
        )
        band = indicator.band
        tone = (
            "neutral"
            if arrow == "flat"
            else change_tone(
                previous.value,
                latest.value,
                direction=indicator.direction,
                band_low=band.low if band else None,
                band_high=band.high if band else None,
            )
        )
    return TileView(
        code=indicator.code,
        name=name,
        unit=indicator.unit.for_count(latest.value, lang),
        value=i18n.number(latest.value, lang, indicator.decimals),
        status=status,
        status_label=i18n.label(f"status.{status}", lang),
        target=_target_text(indicator, pair, lang),
        change_arrow=arrow,
        change_amount=amount,
        change_tone=tone,
        change_label=label,
        period=i18n.period(latest.period_start, latest.grain, lang),
        freshness=freshness(latest.source_id, latest.ingested_at, runs, catalogue, now, lang),
        source_id=latest.source_id,
        ingested_at=latest.ingested_at,
        history=history,
    )


def panel_view(
    catalogue: Catalogue,
    domain_id: str,
    latest: Mapping[str, LatestPair],
    runs: Mapping[str, SourceRuns],
    now: datetime,
    lang: str,
) -> PanelView:
    domain = catalogue.domain(domain_id)
    tiles = tuple(
        tile_view(i, latest.get(i.code), runs, catalogue, now, lang)
        for i in headline_indicators(catalogue, domain_id)
    )
    return PanelView(domain_id=domain_id, name=domain.name.get(lang), tiles=tiles)


def health_view(health: CollectorHealth, lang: str) -> HealthView:
    ok, failing, never = len(health.ok), len(health.failing), len(health.never_run)
    late = len(health.attention)
    return HealthView(
        ok=ok,
        failing=failing,
        never_run=never,
        ok_text=i18n.label("health.ok", lang, n=ok),
        failing_text=i18n.label("health.failing", lang, n=failing),
        never_text=i18n.label("health.never", lang, n=never) if never else None,
        attention=late,
        attention_text=i18n.label("health.attention", lang, n=late) if late else None,
    )


def wall_domains(catalogue: Catalogue) -> list[str]:
    """The domains in wall order (the fixed order of DESIGN.md), as far as the catalogue has them."""
    present = {d.id for d in catalogue.domains}
    return [d for d in DOMAIN_ORDER if d in present]


# --- I/O glue ------------------------------------------------------------------


def refresh_freshness(
    inputs: Mapping[str, dict],
    runs: Mapping[str, SourceRuns],
    catalogue: Catalogue,
    now: datetime,
    lang: str,
) -> dict[str, Freshness]:
    """Freshness per key from the ``freshness_inputs`` / ``ago_inputs`` the page keeps (no observation query).

    Keys of other kinds (the alerts screen's evaluation time) are left to their own screen."""
    out = {}
    for key, entry in inputs.items():
        kind = entry.get("kind", "fetched")
        if kind == "ago":
            at = datetime.fromisoformat(entry["at"])
            out[key] = Freshness(i18n.age(at, now, lang), False, at)
        elif kind == "fetched":
            ingested = entry.get("ingested_at")
            out[key] = freshness(
                entry.get("source"),
                datetime.fromisoformat(ingested) if ingested else None,
                runs,
                catalogue,
                now,
                lang,
            )
    return out
