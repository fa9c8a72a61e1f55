"""Prepared data for ``/indicator/<code>``: series, year-on-year, map and ranking, table rows, provenance.

Each ``load_*`` does its reads through ``dashboard.store`` and memoises on the data
version of the indicator's domain; the builders turn frames into figures and rows.
Callbacks call these and do nothing else with the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from dashboard import i18n
from dashboard.analysis import aggregate, style
from dashboard.analysis import text as fmt
from dashboard.analysis.figures import (
    AxisNote,
    Points,
    Series,
    basis_text,
    series_figure,
    symbol,
    yoy_figure,
)
from dashboard.analysis.memo import VersionedMemo
from dashboard.analysis.ranking import Ranked, compared, per_capita, rank_regions
from dashboard.analysis.rules import is_percentage, over_regions, over_time
from dashboard.analysis.state import ViewState
from dashboard.analysis.yoy import year_on_year
from dashboard.catalogue import periods
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.status import target_for_period
from dashboard.store import analysis_queries as q
from dashboard.store.annotations import Note, annotations_for
from dashboard.store.provenance import Brief, values_behind


@dataclass(frozen=True)
class Env:
    """What a view needs for one request."""

    engine: Engine
    catalogue: Catalogue
    memo: VersionedMemo
    version: int | None
    today: date


def data_span(env: Env, indicator: Indicator) -> tuple[date, date] | None:
    """First and last period with data: the province's (two seeks), or every region's when it has none."""

    def compute():
        with env.engine.connect() as conn:
            span = q.data_span(conn, indicator.code, indicator.grain, [env.catalogue.province.code])
            if span is None:
                span = q.data_span(
                    conn, indicator.code, indicator.grain, [r.code for r in env.catalogue.regions]
                )
            return span

    return env.memo.get(env.version, ("span", indicator.code), compute)


# --- series ------------------------------------------------------------------------------


def _stored_frame(raw: pd.DataFrame) -> pd.DataFrame:
    frame = raw.copy()
    frame["n"], frame["expected"], frame["complete"], frame["derived"] = 1, 1, True, False
    frame["last_start"] = frame["period_start"]
    return frame


def _missing_province(
    frame: pd.DataFrame, province: str, grain: str, start: date, end: date
) -> list[date]:
    have = set(frame.loc[frame["region_code"] == province, "period_start"])
    return [s for s in periods.starts(start, periods.step(end, "day", -1), grain) if s not in have]


def _runs(starts: list[date], grain: str) -> list[tuple[date, date]]:
    """Consecutive period starts as [first, after) ranges: [Jan, Feb, Mar, Nov] → [Jan–Apr), [Nov–Dec)."""
    runs: list[tuple[date, date]] = []
    for start in starts:
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], periods.step(start, grain))
        else:
            runs.append((start, periods.step(start, grain)))
    return runs


def _compute_series(
    env: Env, indicator: Indicator, regions: tuple[str, ...], grain: str, start: date, end: date
) -> pd.DataFrame:
    fine, rule = indicator.grain, over_time(indicator)
    province = env.catalogue.province.code
    wanted = [province, *regions]
    lookback = date(start.year - 1, 1, 1)  # a year before, for the first year's year-on-year
    stop = min(end, periods.step(periods.bucket(env.today, grain), grain))
    with env.engine.connect() as conn:
        if grain == fine:
            frame = _stored_frame(
                q.stored_values(conn, indicator.code, fine, wanted, lookback, stop)
            )
        else:
            frame = aggregate.with_completeness(
                q.bucket_values(conn, indicator.code, fine, grain, rule, wanted, lookback, stop),
                fine,
                grain,
                rule,
            )
        missing = (
            _missing_province(frame, province, grain, lookback, stop) if stop > lookback else []
        )
        if missing and over_regions(indicator) != "none":
            subs = [r.code for r in env.catalogue.regions if r.kind != "province"]
            population = {r.code: r.population for r in env.catalogue.regions}
            parts = [frame]
            for first, after in _runs(missing, grain):  # only where the province is missing
                regional = aggregate.with_completeness(
                    q.bucket_values(conn, indicator.code, fine, grain, rule, subs, first, after),
                    fine,
                    grain,
                    rule,
                )
                parts.append(
                    aggregate.derive_province(
                        regional, over_regions(indicator), province, subs, population
                    )
                )
            parts = [p for p in parts if not p.empty]
            if parts:
                frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if frame.empty:
        frame = aggregate.empty()
        frame["yoy"] = pd.Series(dtype=float)
        return frame
    frame = frame.sort_values(["region_code", "period_start"]).reset_index(drop=True)
    frame["yoy"] = year_on_year(
        frame, points=is_percentage(indicator), require_complete=rule == "sum"
    )
    return frame[frame["period_start"] >= start].reset_index(drop=True)


def load_series(env: Env, indicator: Indicator, state: ViewState) -> pd.DataFrame:
    """Province and compared regions at the state's grain and range, with ``yoy`` (memoised)."""
    key = ("series", indicator.code, state.regions, state.grain, state.start, state.end, env.today)
    return env.memo.get(
        env.version,
        key,
        lambda: _compute_series(env, indicator, state.regions, state.grain, state.start, state.end),
    )


