"""The open-data API's query parameters, read strictly: anything malformed is a ``Problem``
that says which parameter and why (never a 500, never silently ignored)."""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import get_args

from dashboard.catalogue.models import Catalogue, Grain
from dashboard.opendata.problems import Problem
from dashboard.store.opendata_queries import Key

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 1_000
MAX_YEARS = 50
MAX_REGIONS = 20
MAX_TEXT = 200
GRAINS: tuple[str, ...] = get_args(Grain)
FORMATS = ("json", "csv", "xlsx")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_KEMENDAGRI = re.compile(r"^71(\.\d{2})?$")
_BPS = re.compile(r"^71\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def text(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if len(value) > MAX_TEXT:
        raise Problem(400, "bad.text", name, max=MAX_TEXT)
    return value


def period_bound(value: str | None, name: str, end: bool) -> date | None:
    """``2024`` / ``2024-03`` / ``2024-03-15``: the first day it covers, or the last (``end``)."""
    if value is None:
        return None
    found = _PERIOD.match(value.strip())
    if found is None:
        raise Problem(400, "bad.period", name, value=value)
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)  # type: ignore[arg-type]
        if day is None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            return date(year, month, last if end else 1)  # type: ignore[arg-type]
        return date(year, month, day)  # type: ignore[arg-type]
    except (ValueError, calendar.IllegalMonthError):
        raise Problem(400, "bad.period", name, value=value) from None


def period_range(args: Mapping[str, str]) -> tuple[date | None, date | None]:
    start = period_bound(text(args, "from"), "from", end=False)
    end = period_bound(text(args, "to"), "to", end=True)
    if start is not None and end is not None:
        if start > end:
            raise Problem(400, "bad.period_reversed", "from", start=start, end=end)
        if end.year - start.year > MAX_YEARS or (
            end.year - start.year == MAX_YEARS and (end.month, end.day) >= (start.month, start.day)
        ):
            raise Problem(400, "bad.period_long", "to", years=MAX_YEARS, start=start, end=end)
    return start, end


def page_size(args: Mapping[str, str]) -> int:
    value = text(args, "page_size")
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise Problem(400, "bad.page_size", "page_size", value=value, max=MAX_PAGE_SIZE)
    return int(value)


def grain(args: Mapping[str, str]) -> str | None:
    value = text(args, "grain")
    if value is not None and value not in GRAINS:
        raise Problem(400, "bad.grain", "grain", value=value, choices=", ".join(GRAINS))
    return value


def output_format(args: Mapping[str, str], accept: str, allowed: tuple[str, ...]) -> str:
    """``?format=`` wins; else ``Accept: text/csv`` (or the Excel type) picks; else JSON."""
    value = text(args, "format")
    if value is not None:
        if value not in allowed:
            raise Problem(400, "bad.format", "format", value=value, choices=", ".join(allowed))
        return value
    accept = accept.lower()
    if "csv" in allowed and "text/csv" in accept and "application/json" not in accept:
        return "csv"
    if "xlsx" in allowed and "spreadsheetml" in accept and "application/json" not in accept:
        return "xlsx"
    return "json"


def region(catalogue: Catalogue, value: str) -> str:
    """A Kemendagri code (``71``, ``71.71``) or a BPS code (``7100``, ``7171``) → Kemendagri."""
    value = value.strip()
    by_code = catalogue.regions_by_code
    if _KEMENDAGRI.match(value):
        if value in by_code:
            return value
        raise Problem(404, "not_found.region", "region", value=value)
    if _BPS.match(value):
        for r in catalogue.regions:
            if r.bps_code == value:
                return r.code
        raise Problem(404, "not_found.region", "region", value=value)
    raise Problem(400, "bad.region", "region", value=value)


def regions(catalogue: Catalogue, args: Mapping[str, str]) -> list[str] | None:
    value = text(args, "region")
    if value is None:
        return None
    parts = [p for p in value.split(",") if p.strip()]
    if not parts:
        raise Problem(400, "bad.region", "region", value=value)
    if len(parts) > MAX_REGIONS:
        raise Problem(400, "bad.regions_many", "region", max=MAX_REGIONS)
    return list(dict.fromkeys(region(catalogue, p) for p in parts))


def one_region(catalogue: Catalogue, args: Mapping[str, str]) -> str:
    value = text(args, "region")
    return catalogue.province.code if value is None else region(catalogue, value)


def month(args: Mapping[str, str]) -> date | None:
    value = text(args, "month")
    if value is None:
        return None
    found = _MONTH.match(value)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        raise Problem(400, "bad.month", "month", value=value)
    return date(int(found.group(1)), int(found.group(2)), 1)


# --- the cursor: where the previous page ended, opaque to clients ---------------------


def encode_cursor(key: Key) -> str:
    raw = json.dumps([key.region_code, key.period_start.isoformat(), key.grain]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor(args: Mapping[str, str]) -> Key | None:
    value = text(args, "cursor")
    if value is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        region_code, day, grain_ = json.loads(raw)
        key = Key(str(region_code), date.fromisoformat(day), str(grain_))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Problem(400, "bad.cursor", "cursor") from None
    if not _KEMENDAGRI.match(key.region_code) or key.grain not in GRAINS:
        raise Problem(400, "bad.cursor", "cursor")
    return key


@dataclass(frozen=True)
class ObservationQuery:
    regions: list[str] | None
    start: date | None
    end: date | None
    grain: str | None
    after: Key | None
    page_size: int


def observation_query(catalogue: Catalogue, args: Mapping[str, str]) -> ObservationQuery:
    start, end = period_range(args)
    return ObservationQuery(
        regions(catalogue, args), start, end, grain(args), cursor(args), page_size(args)
    )
