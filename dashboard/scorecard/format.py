"""Scorecard figures as text, the same on the page, in the brief, the PDF and the workbook."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboard import i18n
from dashboard.catalogue.models import Indicator
from dashboard.catalogue.periods import WITA
from dashboard.scorecard.judge import Judgement
from dashboard.scorecard.labels import label
from dashboard.scorecard.lists import MissingSkpd, StaleIndicator
from dashboard.scorecard.rows import Change, DomainScore, IndicatorRow

MINUS = "\u2212"


def num(value: float, indicator: Indicator, lang: str) -> str:
    return i18n.number(value, lang, indicator.decimals)


def with_unit(value: float, indicator: Indicator, lang: str) -> str:
    """ "21,3%" or "12.840 orang/bulan"."""
    unit = indicator.unit.for_count(value, lang)
    figure = num(value, indicator, lang)
    return f"{figure}{unit}" if unit == "%" else f"{figure} {unit}"


def gap_amount(value: float, indicator: Indicator, lang: str) -> str:
    """A distance between two values: percentage points for a percentage ("0,95 poin")."""
    if indicator.is_percent:
        return f"{num(value, indicator, lang)} {label('score.pp', lang)}"
    return with_unit(value, indicator, lang)


def signed(delta: float, indicator: Indicator, lang: str) -> str:
    """ "+0,8", "−1,2" or "0,0" at the indicator's precision."""
    shown = round(delta, indicator.decimals)
    body = i18n.number(abs(delta), lang, indicator.decimals)
    return body if shown == 0 else ("+" if shown > 0 else MINUS) + body


def signed_pct(pct: float, lang: str) -> str:
    shown = round(pct, 1)
    body = i18n.number(abs(pct), lang, 1) + "%"
    return body if shown == 0 else ("+" if shown > 0 else MINUS) + body


def target_text(indicator: Indicator, judgement: Judgement, lang: str) -> str:
    """The yearly target, or the band; "—" without either."""
    if indicator.direction == "band" and indicator.band:
        return label(
            "score.band",
            lang,
            low=num(indicator.band.low, indicator, lang),
            high=num(indicator.band.high, indicator, lang),
        )
    if judgement.target is None:
        return label("score.no_target", lang)
    return num(judgement.target, indicator, lang)


def plan_text(row: IndicatorRow, lang: str) -> str | None:
    """ "rencana Okt 2026: 69,8" for a cumulative indicator held to its plan mid-year."""
    j, latest = row.judgement, row.latest
    if (
        not row.indicator.cumulative
        or latest is None
        or j.reference is None
        or j.reference == j.target
    ):
        return None
    return label(
        "score.plan",
        lang,
        period=i18n.period(latest.period_start, latest.grain, lang),
        value=num(j.reference, row.indicator, lang),
    )


def gap_text(row: IndicatorRow, lang: str) -> str | None:
    """ "7,3 di atas target 14,0" / "2,1 di luar rentang 60,0–85,0"."""
    ind, j = row.indicator, row.judgement
    if j.gap is None or not j.gap:
        return None
    gap = gap_amount(j.gap, ind, lang)
    if ind.direction == "band" and ind.band:
        return label(
            "score.gap.band",
            lang,
            gap=gap,
            low=num(ind.band.low, ind, lang),
            high=num(ind.band.high, ind, lang),
        )
    if j.reference is None:  # not reached: outside a band, a gap is measured from a reference
        return None
    kind = label("score.gap.plan" if j.reference != j.target else "score.gap.target", lang)
    reference = f"{kind} {num(j.reference, ind, lang)}"
    return label(f"score.gap.{ind.direction}", lang, gap=gap, reference=reference)


def change_vs(change: Change, lang: str) -> str:
    return label(
        "score.change.vs",
        lang,
        period=i18n.period(change.against.period_start, change.against.grain, lang),
    )


def period_text(start: date, grain: str, lang: str) -> str:
    return i18n.period(start, grain, lang)


def status_label(status: str, lang: str) -> str:
    return i18n.label(f"status.{status}", lang)


def score_text(score: float | None, lang: str) -> str:
    return "—" if score is None else i18n.number(score, lang, 0)


def stale_reason(item: StaleIndicator, now: datetime, lang: str) -> str:
    ind = item.indicator
    parts = []
    if item.latest is None:
        parts.append(label("score.stale.none", lang))
    elif item.lag and item.expected is not None:  # a lag is counted up to an expected period
        parts.append(
            label(
                "score.stale.lag",
                lang,
                period=period_text(item.latest, ind.grain, lang),
                expected=period_text(item.expected, ind.grain, lang),
                n=item.lag,
            )
        )
    if item.stale_sources:
        sources = ", ".join(item.stale_sources)
        if item.last_success is None:
            parts.append(label("score.stale.never", lang, sources=sources))
        else:
            parts.append(
                label(
                    "score.stale.source",
                    lang,
                    sources=sources,
                    since=i18n.age(item.last_success, now, lang),
                )
            )
    return "; ".join(parts)


def missing_items_text(entry: MissingSkpd, lang: str) -> list[str]:
    return [
        label(
            "score.missing.item",
            lang,
            indicator=i.indicator.name.get(lang),
            period=period_text(i.period_start, i.grain, lang),
            due=due_text(i.due, lang),
        )
        for i in entry.items
    ]


def due_text(due: datetime, lang: str) -> str:
    # ``due`` is the first late moment (00:00 WITA the day after): show the last day allowed.
    return period_text((due.astimezone(WITA) - timedelta(seconds=1)).date(), "day", lang)


def score_formula(domain: DomainScore, lang: str) -> tuple[str, str | None]:
    judged = domain.judged
    excluded = len(domain.rows) - len(judged)
    note = label("score.formula.excluded", lang, n=excluded) if excluded else None
    if not judged:
        return label("score.formula.none", lang), note
    return label(
        "score.formula",
        lang,
        total=i18n.number(domain.points_total, lang, 0),
        n=len(judged),
        score=score_text(domain.score, lang),
    ), note
