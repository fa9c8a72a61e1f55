"""The indicator page's state, read from and written to its URL, so every view is a bookmark.

``/indicator/LIV.STUNTING?regions=71.71,71.72&grain=quarter&from=2022&to=2026&period=2026-07-01&lang=en``

Anything missing or wrong in a URL falls back to a sensible default rather than an
error page: a shared link outlives catalogue edits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from dashboard import i18n
from dashboard.analysis import text as fmt
from dashboard.analysis.rules import default_grain, grains_for
from dashboard.catalogue import periods
from dashboard.catalogue.models import Catalogue, Indicator

MAX_COMPARE = 6
DEFAULT_YEARS = 5


@dataclass(frozen=True)
class ViewState:
    code: str
    regions: tuple[str, ...]
    grain: str
    start_year: int
    end_year: int
    period: date | None
    lang: str

    @property
    def start(self) -> date:
        return date(self.start_year, 1, 1)

    @property
    def end(self) -> date:
        """Exclusive end of the range."""
        return date(self.end_year + 1, 1, 1)

    def query(self) -> dict[str, str]:
        params = {"grain": self.grain, "from": str(self.start_year), "to": str(self.end_year)}
        if self.regions:
            params["regions"] = ",".join(self.regions)
        if self.period:
            params["period"] = self.period.isoformat()
        if self.lang == "en":
            params["lang"] = "en"
        return params

    def search(self) -> str:
        return "?" + urlencode(self.query())


def _int(value, fallback: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return fallback


def _day(value) -> date | None:
    try:
        text = str(value).strip()
        return date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except (TypeError, ValueError):
        return None


def parse_regions(value, catalogue: Catalogue) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    known = {r.code for r in catalogue.regions if r.kind != "province"}
    out = []
    for item in value or []:
        code = str(item).strip()
        if code in known and code not in out:
            out.append(code)
    return tuple(out[:MAX_COMPARE])


def parse_state(
    indicator: Indicator,
    catalogue: Catalogue,
    query: dict,
    span: tuple[date, date] | None,
    today: date,
) -> ViewState:
    lang = i18n.language(query.get("lang"))
    asked = query.get("grain")
    grain = (
        asked
        if isinstance(asked, str) and asked in grains_for(indicator)
        else default_grain(indicator)
    )
    first_year, last_year = (
        (span[0].year, span[1].year) if span else (today.year - DEFAULT_YEARS + 1, today.year)
    )
    end_year = min(max(_int(query.get("to"), last_year), first_year), max(last_year, today.year))
    start_year = min(
        max(_int(query.get("from"), end_year - DEFAULT_YEARS + 1), first_year), end_year
    )
    state = ViewState(
        indicator.code,
        parse_regions(query.get("regions"), catalogue),
        grain,
        start_year,
        end_year,
        _day(query.get("period")),
        lang,
    )
    return settle(state, span, indicator.grain)


def settle(
    state: ViewState, span: tuple[date, date] | None, stored_grain: str | None = None
) -> ViewState:
    """Make a state consistent: one year at a time by the day; the map's period inside the range."""
    if state.grain == "day" and state.start_year != state.end_year:
        state = replace(state, start_year=state.end_year)
    period = periods.bucket(state.period, state.grain) if state.period else None
    if period is None or not state.start <= period < state.end:
        period = default_period(state, span, stored_grain)
    return replace(state, period=period)


def default_period(
    state: ViewState, span: tuple[date, date] | None, stored_grain: str | None = None
) -> date:
    """The latest period in range with data, complete if possible (the range's last when nothing is known).

    With daily data up to the 27th, the month is not over: the map opens on the month before.
    """
    last = periods.step(state.end, "day", -1)
    if span and state.start <= span[1] < state.end:
        last = span[1]
    elif span and span[1] < state.start:
        last = state.start
    bucket = periods.bucket(last, state.grain)
    if (
        span
        and stored_grain
        and state.grain != stored_grain
        and last == span[1]
        and span[1] != periods.last_part(bucket, stored_grain, state.grain)
    ):
        earlier = periods.step(bucket, state.grain, -1)
        if earlier >= state.start:
            return earlier
    return bucket


def period_options(state: ViewState, span: tuple[date, date] | None, lang: str) -> list[dict]:
    """The map's period choices, newest first, from the range's start to the last period with data."""
    last = periods.step(state.end, "day", -1)
    if span and state.start <= span[1] < state.end:
        last = span[1]
    return [
        {"label": fmt.period(s, state.grain, lang), "value": s.isoformat()}
        for s in reversed(periods.starts(state.start, last, state.grain))
    ]
