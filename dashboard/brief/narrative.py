"""The brief as text: sections of sentences that carry their numbers.

Pure: a ``Scorecard`` (and the time) in, a ``Brief`` out; the page, the PDF and the
archive's summary all draw from it, so they say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.scorecard import format as fmt
from dashboard.scorecard.build import Scorecard
from dashboard.scorecard.followups import FollowupSummary
from dashboard.scorecard.labels import label
from dashboard.scorecard.owners import short_name, source_skpd
from dashboard.scorecard.rows import IndicatorRow


@dataclass(frozen=True)
class Section:
    key: str  # behind, movers_good, movers_bad, stale, missing
    heading: str
    items: tuple[str, ...]
    empty: str


@dataclass(frozen=True)
class Brief:
    lang: str
    title: str
    subtitle: str
    intro: str
    domains: str
    sections: tuple[Section, ...]
    footer: str
    # The follow-up loop the brief carries (None: a brief made without it).
    followups: FollowupSummary | None = field(default=None, compare=False)


def owned(sentence: str, owner: str | None) -> str:
    """An exception's sentence led by the SKPD that must act on it."""
    return f"{owner} · {sentence}" if owner else sentence


def behind_sentence(row: IndicatorRow, lang: str, catalogue: Catalogue | None = None) -> str:
    ind, latest = row.indicator, row.held
    sentence = label(
        "brief.behind.item",
        lang,
        name=ind.name.get(lang),
        value=fmt.with_unit(latest.value, ind, lang),
        period=fmt.period_text(latest.period_start, latest.grain, lang),
        gap=fmt.gap_text(row, lang),
        status=fmt.status_label(row.status, lang).lower(),
    )
    return owned(sentence, short_name(ind.skpd, catalogue))


def mover_sentence(row: IndicatorRow, lang: str) -> str:
    ind, (change, pct_change) = row.indicator, row.move
    direction = label("brief.mover.rose" if change.delta > 0 else "brief.mover.fell", lang)
    if ind.is_percent:  # "turun 0,33 poin menjadi 6,12%", never "turun 5,1%"
        return label(
            "brief.mover.item_pp",
            lang,
            name=ind.name.get(lang),
            direction=direction,
            amount=fmt.gap_amount(abs(change.delta), ind, lang),
            value=fmt.with_unit(row.held.value, ind, lang),
            vs=fmt.change_vs(change, lang),
        )
    pct = i18n.number(abs(pct_change), lang, 1) + "%"
    return label(
        "brief.mover.item",
        lang,
        name=ind.name.get(lang),
        direction=direction,
        pct=pct,
        value=fmt.with_unit(row.held.value, ind, lang),
        vs=fmt.change_vs(change, lang),
    )


def stale_sentences(
    card: Scorecard,
    catalogue: Catalogue,
    lang: str,
    followups: FollowupSummary | None = None,
) -> list[str]:
    """Indicators whose data lags, one sentence each; then failing sources, one sentence per
    source naming the indicators it feeds."""
    out = []
    by_source: dict[str, list[str]] = {}
    for item in card.stale:
        name = item.indicator.name.get(lang)
        if item.lag or item.latest is None:
            reason = fmt.stale_reason(replace(item, stale_sources=()), card.generated_at, lang)
            owner = short_name(item.indicator.skpd, catalogue)
            sentence = owned(label("brief.stale.item", lang, name=name, reason=reason), owner)
            note = followup_note(item.indicator.code, followups, lang)
            out.append(with_followup(sentence, note))
        for source_id in item.stale_sources:
            by_source.setdefault(source_id, []).append(name)
    last = {s.stale_sources[0]: s.last_success for s in card.stale if len(s.stale_sources) == 1}
    for source_id, names in by_source.items():
        try:
            source_name = catalogue.source(source_id).name
        except KeyError:
            source_name = source_id
        since = last.get(source_id)
        state = (
            label("brief.stale.since", lang, since=i18n.age(since, card.generated_at, lang))
            if since
            else label("brief.stale.never", lang)
        )
        sentence = label(
            "brief.stale.source",
            lang,
            source=source_name,
            state=state,
            n=len(names),
            names=", ".join(names),
        )
        sentence = owned(sentence, short_name(source_skpd(source_id, catalogue), catalogue))
        out.append(with_followup(sentence, followup_note(source_id, followups, lang)))
    return out


def followup_note(code: str, followups: FollowupSummary | None, lang: str) -> str | None:
    """Whether an exception has a follow-up: "tindak lanjut #3: Dikerjakan" or "belum ada"."""
    if followups is None:
        return None
    found = followups.for_subject(code)
    if found is None:
        return label("brief.followup.none", lang)
    status = label(f"followup.status.{found.status}", lang)
    return label("brief.followup.has", lang, id=found.id, status=status)


def with_followup(sentence: str, note: str | None) -> str:
    return f"{sentence} [{note}]" if note else sentence


def subject_name(code: str, subject_kind: str, catalogue: Catalogue, lang: str) -> str:
    if subject_kind == "indicator":
        ind = catalogue.indicators_by_code.get(code)
        return ind.name.get(lang) if ind else code
    source = next((s for s in catalogue.sources if s.id == code), None)
    return source.name if source else code