def series_styles(catalogue: Catalogue, regions: Sequence[str], lang: str = "id") -> list[Series]:
    names = {r.code: r.short_label(lang) for r in catalogue.regions}
    province = catalogue.province
    return [Series(province.code, province.short_label(lang), style.PROVINCE, 3.0)] + [
        Series(code, names.get(code, code), style.region_color(i), 2.0)
        for i, code in enumerate(regions)
    ]


def targets_by_period(
    indicator: Indicator, starts: Sequence[date], grain: str
) -> dict[date, float]:
    out = {}
    for start in starts:
        target = target_for_period(indicator, start, grain)
        if target is not None:
            out[start] = target
    return out


def load_notes(env: Env, indicator: Indicator, state: ViewState) -> list[Note]:
    with env.engine.connect() as conn:
        return annotations_for(
            conn,
            indicator.code,
            state.start,
            state.end,
            regions=(env.catalogue.province.code, *state.regions),
        )


@dataclass(frozen=True)
class SeriesView:
    series: dict
    yoy: dict
    rows: list[dict]
    latest: str


def load_series_view(
    env: Env, indicator: Indicator, state: ViewState
) -> tuple[SeriesView, list[Note]]:
    """The built figures and table for a state (memoised: notes are part of the key)."""
    notes = load_notes(env, indicator, state)
    key = (
        "series-view",
        indicator.code,
        state.regions,
        state.grain,
        state.start,
        state.end,
        state.lang,
        env.today,
        tuple(n.id for n in notes),
    )
    view = env.memo.get(
        env.version,
        key,
        lambda: build_series_view(
            env.catalogue, indicator, state, load_series(env, indicator, state), notes
        ),
    )
    return view, notes


# The data table's rows use short keys (a thousand-row view is a third of the bytes); absent = empty:
# r region code (the grid shows its name), p period label, s period start (ISO), v value,
# y change on the year before, b basis (stored periods / periods in the bucket), n note,
# id observation, rev revision, src source.
TABLE_FIELDS = ("r", "p", "s", "v", "y", "b", "n", "rev", "src", "id")


def split_points(
    catalogue: Catalogue, frame: pd.DataFrame, grain: str, lang: str, decimals: int = 2
) -> tuple[dict[str, Points], list[dict]]:
    """One pass over the frame: per-region points for the figures and the table's rows."""
    digits = decimals + 3
    columns = {
        c: frame[c].tolist()
        for c in (
            "region_code",
            "period_start",
            "value",
            "n",
            "expected",
            "complete",
            "derived",
            "yoy",
        )
    }
    stored = "id" in frame.columns
    extra = {c: frame[c].tolist() for c in ("id", "revision", "source_id")} if stored else {}
    bases: dict[tuple, str] = {}
    isos: dict[date, str] = {}
    notes = {
        (True, False): "",
        (False, False): i18n.label("analyst.incomplete", lang),
        (True, True): i18n.label("analyst.derived", lang),
        (False, True): i18n.label("analyst.derived", lang)
        + ", "
        + i18n.label("analyst.incomplete", lang),
    }
    points: dict[str, Points] = {}
    rows = []
    for i, (region, start, value, n, expected, complete, derived, yoy) in enumerate(
        zip(*columns.values())
    ):
        complete, derived = bool(complete), bool(derived)
        label = fmt.period(start, grain, lang)
        iso = isos.get(start)
        if iso is None:
            iso = isos[start] = start.isoformat()
        yoy = None if yoy is None or yoy != yoy else round(float(yoy), 4)
        part = points.get(region)
        if part is None:
            part = points[region] = Points()
        part.x.append(iso)
        shown = round(
            float(value), digits
        )  # a few digits past the indicator's own: no float noise on the wire
        part.y.append(shown)
        part.label.append(label)
        key = (n, expected, complete, derived)
        if key not in bases:
            bases[key] = basis_text(int(n), int(expected), complete, derived, lang)
        part.basis.append(bases[key])
        part.symbol.append(symbol(complete, derived))
        part.yoy.append(yoy)
        obs_id = extra["id"][i] if stored else None
        row = {"r": region, "p": label, "s": iso, "v": shown, "b": f"{int(n)}/{int(expected)}"}
        if yoy is not None:
            row["y"] = yoy
        if not complete or derived:
            row["n"] = notes[(complete, derived)]
        if obs_id is not None and obs_id == obs_id:  # NaN: no stored row behind this value
            row["id"], row["rev"], row["src"] = (
                int(obs_id),
                int(extra["revision"][i]),
                extra["source_id"][i],
            )
        rows.append(row)
    return points, rows


