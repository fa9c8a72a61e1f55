"""What the scorecard page (``/``) shows: prepared text for every cell, list and filter.

``overview_page`` is pure (scorecard + ranking + now + language in); ``load_overview``
does the reading. The brief (page, PDF, workbook) formats through the same
``dashboard.scorecard.format`` helpers, so every surface shows the same figures.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import quote

from babel.dates import format_date
from sqlalchemy import Engine

from dashboard import i18n
from dashboard.catalogue.models import DOMAIN_ORDER, Catalogue, Indicator, Plans
from dashboard.scorecard import format as fmt
from dashboard.scorecard.build import Scorecard, load_ranking, load_scorecard
from dashboard.scorecard.followups import FollowupSummary, load_summary
from dashboard.scorecard.labels import label
from dashboard.scorecard.lists import MissingSkpd, StaleIndicator
from dashboard.scorecard.owners import SkpdExceptions, exceptions_by_skpd, only_skpd, short_name
from dashboard.scorecard.periods import AsOf
from dashboard.scorecard.ranking import Ranking
from dashboard.scorecard.rows import Change, DomainScore, IndicatorRow
from dashboard.views.followup import label as followup_label

FIRST_YEAR = 2022
STATUS_COLOURS = {
    "on_track": "#3ddbb3",
    "at_risk": "#ffc53d",
    "behind": "#ff7a66",
    "no_target": "#aab7c9",
    "no_data": "#8795a8",
}


@dataclass(frozen=True)
class ChangeView:
    amount: str  # "+0,8"
    pct: str | None  # "+3,9%"
    tone: str  # good, bad, neutral
    vs: str  # "vs Sep 2026"


@dataclass(frozen=True)
class RowView:
    code: str
    name: str
    unit: str
    value: str | None
    period: str | None
    target: str
    plan: str | None
    status: str
    status_label: str
    gap: str | None
    vs_previous: ChangeView | None
    vs_year_ago: ChangeView | None
    spark: str | None  # an SVG data URI
    points: str
    owner: str | None = None  # the responsible SKPD's short name


@dataclass(frozen=True)
class DomainView:
    domain_id: str
    name: str
    tagline: str
    score: str
    score_value: float | None
    formula: str
    excluded: str | None
    counts: tuple[tuple[str, str, int], ...]  # (status, label, n) with n > 0
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class ListItem:
    code: str | None
    title: str
    detail: str
    tone: str  # status or good/bad
    owner: str | None = None  # the responsible SKPD's short name
    skpd: str | None = None  # its id (a follow-up is assigned to it)
    # the exception's kind, for a follow-up: behind, at_risk, stale, missing
    kind: str | None = None
    subject: str | None = None  # what a follow-up on it is about (an indicator code)
    followup: tuple[int, str] | None = None  # (id, status label) of its follow-up, if any


@dataclass(frozen=True)
class RankRow:
    rank: str
    region: str
    value: str
    value_number: float | None
    status: str
    status_label: str
    change: str | None
    tone: str
    per_100k: str | None = None  # counts: per 100,000 residents (what is ranked and charted)


@dataclass(frozen=True)
class RankingView:
    code: str
    name: str
    unit: str
    rule: str
    note: str | None
    empty: str | None
    rows: tuple[RankRow, ...]
    target: float | None
    band: tuple[float, float] | None
    per_capita: bool = False


@dataclass(frozen=True)
class Filters:
    year: int | None  # None: latest
    month: int | None
    region: str
    years: tuple[tuple[str, str], ...]  # (value, label)
    months: tuple[tuple[str, str], ...]
    regions: tuple[tuple[str, str], ...]
    indicators: tuple[tuple[str, str], ...]
    skpd: str | None = None  # None: every SKPD
    skpds: tuple[tuple[str, str], ...] = ()  # (id, short name)


@dataclass(frozen=True)
class SkpdGroup:
    skpd: str
    name: str  # short name
    summary: str  # "3 di bawah target, 1 data terlambat"
    selected: bool


@dataclass(frozen=True)
class OverviewPage:
    title: str
    subtitle: str
    generated: str
    domains: tuple[DomainView, ...]
    behind: tuple[ListItem, ...]
    at_risk: tuple[ListItem, ...]
    movers_good: tuple[ListItem, ...]
    movers_bad: tuple[ListItem, ...]
    stale: tuple[ListItem, ...]
    missing: tuple[ListItem, ...]
    missing_note: str
    ranking: RankingView
    filters: Filters
    regional_note: str | None
    query: dict  # the filters as URL parameters (period, region, rank, skpd)
    by_skpd: tuple[SkpdGroup, ...] = ()


# --- pieces -----------------------------------------------------------------------


def change_view(change: Change | None, indicator: Indicator, lang: str) -> ChangeView | None:
    if change is None:
        return None
    # A percentage changes in points: its relative change is not shown.
    pct = (
        fmt.signed_pct(change.pct, lang)
        if change.pct is not None and not indicator.is_percent
        else None
    )
    amount = fmt.signed(change.delta, indicator, lang)
    if indicator.is_percent:
        amount = f"{amount} {label('score.pp', lang)}"
    return ChangeView(amount, pct, change.tone, fmt.change_vs(change, lang))


def sparkline_svg(
    values: list[float], colour: str, width: int = 120, height: int = 28
) -> str | None:
    """A small SVG polyline as a data URI; the last point drawn as a dot in ``colour``."""
    if len(values) < 2:
        return None
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 3
    xs = [pad + i * (width - 2 * pad) / (len(values) - 1) for i in range(len(values))]
    ys = [height - pad - (v - low) / span * (height - 2 * pad) for v in values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><polyline fill="none" stroke="#9fb0c6" stroke-width="1.5" '
        f'stroke-linejoin="round" points="{points}"/><circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="3" '
        f'fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def row_view(row: IndicatorRow, lang: str, catalogue: Catalogue | None = None) -> RowView:
    ind, latest = row.indicator, row.latest
    return RowView(
        code=ind.code,
        name=ind.name.get(lang),
        unit=ind.unit.for_count(latest.value, lang) if latest else ind.unit.get(lang),
        value=fmt.num(latest.value, ind, lang) if latest else None,
        period=fmt.period_text(latest.period_start, latest.grain, lang) if latest else None,
        target=fmt.target_text(ind, row.judgement, lang),
        plan=fmt.plan_text(row, lang),
        status=row.status,
        status_label=fmt.status_label(row.status, lang),
        gap=fmt.gap_text(row, lang),
        vs_previous=change_view(row.vs_previous, ind, lang),
        vs_year_ago=change_view(row.vs_year_ago, ind, lang),
        spark=sparkline_svg([p.value for p in row.spark], STATUS_COLOURS[row.status]),
        points="—" if row.points is None else str(row.points),
        owner=short_name(ind.skpd, catalogue),
    )


def domain_view(domain: DomainScore, catalogue: Catalogue, lang: str) -> DomainView:
    meta = catalogue.domain(domain.domain_id)
    body, note = fmt.score_formula(domain, lang)
    counts = tuple((s, fmt.status_label(s, lang), n) for s, n in domain.counts.items() if n)
    return DomainView(
        domain.domain_id,
        meta.name.get(lang),
        meta.tagline.get(lang),
        fmt.score_text(domain.score, lang),
        domain.score,
        body,
        note,
        counts,
        tuple(row_view(r, lang, catalogue) for r in domain.rows),
    )


def behind_item(row: IndicatorRow, lang: str, catalogue: Catalogue | None = None) -> ListItem:
    ind = row.indicator
    value = fmt.with_unit(row.held.value, ind, lang)
    period = fmt.period_text(row.held.period_start, row.held.grain, lang)
    return ListItem(
        ind.code,
        ind.name.get(lang),
        f"{value} ({period}) · {fmt.gap_text(row, lang)}",
        row.status,
        short_name(ind.skpd, catalogue),
        ind.skpd,
        row.status,
        ind.code,
    )


def mover_item(row: IndicatorRow, lang: str) -> ListItem:
    ind, (change, pct) = row.indicator, row.move
    moved = (
        f"{fmt.signed(change.delta, ind, lang)} {label('score.pp', lang)}"
        if ind.is_percent
        else fmt.signed_pct(pct, lang)
    )
    detail = f"{moved} → {fmt.with_unit(row.held.value, ind, lang)} ({fmt.change_vs(change, lang)})"
    return ListItem(ind.code, ind.name.get(lang), detail, change.tone)


def stale_item(
    item: StaleIndicator, now: datetime, lang: str, catalogue: Catalogue | None = None
) -> ListItem:
    return ListItem(
        item.indicator.code,
        item.indicator.name.get(lang),
        fmt.stale_reason(item, now, lang),
        "behind",
        short_name(item.indicator.skpd, catalogue),
        item.indicator.skpd,
        "stale",
        item.indicator.code,
    )


def missing_item(entry: MissingSkpd, lang: str) -> ListItem:
    return ListItem(
        entry.skpd_id,
        f"{entry.short_name} · {label('score.missing.count', lang, n=len(entry.items))}",
        "; ".join(fmt.missing_items_text(entry, lang)),
        "behind",
        entry.short_name,
        entry.skpd_id,
        "missing",
        entry.items[0].indicator.code,
    )


def ranking_view(ranking: Ranking, as_of: AsOf, lang: str) -> RankingView:
    ind = ranking.indicator
    band = ind.band
    if ind.direction == "band" and band:
        rule = label(
            "score.rank.rule.band",
            lang,
            low=fmt.num(band.low, ind, lang),
            high=fmt.num(band.high, ind, lang),
        )
    else:
        rule = label(f"score.rank.rule.{ind.direction}", lang)
    period = (
        fmt.period_text(ranking.period_start, ranking.grain, lang) if ranking.period_start else None
    )
    if ranking.per_capita:
        rule = f"{rule} {label('score.rank.per_capita', lang)}"
    rows = tuple(
        RankRow(
            rank=str(r.rank) if r.rank is not None else "—",
            region=r.region.label(lang),
            value=fmt.num(r.value, ind, lang) if r.value is not None else "—",
            value_number=r.per_100k if ranking.per_capita else r.value,
            status=r.judgement.status,
            status_label=fmt.status_label(r.judgement.status, lang),
            change=fmt.signed(r.vs_previous.delta, ind, lang) if r.vs_previous else None,
            tone=r.vs_previous.tone if r.vs_previous else "neutral",
            per_100k=i18n.number(r.per_100k, lang, 1) if r.per_100k is not None else None,
        )
        for r in ranking.rows
    )
    empty = (
        None
        if period
        else label("score.rank.none", lang, as_of=i18n.period(as_of.start, "month", lang))
    )
    note = (
        label("score.rank.no_target", lang)
        if ind.aggregation.method == "sum" and ind.direction != "band"
        else None
    )
    target = (
        ind.target_for(ranking.period_start.year) if ranking.period_start and not note else None
    )
    return RankingView(
        ind.code,
        ind.name.get(lang),
        ind.unit.get(lang),
        label("score.rank.period", lang, period=period, rule=rule) if period else rule,
        note,
        empty,
        rows,
        target if not ind.cumulative else None,
        (band.low, band.high) if band else None,
        ranking.per_capita,
    )


def default_ranking_code(catalogue: Catalogue) -> str:
    """The first headline indicator that kab/kota report (aggregation other than none)."""
    for domain in DOMAIN_ORDER:
        for ind in catalogue.indicators_of_domain(domain):
            if ind.headline and ind.aggregation.method != "none":
                return ind.code
    return catalogue.indicators[0].code


def skpd_group(entry: SkpdExceptions, selected: str | None, lang: str) -> SkpdGroup:
    parts = [
        label(f"score.by_skpd.{kind}", lang, n=n)
        for kind, n in (
            ("behind", entry.behind),
            ("at_risk", entry.at_risk),
            ("stale", entry.stale),
            ("missing", entry.missing),
        )
        if n
    ]
    return SkpdGroup(entry.skpd_id, entry.short_name, ", ".join(parts), entry.skpd_id == selected)


def filters(
    catalogue: Catalogue,
    as_of: AsOf,
    region_code: str,
    now: datetime,
    lang: str,
    skpd: str | None = None,
) -> Filters:
    this_year = AsOf.today(now).year
    years = tuple((str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1))
    months = tuple(
        (f"{m:02d}", format_date(date(2000, m, 1), "LLLL", locale=i18n.language(lang)))
        for m in range(1, 13)
    )
    regions = tuple((r.code, r.label(lang)) for r in catalogue.regions)
    indicators = tuple(
        (i.code, f"{catalogue.domain(i.domain).name.get(lang)} · {i.name.get(lang)}")
        for d in DOMAIN_ORDER
        for i in catalogue.indicators_of_domain(d)
        if i.aggregation.method != "none"
    )
    return Filters(
        as_of.year if as_of.explicit else None,
        as_of.month if as_of.explicit else None,
        region_code,
        years,
        months,
        regions,
        indicators,
        skpd,
        tuple((s.id, s.short_name) for s in sorted(catalogue.skpd, key=lambda s: s.short_name)),
    )


def overview_page(
    card: Scorecard,
    ranking: Ranking,
    catalogue: Catalogue,
    now: datetime,
    lang: str,
    skpd: str | None = None,
    followups: FollowupSummary | None = None,
) -> OverviewPage:
    """The page of ``card``; with ``skpd``, cut to what that SKPD owns (the grouping by
    SKPD still counts every SKPD, so the reader can switch)."""
    # The headline names the latest period with data, not the filter's month.
    as_of_text = i18n.period(card.data_until.replace(day=1), "month", lang)
    skpd = skpd if skpd in {s.id for s in catalogue.skpd} else None
    query = {
        "period": card.as_of.key if card.as_of.explicit else None,
        "region": card.region.code if card.scope != "province" else None,
        "rank": ranking.indicator.code,
        "skpd": skpd,
    }
    groups = tuple(skpd_group(e, skpd, lang) for e in exceptions_by_skpd(card, catalogue))
    if skpd is not None:
        card = only_skpd(card, skpd)
    return OverviewPage(
        title=label("score.title", lang),
        subtitle=label("score.subtitle", lang, region=card.region.label(lang), as_of=as_of_text),
        generated=label("score.generated", lang, time=i18n.wita_datetime(card.generated_at, lang)),
        domains=tuple(domain_view(d, catalogue, lang) for d in card.domains),
        behind=with_followups(
            tuple(behind_item(r, lang, catalogue) for r in card.behind), followups, lang
        ),
        at_risk=with_followups(
            tuple(behind_item(r, lang, catalogue) for r in card.at_risk), followups, lang
        ),
        movers_good=tuple(mover_item(r, lang) for r in card.movers_good),
        movers_bad=tuple(mover_item(r, lang) for r in card.movers_bad),
        stale=with_followups(
            tuple(stale_item(s, now, lang, catalogue) for s in card.stale), followups, lang
        ),
        missing=with_followups(tuple(missing_item(m, lang) for m in card.missing), followups, lang),
        missing_note=label("score.list.missing_until", lang, as_of=as_of_text),
        ranking=ranking_view(ranking, card.as_of, lang),
        filters=filters(catalogue, card.as_of, card.region.code, now, lang, skpd),
        regional_note=label("score.regional_note", lang) if card.scope != "province" else None,
        query=query,
        by_skpd=groups,
    )


def with_followups(
    items: tuple[ListItem, ...], followups: FollowupSummary | None, lang: str
) -> tuple[ListItem, ...]:
    """Each exception with its follow-up (the latest not closed about the same subject)."""
    if followups is None:
        return items
    out = []
    for item in items:
        found = followups.for_subject(item.subject) if item.subject else None
        out.append(
            replace(item, followup=(found.id, followup_label(f"status.{found.status}", lang)))
            if found
            else item
        )
    return tuple(out)


def load_overview(
    engine: Engine,
    catalogue: Catalogue,
    plans: Plans,
    now: datetime,
    lang: str,
    *,
    period: str | None = None,
    region: str | None = None,
    rank: str | None = None,
    skpd: str | None = None,
) -> OverviewPage:
    as_of = AsOf.parse(period, now)
    region_code = region if region in catalogue.regions_by_code else catalogue.province.code
    rankable = {i.code for i in catalogue.indicators if i.aggregation.method != "none"}
    rank_code = rank if rank in rankable else default_ranking_code(catalogue)
    with engine.connect() as conn:
        card = load_scorecard(conn, catalogue, plans, as_of, region_code, now)
        ranking = load_ranking(conn, catalogue, plans, rank_code, as_of)
    followups = load_summary(engine, catalogue, now)
    return overview_page(card, ranking, catalogue, now, lang, skpd, followups)


def url_query(page_query: dict, lang: str, **changes) -> str:
    """The page's query string with ``changes`` applied (None removes a key); keeps the language."""
    params = {**page_query, **changes}
    if lang == "en":
        params["lang"] = "en"
    pairs = [f"{k}={quote(str(v))}" for k, v in params.items() if v not in (None, "")]
    return "?" + "&".join(pairs) if pairs else ""
