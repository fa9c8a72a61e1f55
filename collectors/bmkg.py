"""BMKG earthquake feeds (autogempa, gempaterkini, gempadirasakan) into events.

JSON: ``{"Infogempa": {"gempa": {…}}}`` (autogempa: one object) or a list (the other two).
XML: ``<Infogempa><gempa>…</gempa></Infogempa>``, read through defusedxml, with the
position in ``<point><coordinates>``. Fields: ``DateTime`` (UTC, ISO 8601),
``Coordinates`` ("lat,lon"), ``Lintang``/``Bujur`` ("1.27 LU", "125.10 BT"),
``Magnitude`` ("5.2"), ``Kedalaman`` ("45 km"), ``Wilayah``; ``Potensi`` (tsunami
potential), ``Dirasakan`` (felt, MMI) and ``Shakemap`` are kept in ``extra``.

The position is checked against Lintang/Bujur, which say the hemisphere in words; in
XML that also settles the order of the two numbers. An event that cannot be read
becomes a rejected row with its reasons, never a silently skipped one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from collectors import http, limits
from collectors.base import (
    Candidate,
    EventRecord,
    ParseError,
    ParseResult,
    Payload,
    Reason,
    SourceContext,
)
from collectors.limits import Limits, MiB
from collectors.periods import MONTHS

KEPT = ("Potensi", "Dirasakan", "Shakemap", "Tanggal", "Jam", "Lintang", "Bujur")
_NUMBER = r"([+-]?\d+(?:[.,]\d+)?)"
_MAGNITUDE = re.compile(rf"^{_NUMBER}\s*(?:sr|m|mag)?$", re.I)
_DEPTH = re.compile(rf"^{_NUMBER}\s*km$", re.I)
_LATITUDE = re.compile(rf"^{_NUMBER}\s*(lu|ls)$", re.I)
_LONGITUDE = re.compile(rf"^{_NUMBER}\s*(bt|bb)$", re.I)
_LOCAL_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\s*(wib|wita|wit)$", re.I)
_ZONES = {"wib": 7, "wita": 8, "wit": 9}


class BmkgOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(default="https://data.bmkg.go.id/DataMKG/TEWS", pattern=r"^https?://")
    feed: Literal["autogempa", "gempaterkini", "gempadirasakan"] = "gempaterkini"
    format: Literal["json", "xml"] = "json"
    limits: Limits = Field(default_factory=lambda: Limits(max_bytes=4 * MiB))


class BmkgKind:
    name = "bmkg"
    options_model = BmkgOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        opts: BmkgOptions = ctx.options
        return http.get(
            f"{opts.base_url.rstrip('/')}/{opts.feed}.{opts.format}",
            timeout=ctx.source.timeout_seconds,
            max_bytes=opts.limits.max_bytes,
        )

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: BmkgOptions = ctx.options
        limits.check_not_empty(payload.content)
        limits.refuse_html(payload.content, "XML" if opts.format == "xml" else "JSON")
        looks_xml = payload.content.lstrip()[:1] == b"<"
        if (opts.format == "xml") != looks_xml:
            want = "XML" if opts.format == "xml" else "JSON"
            raise ParseError(
                f"expected BMKG {want}, got something else", f"diharapkan {want} BMKG, isinya lain"
            )
        items = (
            _xml_items(payload.content, opts) if looks_xml else _json_items(payload.content, opts)
        )
        limits.check_rows(len(items), opts.limits)
        result = ParseResult(bookmark=ctx.bookmark)
        for number, item in enumerate(items, start=1):
            event, reasons = _event(item, opts, xml=looks_xml)
            if event is not None:
                result.events.append(event)
            else:
                result.rows.append(Candidate(number, _plain(item), reasons=reasons))
        return result


# --- the two formats ---------------------------------------------------------


def _json_items(content: bytes, opts: BmkgOptions) -> list[Any]:
    doc = limits.load_json(content, opts.limits)
    info = doc.get("Infogempa") if isinstance(doc, dict) else None
    gempa = info.get("gempa") if isinstance(info, dict) else None
    if isinstance(gempa, dict):
        return [gempa]
    if isinstance(gempa, list):
        return gempa
    raise ParseError(
        "no Infogempa.gempa in the feed", "tidak ada Infogempa.gempa di umpan", error_class="schema"
    )


def _xml_items(content: bytes, opts: BmkgOptions) -> list[dict[str, Any]]:
    root = limits.parse_xml(content, opts.limits)
    if root.tag != "Infogempa":
        raise ParseError(
            f"XML root is <{root.tag}>, not <Infogempa>",
            f"akar XML <{root.tag}>, bukan <Infogempa>",
            error_class="schema",
        )
    items = []
    for gempa in root.findall("gempa"):
        item: dict[str, Any] = {}
        for child in gempa:
            if child.tag == "point":
                item["point"] = (child.findtext("coordinates") or "").strip()
            else:
                item[child.tag] = (child.text or "").strip()
        items.append(item)
    return items


# --- one event ------------------------------------------------------------------


def _event(item: Any, opts: BmkgOptions, *, xml: bool) -> tuple[EventRecord | None, list[Reason]]:
    if not isinstance(item, dict):
        return None, [
            Reason(None, item, "entri gempa bukan objek", "earthquake entry is not an object")
        ]
    reasons: list[Reason] = []
    occurred = _collect(reasons, _occurred_at, item)
    position = _collect(reasons, _position, item, xml)
    magnitude = _collect(
        reasons, _measure, item, "Magnitude", _MAGNITUDE, 0, 10, ("magnitudo", "magnitude")
    )
    depth = _collect(reasons, _measure, item, "Kedalaman", _DEPTH, 0, 1000, ("kedalaman", "depth"))
    if reasons:
        return None, reasons
    lat, lon = position
    description = str(item.get("Wilayah") or item.get("Wilayah1") or "").strip()
    extra = {k: item[k] for k in KEPT if item.get(k) not in (None, "")}
    extra["feed"] = opts.feed
    return EventRecord(
        kind="earthquake",
        external_id=f"bmkg:{occurred:%Y-%m-%dT%H:%M:%SZ}@{lat:.2f},{lon:.2f}",
        occurred_at=occurred,
        lat=lat,
        lon=lon,
        magnitude=magnitude,
        depth_km=depth,
        description=description,
        extra=extra,
    ), []


class _Bad(Exception):
    def __init__(self, reason: Reason):
        self.reason = reason


def _collect(reasons: list[Reason], read, *args):
    try:
        return read(*args)
    except _Bad as bad:
        reasons.append(bad.reason)
        return None


def _occurred_at(item: dict[str, Any]) -> datetime:
    raw = item.get("DateTime")
    if raw in (None, ""):
        return _from_local(item)
    try:
        moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(
            Reason(
                "DateTime", raw, f"'{raw}' bukan waktu ISO 8601", f"'{raw}' is not an ISO 8601 time"
            )
        ) from None
    # The feed documents DateTime as UTC; an offset, when given, is honoured.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return _plausible_time(moment, raw)


def _from_local(item: dict[str, Any]) -> datetime:
    """Older entries carry only Tanggal ("10 Feb 2024") and Jam ("07:41:50 WIB")."""
    tanggal, jam = str(item.get("Tanggal", "")).strip(), str(item.get("Jam", "")).strip()
    parts = tanggal.split()
    m = _LOCAL_TIME.match(jam)
    if (
        len(parts) != 3
        or not m
        or parts[1].lower().rstrip(".") not in MONTHS
        or not parts[0].isdigit()
        or not parts[2].isdigit()
    ):
        raise _Bad(
            Reason(
                "DateTime",
                None,
                "waktu kejadian tidak ada (DateTime, atau Tanggal dan Jam)",
                "the time is missing (DateTime, or Tanggal and Jam)",
            )
        )
    try:
        local = datetime(
            int(parts[2]),
            MONTHS[parts[1].lower().rstrip(".")],
            int(parts[0]),
            int(m[1]),
            int(m[2]),
            int(m[3]),
            tzinfo=timezone(timedelta(hours=_ZONES[m[4].lower()])),
        )
    except ValueError:
        raise _Bad(
            Reason(
                "Tanggal",
                f"{tanggal} {jam}",
                f"'{tanggal} {jam}' bukan waktu yang sah",
                f"'{tanggal} {jam}' is not a valid time",
            )
        ) from None
    return _plausible_time(local.astimezone(UTC), f"{tanggal} {jam}")


def _plausible_time(moment: datetime, raw: Any) -> datetime:
    if not 1990 <= moment.year <= 2100:
        raise _Bad(
            Reason(
                "DateTime",
                raw,
                f"tahun {moment.year} tidak masuk akal",
                f"year {moment.year} is not plausible",
            )
        )
    return moment


def _position(item: dict[str, Any], xml: bool) -> tuple[float, float]:
    field = "point" if xml else "Coordinates"
    raw = item.get(field)
    if raw in (None, "") and not xml:
        raise _Bad(Reason(field, raw, "koordinat kosong", "coordinates are missing"))
    stated = _stated_position(item)
    if raw in (None, ""):
        if stated is None:
            raise _Bad(Reason(field, raw, "koordinat kosong", "coordinates are missing"))
        return stated
    parts = str(raw).split(",")
    try:
        a, b = (float(p) for p in parts)
    except ValueError:
        raise _Bad(
            Reason(
                field, raw, f"'{raw}' bukan pasangan koordinat", f"'{raw}' is not a coordinate pair"
            )
        ) from None
    # JSON is documented "lat,lon"; in XML the words in Lintang/Bujur decide the order.
    orders = [(a, b), (b, a)] if xml else [(a, b)]
    if stated is not None:
        for lat, lon in orders:
            if abs(lat - stated[0]) < 0.011 and abs(lon - stated[1]) < 0.011:
                return _on_earth(lat, lon, field, raw)
        raise _Bad(
            Reason(
                field,
                raw,
                f"koordinat '{raw}' tidak cocok dengan Lintang/Bujur "
                f"'{item.get('Lintang')}'/'{item.get('Bujur')}'",
                f"coordinates '{raw}' disagree with Lintang/Bujur "
                f"'{item.get('Lintang')}'/'{item.get('Bujur')}'",
            )
        )
    return _on_earth(a, b, field, raw)


def _stated_position(item: dict[str, Any]) -> tuple[float, float] | None:
    lat_m = _LATITUDE.match(str(item.get("Lintang", "")).strip())
    lon_m = _LONGITUDE.match(str(item.get("Bujur", "")).strip())
    if not (lat_m and lon_m):
        return None
    lat = float(lat_m[1].replace(",", ".")) * (-1 if lat_m[2].lower() == "ls" else 1)
    lon = float(lon_m[1].replace(",", ".")) * (-1 if lon_m[2].lower() == "bb" else 1)
    return lat, lon


def _on_earth(lat: float, lon: float, field: str, raw: Any) -> tuple[float, float]:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _Bad(
            Reason(
                field,
                raw,
                f"koordinat '{raw}' di luar bumi",
                f"coordinates '{raw}' are off the globe",
            )
        )
    return lat, lon


def _measure(
    item: dict[str, Any],
    field: str,
    pattern: re.Pattern,
    low: float,
    high: float,
    names: tuple[str, str],
) -> float:
    raw = item.get(field)
    m = pattern.match(str(raw).strip()) if raw not in (None, "") else None
    if m is None:
        if raw in (None, ""):
            raise _Bad(Reason(field, raw, f"{names[0]} kosong", f"{names[1]} is missing"))
        raise _Bad(
            Reason(
                field,
                raw,
                f"'{raw}' bukan {names[0]} yang terbaca",
                f"'{raw}' is not a readable {names[1]}",
            )
        )
    value = float(m[1].replace(",", "."))
    if not low <= value <= high:
        raise _Bad(
            Reason(
                field,
                raw,
                f"{names[0]} {value:g} di luar {low:g}–{high:g}",
                f"{names[1]} {value:g} is outside {low:g}–{high:g}",
            )
        )
    return value


def _plain(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {
            str(k): v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
            for k, v in item.items()
        }
    return {
        "entry": item if item is None or isinstance(item, (str, int, float, bool)) else str(item)
    }


KIND = BmkgKind()