def build_series_view(
    catalogue: Catalogue,
    indicator: Indicator,
    state: ViewState,
    frame: pd.DataFrame,
    notes: Sequence[Note],
) -> SeriesView:
    lang = state.lang
    points, rows = split_points(catalogue, frame, state.grain, lang, indicator.decimals)
    unit = indicator.unit.get(lang)
    styles = series_styles(catalogue, state.regions, lang)
    newest = max(frame["period_start"], default=state.start)
    last = min(state.end, periods.step(periods.bucket(newest, state.grain), state.grain))
    starts = (
        periods.starts(state.start, periods.step(last, "day", -1), state.grain)
        if last > state.start
        else []
    )
    band = (indicator.band.low, indicator.band.high) if indicator.band else None
    targets = (
        {} if indicator.direction == "band" else targets_by_period(indicator, starts, state.grain)
    )
    if targets and indicator.aggregation.method == "sum" and state.grain != indicator.grain:
        targets = {}  # a flow's target is per stored period; summed buckets are not comparable to it
    last_start = periods.step(last, state.grain, -1) if last > state.start else state.start
    axis_unit = unit
    if over_time(indicator) == "sum" and state.grain != indicator.grain:
        grain_name = i18n.label(f"analyst.grain.{state.grain}", lang).lower()
        axis_unit = i18n.label("analyst.summed", lang, unit=unit, grain=grain_name)
    series = series_figure(
        points,
        styles,
        unit=axis_unit,
        decimals=indicator.decimals,
        targets=targets,
        band=band,
        notes=[AxisNote(n.on_date, n.text) for n in notes],
        grain=state.grain,
        lang=lang,
        first=state.start,
        last=last_start,
    )
    yoy = yoy_figure(
        points,
        styles,
        in_points=is_percentage(indicator),
        grain=state.grain,
        lang=lang,
        first=state.start,
        last=last_start,
    )
    return SeriesView(
        series, yoy, rows, latest_line(points.get(catalogue.province.code), indicator, lang)
    )


def latest_line(province: Points | None, indicator: Indicator, lang: str) -> str:
    if province is None or not province.x:
        return i18n.label("analyst.no_data_range", lang)
    text = f"{province.label[-1]}: {fmt.number(province.y[-1], lang, indicator.decimals)} {indicator.unit.for_count(province.y[-1], lang)}"
    change = province.yoy[-1]
    if change is not None:
        unit = i18n.label("analyst.yoy.pp" if is_percentage(indicator) else "analyst.yoy.pct", lang)
        sign = "+" if change > 0 else ""
        text += (
            f" ({sign}{fmt.number(change, lang, 2)} {unit} {i18n.label('analyst.yoy.short', lang)})"
        )
    return text


# --- map and ranking -------------------------------------------------------------------------


def _compute_period(
    env: Env, indicator: Indicator, grain: str, start: date
) -> dict[str, float | None]:
    fine, rule = indicator.grain, over_time(indicator)
    codes = [r.code for r in env.catalogue.regions]
    with env.engine.connect() as conn:
        frame = aggregate.with_completeness(
            q.bucket_values(
                conn, indicator.code, fine, grain, rule, codes, start, periods.step(start, grain)
            ),
            fine,
            grain,
            rule,
        )
    province = env.catalogue.province.code
    subs = [c for c in codes if c != province]
    population = {r.code: r.population for r in env.catalogue.regions}
    frame = aggregate.with_derived_province(
        frame, over_regions(indicator), province, subs, population
    )
    values: dict[str, float | None] = dict.fromkeys(codes)
    values.update({r: float(v) for r, v in zip(frame["region_code"], frame["value"])})
    return values


def load_period(env: Env, indicator: Indicator, grain: str, start: date) -> dict[str, float | None]:
    """Every region's value (province included, derived if unreported) in one period."""
    return env.memo.get(
        env.version,
        ("period", indicator.code, grain, start),
        lambda: _compute_period(env, indicator, grain, start),
    )


def ranking(env: Env, indicator: Indicator, values: dict[str, float | None]) -> list[Ranked]:
    """The kab/kota by the indicator's direction; counts per 100,000 residents (each keeps its count)."""
    population = {r.code: r.population for r in env.catalogue.regions if r.kind != "province"}
    band = indicator.band
    by_rate = per_capita(indicator.direction, indicator.aggregation.method)
    regional = {c: v for c, v in values.items() if c in population}
    ranked = rank_regions(
        compared(regional, population, by_rate),
        indicator.direction,
        band.low if band else None,
        band.high if band else None,
    )
    if not by_rate:
        return ranked
    return [Ranked(r.region_code, regional[r.region_code], r.rank, r.value) for r in ranked]


# --- provenance panel ------------------------------------------------------------------------


def load_behind(
    env: Env, indicator: Indicator, region: str, grain: str, start: date
) -> tuple[list[Brief], bool]:
    """The stored values behind one shown figure; (values, derived from the kab/kota)."""
    end = periods.step(start, grain)
    with env.engine.connect() as conn:
        found = values_behind(conn, indicator.code, [region], indicator.grain, start, end)
        if found or region != env.catalogue.province.code:
            return found, False
        subs = [r.code for r in env.catalogue.regions if r.kind != "province"]
        return values_behind(conn, indicator.code, subs, indicator.grain, start, end), True
