"""Prepared data for /ops/compliance: the SKPD ranking, the details per indicator and the
history, from the compliance rules (``dashboard.compliance.rules``) over what the store
says arrived when; and the same as an Excel workbook."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard import i18n
from dashboard.catalogue.models import Catalogue
from dashboard.catalogue.periods import add_months
from dashboard.compliance.rules import (
    ComplianceItem,
    SkpdCompliance,
    expected_periods,
    judge,
    monitored_since,
)
from dashboard.store import health as store
from dashboard.views.ops import LABELS, label

HISTORY_MONTHS = 6


@dataclass(frozen=True)
class ComplianceRow:
    rank: str
    skpd: str
    delivery_rule: str
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int
    score: str
    score_value: float | None
    before: int = 0
    skpd_id: str = ""  # the row's anchor (#skpd-<id>): the navigation search links to it


@dataclass(frozen=True)
class DetailRow:
    skpd: str
    indicator: str
    period: str
    due: str
    delivered: str
    status: str
    status_label: str


@dataclass(frozen=True)
class CompliancePage:
    month: date
    month_label: str
    months: tuple[tuple[str, str], ...]  # (yyyy-mm, label), newest first
    ranking: tuple[ComplianceRow, ...]
    details: tuple[DetailRow, ...]
    history_months: tuple[str, ...]
    history: tuple[tuple[str, tuple[str, ...]], ...]  # (skpd, scores per month)
    labels: dict[str, str] = field(default_factory=dict)
    monitored_since: str | None = None  # "Monitored since …" when the centre's first run is known


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else f"{i18n.number(value * 100, lang, 1)} %"


def compliance_page(
    catalogue: Catalogue,
    month: date,
    by_month: Mapping[date, tuple[list[SkpdCompliance], list[ComplianceItem]]],
    lang: str,
    started: datetime | None = None,
) -> CompliancePage:
    summaries, items = by_month[month]
    names = {s.id: s.short_name for s in catalogue.skpd}
    indicators = catalogue.indicators_by_code
    ranking = tuple(
        ComplianceRow(
            rank=str(s.rank) if s.rank else "—",
            skpd=s.short_name,
            skpd_id=s.skpd_id,
            delivery_rule=label("rule", lang, day=s.delivery_day),
            expected=s.expected,
            on_time=s.on_time,
            late=s.late,
            missing=s.missing,
            pending=s.pending,
            score=_pct(s.score, lang),
            score_value=s.score,
            before=s.before,
        )
        for s in summaries
    )
    order = {s.skpd_id: i for i, s in enumerate(summaries)}
    details = tuple(
        DetailRow(
            skpd=names.get(i.skpd_id, i.skpd_id),
            indicator=f"{i.indicator_code} — {indicators[i.indicator_code].name.get(lang)}",
            period=i18n.period(i.period_start, i.grain, lang),
            due=i18n.wita_datetime(i.due - timedelta(seconds=1), lang),
            delivered=i18n.wita_datetime(i.delivered_at, lang) if i.delivered_at else "—",
            status=i.status,
            status_label=label(f"status.{i.status}", lang),
        )
        for i in sorted(items, key=lambda i: (order.get(i.skpd_id, 99), i.indicator_code))
    )
    history_months = sorted(by_month)
    history = tuple(
        (
            s.short_name,
            tuple(
                _pct(next(x.score for x in by_month[m][0] if x.skpd_id == s.skpd_id), lang)
                for m in history_months
            ),
        )
        for s in summaries
    )
    months = tuple(
        (m.strftime("%Y-%m"), i18n.period(m, "month", lang)) for m in sorted(by_month, reverse=True)
    )
    return CompliancePage(
        month,
        i18n.period(month, "month", lang),
        months,
        ranking,
        details,
        tuple(i18n.period(m, "month", lang) for m in history_months),
        history,
        dict(LABELS[i18n.language(lang)]),
        label("monitored_since", lang, when=i18n.wita_datetime(started, lang)) if started else None,
    )


def load_compliance(
    engine: Engine,
    catalogue: Catalogue,
    month: date,
    now: datetime,
    lang: str,
    history_months: int = HISTORY_MONTHS,
) -> CompliancePage:
    months = [add_months(month, -k) for k in range(history_months)]
    wanted = [e for m in months for e in expected_periods(catalogue, m)]
    with engine.connect() as conn:
        deliveries = store.first_deliveries(
            conn, {code for _, code, _, _ in wanted}, {p for _, _, p, _ in wanted}
        )
        first_runs = store.first_attempts(conn)
    since = monitored_since(catalogue, first_runs)
    by_month = {m: judge(catalogue, m, deliveries, now, since) for m in months}
    return compliance_page(catalogue, month, by_month, lang, min(since.values()) if since else None)


def parse_month(text: str | None) -> date | None:
    try:
        return datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None


def compliance_workbook(page: CompliancePage) -> bytes:
    """The page's three tables as an .xlsx (openpyxl), in the page's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    L = page.labels
    book = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            L["sheet.ranking"],
            [
                L["col.rank"],
                L["col.skpd"],
                L["col.expected"],
                L["col.on_time"],
                L["col.late"],
                L["col.missing"],
                L["col.pending"],
                L["col.before"],
                L["col.score"],
            ],
            [
                [
                    r.rank,
                    r.skpd,
                    r.expected,
                    r.on_time,
                    r.late,
                    r.missing,
                    r.pending,
                    r.before,
                    None if r.score_value is None else round(r.score_value * 100, 1),
                ]
                for r in page.ranking
            ],
        ),
        (
            L["sheet.details"],
            [
                L["col.skpd"],
                L["col.indicator"],
                L["col.period"],
                L["col.due"],
                L["col.delivered"],
                L["col.status"],
            ],
            [
                [d.skpd, d.indicator, d.period, d.due, d.delivered, d.status_label]
                for d in page.details
            ],
        ),
        (
            L["sheet.history"],
            [L["col.skpd"], *page.history_months],
            [[skpd, *scores] for skpd, scores in page.history],
        ),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        sheet = book.worksheets[0] if index == 0 else book.create_sheet()  # [0]: the active one
        sheet.title = title
        sheet.append([f"{L['compliance.title']} — {page.month_label}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for number, column in enumerate(sheet.columns, start=1):  # from A: A1 has the title
            width = (
                max(len(str(c.value or "")) for c in list(column)[1:]) if sheet.max_row > 1 else 10
            )
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width + 2, 8), 70)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
