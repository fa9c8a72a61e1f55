"""BPS WebAPI dynamic tables (``/list/model/data/…``).

A response lists its dimensions — ``vervar`` (regions), ``var``, ``turvar`` (breakdown),
``tahun`` (years), ``turtahun`` (months, quarters, or the year itself) — each as
``[{val, label}]``, and ``datacontent`` maps a key to a value. The key is the ``val``s
written one after the other in that order: vervar, var, turvar, tahun, turtahun
(vervar 7171, var 2076, turvar 0, tahun 126, turtahun 3 → "7171207601263"). Such a key cannot be split back reliably — with twelve monthly
turtahun, "…1261" + "0" and "…126" + "10" collide — so every candidate key is built
from the lists and looked up exactly; a key two combinations produce is rejected as
ambiguous, and a key no combination produces is reported, never dropped.

BPS region codes become Kemendagri codes (five regencies differ). A response whose
``data-availability`` is not "available" is a run with nothing new, not a failure.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from collectors import http, limits
from collectors.base import (
    Candidate,
    ParseError,
    ParseResult,
    Payload,
    PermanentFetchError,
    Reason,
    SourceContext,
)
from collectors.limits import Limits
from collectors.records import Columns, RecordMapper, TableMapping, header_key
from dashboard.catalogue.periods import WITA

DIMENSIONS = ("vervar", "var", "turvar", "tahun", "turtahun")
# What one datacontent cell becomes: the mapped fields, then the dimensions as BPS labels them.
RECORD_FIELDS = [
    "wilayah_bps",
    "periode",
    "nilai",
    "turvar",
    "vervar",
    "var",
    "turvar_label",
    "tahun",
    "turtahun",
]
# turtahun labels that mean "the whole year" rather than a part of it.
ANNUAL = frozenset({"tahun", "tahunan", "setahun", "annual", "year", "yearly"})


class BpsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(default="https://webapi.bps.go.id/v1/api", pattern=r"^https?://")
    domain: str = Field(pattern=r"^\d{4}$")
    var: int
    # Year ids (BPS 'th', e.g. "126" for 2026); left out, BPS's default years.
    th: str | None = Field(default=None, pattern=r"^[0-9;:,]+$")
    backfill_th: str | None = Field(default=None, pattern=r"^[0-9;:,]+$")
    # Or, on a backfill, the last N years up to this one (a range "th/120:126").
    backfill_years: int | None = Field(default=None, ge=1, le=50)
    lang: Literal["ind", "eng"] = "ind"
    # The API key comes from this environment variable, never from YAML.
    key_env: str
    # One indicator for the table, or one per turvar val ({"457": "IND.CODE"}); turvar
    # vals not listed are not read.
    indicator: str | None = None
    turvar_indicators: dict[str, str] = {}
    # turtahun labels not read, e.g. ["Tahunan"] when only the months are wanted.
    turtahun_skip: list[str] = []
    # vervar vals that are not BPS region codes, mapped to Kemendagri codes ({"9999": "71"}).
    vervar_map: dict[str, str] = {}
    # A national table lists every province: read only this province's regions.
    only_known_regions: bool = False
    limits: Limits = Field(default_factory=Limits)

    @model_validator(mode="after")
    def _one_indicator_source(self) -> BpsOptions:
        if bool(self.indicator) == bool(self.turvar_indicators):
            raise ValueError("give exactly one of indicator or turvar_indicators")
        if self.backfill_th and self.backfill_years:
            raise ValueError("give backfill_th or backfill_years, not both")
        return self


class BpsKind:
    name = "bps"
    options_model = BpsOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        opts: BpsOptions = ctx.options
        key = ctx.env(opts.key_env)
        if not key:
            raise PermanentFetchError(
                f"environment variable {opts.key_env} (BPS API key) is not set",
                f"variabel lingkungan {opts.key_env} (kunci API BPS) belum diisi",
                error_class="auth",
            )
        th = opts.th
        if ctx.backfill and opts.backfill_th:
            th = opts.backfill_th
        elif ctx.backfill and opts.backfill_years:
            this_year = datetime.now(WITA).year
            th = f"{this_year - opts.backfill_years - 1900}:{this_year - 1900}"
        path = f"/list/model/data/lang/{opts.lang}/domain/{opts.domain}/var/{opts.var}/"
        if th:
            path += f"th/{th}/"
        payload = http.get(
            f"{opts.base_url.rstrip('/')}{path}key/{key}/",
            timeout=ctx.source.timeout_seconds,
            max_bytes=opts.limits.max_bytes,
        )
        # The key is part of the URL: keep it out of the archived metadata.
        payload.meta["url"] = str(payload.meta.get("url", "")).replace(key, "***")
        return payload

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: BpsOptions = ctx.options
        doc = limits.load_json(payload.content, opts.limits)
        if not isinstance(doc, dict):
            raise _schema("response is not a JSON object", "respons bukan objek JSON")
        if doc.get("status") != "OK":
            message = str(doc.get("message") or doc.get("status") or "no status")[:300]
            raise ParseError(f"BPS says: {message}", f"BPS menjawab: {message}", error_class="http")
        if doc.get("data-availability") != "available":
            return ParseResult(bookmark=ctx.bookmark)  # nothing published for this selection yet
        dims = {name: _dimension(doc, name) for name in DIMENSIONS}
        content = doc.get("datacontent")
        if not isinstance(content, dict):
            raise _schema("datacontent is not an object", "datacontent bukan objek")
        return _decode(dims, content, opts, ctx)


def _schema(en: str, id_: str) -> ParseError:
    return ParseError(en, id_, error_class="schema")


def _dimension(doc: dict[str, Any], name: str) -> list[tuple[str, str]]:
    items = doc.get(name)
    if not isinstance(items, list) or not items:
        raise _schema(f"'{name}' is missing or empty", f"'{name}' tidak ada atau kosong")
    out = []
    for item in items:
        if (
            not isinstance(item, dict)
            or "val" not in item
            or isinstance(item["val"], (dict, list, bool))
        ):
            raise _schema(
                f"'{name}' has an item without a plain 'val': {str(item)[:80]}",
                f"'{name}' memuat item tanpa 'val' yang sah: {str(item)[:80]}",
            )
        out.append((str(item["val"]), str(item.get("label", "")).strip()))
    return out


def _decode(
    dims: dict[str, list[tuple[str, str]]],
    content: dict[str, Any],
    opts: BpsOptions,
    ctx: SourceContext,
) -> ParseResult:
    limits.check_rows(len(content), opts.limits)
    combinations = math.prod(len(items) for items in dims.values())
    if combinations > opts.limits.max_rows:  # the dimension lists alone must not be a bomb
        raise limits.too_large(
            f"the table's dimensions make {combinations} cells, more than {opts.limits.max_rows}",
            f"dimensi tabel menghasilkan {combinations} sel, melebihi {opts.limits.max_rows}",
        )
    # Every combination, read or not: a key from a skipped turvar is then known, not "unmatched".
    combos: dict[str, tuple | None] = {}
    ambiguous: set[str] = set()
    for v in dims["vervar"]:
        for va in dims["var"]:
            for t in dims["turvar"]:
                for y in dims["tahun"]:
                    for p in dims["turtahun"]:
                        key = v[0] + va[0] + t[0] + y[0] + p[0]
                        if key in combos:
                            ambiguous.add(key)
                        combos[key] = (v, va, t, y, p)
    skip = {header_key(s) for s in opts.turtahun_skip}
    records: list[tuple[int, dict[str, Any]]] = []
    stray: list[Candidate] = []
    for number, (key, value) in enumerate(content.items(), start=1):
        if key in ambiguous:
            stray.append(
                Candidate(
                    number,
                    {"key": key, "value": _plain(value)},
                    reasons=[
                        Reason(
                            "datacontent",
                            key,
                            f"kunci '{key}' cocok dengan lebih dari satu kombinasi dimensi",
                            f"key '{key}' matches more than one combination of dimensions",
                        )
                    ],
                )
            )
            continue
        combo = combos.get(key)
        if combo is None:
            stray.append(
                Candidate(
                    number,
                    {"key": key, "value": _plain(value)},
                    reasons=[
                        Reason(
                            "datacontent",
                            key,
                            f"kunci '{key}' tidak cocok dengan dimensi tabel",
                            f"key '{key}' matches no combination of the table's dimensions",
                        )
                    ],
                )
            )
            continue
        record = _record(combo, value, opts, ctx)
        if record is not None and header_key(combo[4][1]) not in skip:
            records.append((number, record))
    mapping = TableMapping(
        columns=Columns(
            region="wilayah_bps",
            period="periode",
            value="nilai",
            indicator="turvar" if opts.turvar_indicators else None,
        ),
        indicator=opts.indicator,
        indicator_map=opts.turvar_indicators,
        region_system="bps",
        locale="en",
        limits=opts.limits,
    )
    mapper = RecordMapper(mapping, ctx, RECORD_FIELDS)
    result = mapper.map((n, mapper.cells_of(r)) for n, r in records).result(ctx.bookmark)
    result.rows = sorted(result.rows + stray, key=lambda c: c.row)
    return result


def _record(
    combo: tuple, value: Any, opts: BpsOptions, ctx: SourceContext
) -> dict[str, Any] | None:
    (v_val, v_label), (var_val, _), (t_val, t_label), (y_val, y_label), (p_val, p_label) = combo
    if opts.turvar_indicators and t_val not in opts.turvar_indicators:
        return None  # a breakdown the source does not read
    region = _bps_region(v_val, opts, ctx)
    if region is None and opts.only_known_regions:
        return None
    period = y_label if header_key(p_label) in ANNUAL else f"{p_label} {y_label}"
    return {
        "wilayah_bps": region or v_val,
        "periode": period,
        "nilai": _plain(value),
        "turvar": t_val,
        "vervar": f"{v_val} {v_label}".strip(),
        "var": var_val,
        "turvar_label": t_label,
        "tahun": f"{y_val} {y_label}",
        "turtahun": f"{p_val} {p_label}",
    }


def _bps_region(val: str, opts: BpsOptions, ctx: SourceContext) -> str | None:
    """The region's BPS code (what the mapper reads), via vervar_map where BPS uses its own code."""
    if val in opts.vervar_map:
        region = ctx.regions.by_code.get(opts.vervar_map[val])
        return region.bps_code if region else None
    return val if ctx.regions.from_bps(val) else None


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


KIND = BpsKind()
