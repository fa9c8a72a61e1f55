"""BPS WebAPI dynamic tables as webapi.bps.go.id answers them: ``/v1/api/list/model/data/
lang/{ind|eng}/domain/{domain}/var/{var}[/th/{years}]/key/{key}/``.

The answer lists the table's dimensions — ``var``, ``turvar``, ``vervar`` (regions, BPS
codes), ``tahun`` (year ids: 126 is 2026), ``turtahun`` (months and "Tahunan", or the
year itself) — each as ``[{val, label}]``, and ``datacontent``: the value of every cell
published, keyed by the vals written one after the other (vervar, var, turvar, tahun,
turtahun). A selection with nothing published yet is ``{"status": "OK",
"data-availability": "list-not-available"}``; a bad key is ``status: "Error"``.

Which table is which comes from the catalogue: a ``bps`` source's domain and var.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from dashboard.catalogue.models import Catalogue, Indicator, Region, Source
from dashboard.catalogue.periods import local_today
from dashboard.simulator.periods import latest_complete, month_names

BASE = "/v1/api/list/model/data/"
MONTHS = {"ind": month_names("id"), "eng": month_names("en")}
ANNUAL = {"ind": "Tahunan", "eng": "Annual"}
YEAR = {"ind": "Tahun", "eng": "Year"}
# Which regions BPS publishes a table for (default: every regency and city, and the
# province): consumer prices only for the cities with a price survey; hotel occupancy
# only for the province.
COVERAGE = {"ECO.INFLASI": ("71.71", "71.74"), "BRD.TPK": ()}
DEFAULT_YEARS = 3
INVALID_KEYS = ("invalid", "kunci-salah")
NOT_AVAILABLE = {"status": "OK", "data-availability": "list-not-available"}

Value = Callable[[str, str, date], float | int]


class BpsRequestError(ValueError):
    pass


def parse_path(path: str) -> dict[str, str]:
    """``lang/ind/domain/7100/var/414/th/125;126/key/abc/`` as a dict."""
    parts = [p for p in path.removeprefix(BASE).split("/") if p]
    if len(parts) % 2:
        raise BpsRequestError("the path must be name/value pairs")
    return dict(zip(parts[::2], parts[1::2]))


def year_ids(text: str) -> list[int]:
    """BPS ``th``: ids separated by ';' or ',', ranges written with ':' (120:126)."""
    out: list[int] = []
    for part in text.replace(",", ";").split(";"):
        if ":" in part:
            low, high = (int(x) for x in part.split(":", 1))
            out += range(min(low, high), max(low, high) + 1)
        elif part:
            out.append(int(part))
    return sorted(set(out))


def table_source(catalogue: Catalogue, domain: str, var: str) -> Source | None:
    for source in catalogue.sources:
        if source.kind != "bps":
            continue
        opts = catalogue.source_options[source.id]
        if opts.domain == domain and str(opts.var) == var:
            return source
    return None


def answer(catalogue: Catalogue, value: Value, path: str, now: datetime) -> dict[str, Any]:
    """The JSON document for one request path."""
    try:
        params = parse_path(path)
        years = year_ids(params["th"]) if "th" in params else None
    except (BpsRequestError, ValueError):
        return {"status": "Error", "message": "Invalid parameter"}
    key = params.get("key", "")
    if not key or key.lower() in INVALID_KEYS:
        return {
            "status": "Error",
            "data-availability": "list-not-available",
            "message": "Invalid Key",
        }
    lang = params.get("lang", "ind")
    if lang not in MONTHS or "domain" not in params or "var" not in params:
        return {"status": "Error", "message": "Invalid parameter"}
    source = table_source(catalogue, params["domain"], params["var"])
    if source is None:
        return NOT_AVAILABLE
    return _table(catalogue, source, value, years, lang, local_today(now), now)


def _table(
    catalogue: Catalogue,
    source: Source,
    value: Value,
    years: list[int] | None,
    lang: str,
    today: date,
    now: datetime,
) -> dict[str, Any]:
    opts = catalogue.source_options[source.id]
    indicator = catalogue.indicator(opts.indicator or next(iter(opts.turvar_indicators.values())))
    grain = indicator.grain
    latest = latest_complete(today, grain)
    published = list(range(latest.year - DEFAULT_YEARS + 1, latest.year + 1))
    wanted = [y + 1900 for y in years] if years is not None else published
    shown = [y for y in wanted if y <= latest.year and y >= 2000]
    if not shown:
        return NOT_AVAILABLE
    regions = _regions(catalogue, indicator)
    turtahun = _turtahun(grain, lang)
    turvars = (
        [(int(k), catalogue.indicator(code)) for k, code in opts.turvar_indicators.items()]
        if opts.turvar_indicators
        else [(0, indicator)]
    )
    content: dict[str, float | int] = {}
    for region in regions:
        for turvar_val, ind in turvars:
            for year in shown:
                for val, start in _cells(grain, year):
                    if start is not None and start > latest:
                        continue
                    key = f"{region.bps_code}{opts.var}{turvar_val}{year - 1900}{val}"
                    if start is None:  # the annual column: the year's mean, once it is complete
                        if year == latest.year and grain != "year" and latest.month != 12:
                            continue
                        months = [s for _, s in _cells(grain, year) if s is not None]
                        values = [value(ind.code, region.code, s) for s in months]
                        content[key] = round(sum(values) / len(values), ind.decimals)
                    else:
                        content[key] = value(ind.code, region.code, start)
    return {
        "status": "OK",
        "data-availability": "available",
        "last_update": now.strftime("%Y-%m-%d %H:%M:%S"),
        "subject": [{"val": _subject(indicator), "label": indicator.name.id.split(" (")[0]}],
        "var": [
            {
                "val": opts.var,
                "label": _var_label(indicator, regions, lang),
                "unit": indicator.unit.id if lang == "ind" else indicator.unit.en,
                "subj": indicator.name.id.split(" (")[0],
                "def": (indicator.description.id if indicator.description else ""),
                "decimal": indicator.decimals,
                "note": "",
            }
        ],
        "turvar": [
            {"val": val, "label": ind.name.id if val else "Tidak ada"} for val, ind in turvars
        ],
        "labelvervar": "Kabupaten/Kota" if len(regions) > 3 else "Kota",
        "vervar": [{"val": int(r.bps_code), "label": _region_label(r)} for r in regions],
        "tahun": [{"val": y - 1900, "label": str(y)} for y in shown],
        "turtahun": [{"val": v, "label": label} for v, label in turtahun],
        "datacontent": content,
        "related": [],
    }


def _regions(catalogue: Catalogue, indicator: Indicator) -> list[Region]:
    codes = COVERAGE.get(indicator.code)
    subregions = [r for r in catalogue.regions if r.kind != "province"]
    if codes is not None:
        subregions = [r for r in subregions if r.code in codes]
    # BPS lists the regencies and cities first, the province last.
    return [*subregions, catalogue.province]


def _region_label(region: Region) -> str:
    if region.kind == "province":
        return region.short_name.upper()
    return region.short_name


def _var_label(indicator: Indicator, regions: list[Region], lang: str) -> str:
    name = indicator.name.id if lang == "ind" else indicator.name.en
    if len(regions) == 1:
        return f"{name} Provinsi Sulawesi Utara" if lang == "ind" else f"{name}, North Sulawesi"
    return f"{name} Menurut Kabupaten/Kota" if lang == "ind" else f"{name} by Regency/City"


def _subject(indicator: Indicator) -> int:
    return {"society": 26, "economy": 3, "branding": 16}.get(indicator.domain, 1)


def _turtahun(grain: str, lang: str) -> list[tuple[int, str]]:
    if grain == "month":
        return [*enumerate(MONTHS[lang], start=1), (13, ANNUAL[lang])]
    if grain == "quarter":
        words = ("I", "II", "III", "IV")
        prefix = "Triwulan" if lang == "ind" else "Quarter"
        return [*((i + 1, f"{prefix} {w}") for i, w in enumerate(words)), (5, ANNUAL[lang])]
    return [(0, YEAR[lang])]


def _cells(grain: str, year: int) -> list[tuple[int, date | None]]:
    """(turtahun val, period start) of a year's cells; None for the annual column."""
    if grain == "month":
        return [*((m, date(year, m, 1)) for m in range(1, 13)), (13, None)]
    if grain == "quarter":
        return [*((q, date(year, 3 * q - 2, 1)) for q in range(1, 5)), (5, None)]
    return [(0, date(year, 1, 1))]