def followup_sections(
    followups: FollowupSummary, catalogue: Catalogue, now: datetime, lang: str
) -> tuple[Section, Section]:
    """Open follow-ups by SKPD (overdue first, with due date and age); closed this week."""
    open_items = []
    for group in followups.open_by_skpd:
        for f in group.items:
            open_items.append(
                label(
                    "brief.followups.open.item",
                    lang,
                    skpd=group.short_name,
                    id=f.id,
                    subject=subject_name(f.subject, f.subject_kind, catalogue, lang),
                    request=f.request,
                    status=label(f"followup.status.{f.status}", lang).lower(),
                    due=i18n.period(f.due_on, "day", lang),
                    age=i18n.age(f.opened_at, now, lang),
                    overdue=label("brief.followups.overdue", lang)
                    if f.overdue(followups.today)
                    else "",
                )
            )
    names = {s.id: s.short_name for s in catalogue.skpd}
    closed = [
        label(
            "brief.followups.closed.item",
            lang,
            skpd=names.get(f.skpd_id, f.skpd_id),
            id=f.id,
            subject=subject_name(f.subject, f.subject_kind, catalogue, lang),
            when=i18n.wita_datetime(f.closed_at, lang) if f.closed_at else "",
        )
        for f in followups.closed_this_week
    ]
    return (
        Section(
            "followups_open",
            label("brief.followups.open.head", lang),
            tuple(open_items),
            label("brief.followups.open.none", lang),
        ),
        Section(
            "followups_closed",
            label("brief.followups.closed.head", lang),
            tuple(closed),
            label("brief.followups.closed.none", lang),
        ),
    )


def build_brief(
    card: Scorecard,
    catalogue: Catalogue,
    lang: str,
    title: str | None = None,
    followups: FollowupSummary | None = None,
) -> Brief:
    """The brief of ``card``; with ``followups``, each exception says whether it has a
    follow-up, and the open and this week's closed follow-ups are sections of their own."""
    lang = i18n.language(lang)
    counts = card.counts()
    # The latest period with data, not the filter's month.
    as_of = i18n.period(card.data_until.replace(day=1), "month", lang)
    total = sum(counts.values())
    intro = label(
        "brief.intro",
        lang,
        as_of=as_of,
        total=total,
        region=card.region.label(lang),
        on_track=counts.get("on_track", 0),
        at_risk=counts.get("at_risk", 0),
        behind=counts.get("behind", 0),
        unjudged=counts.get("no_data", 0) + counts.get("no_target", 0),
    )
    names: dict[str, str] = {d.id: d.name.get(lang) for d in catalogue.domains}
    scores = ", ".join(
        f"{names[d.domain_id]} {fmt.score_text(d.score, lang)}" for d in card.domains
    )
    sections: tuple[Section, ...] = (
        Section(
            "behind",
            label("score.list.behind", lang),
            tuple(
                with_followup(
                    behind_sentence(r, lang, catalogue), followup_note(r.code, followups, lang)
                )
                for r in card.behind
            ),
            label("brief.behind.none", lang),
        ),
        Section(
            "at_risk",
            label("score.list.at_risk", lang),
            tuple(
                with_followup(
                    behind_sentence(r, lang, catalogue), followup_note(r.code, followups, lang)
                )
                for r in card.at_risk
            ),
            label("brief.at_risk.none", lang),
        ),
        Section(
            "movers_good",
            f"{label('brief.movers.head', lang)} — {label('brief.movers.good', lang)}",
            tuple(mover_sentence(r, lang) for r in card.movers_good),
            label("brief.movers.none", lang),
        ),
        Section(
            "movers_bad",
            f"{label('brief.movers.head', lang)} — {label('brief.movers.bad', lang)}",
            tuple(mover_sentence(r, lang) for r in card.movers_bad),
            label("brief.movers.none", lang),
        ),
        Section(
            "stale",
            label("score.list.stale", lang),
            tuple(stale_sentences(card, catalogue, lang, followups)),
            label("brief.stale.none", lang),
        ),
        Section(
            "missing",
            label("brief.missing.head", lang),
            tuple(
                with_followup(
                    label(
                        "brief.missing.item",
                        lang,
                        skpd=m.short_name,
                        n=len(m.items),
                        items="; ".join(fmt.missing_items_text(m, lang)),
                    ),
                    followup_note(m.items[0].indicator.code, followups, lang),
                )
                for m in card.missing
            ),
            label("brief.missing.none", lang),
        ),
    )
    if followups is not None:
        sections += followup_sections(followups, catalogue, card.generated_at, lang)
    return Brief(
        lang=lang,
        title=title or label("brief.title", lang),
        subtitle=label("score.subtitle", lang, region=card.region.label(lang), as_of=as_of),
        intro=intro,
        domains=label("brief.domains", lang, scores=scores),
        sections=sections,
        footer=label("brief.footer", lang, time=i18n.wita_datetime(card.generated_at, lang)),
        followups=followups,
    )
