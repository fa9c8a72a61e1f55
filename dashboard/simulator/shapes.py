"""The JSON document a source's mapping expects, built from simulated values.

The shape is read off the source's own options: the records path and the
JMESPath of each field are inverted (``result.records`` becomes
``{"result": {"records": [...]}}``), so a source added to sources.yaml is
served without code here. Labels follow the source's declared conventions:
Kemendagri or BPS codes or names, and numbers written in its locale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import jmespath

from collectors.http_json import HttpJsonOptions
from dashboard.catalogue.models import Region

_TO_INDONESIAN = str.maketrans({",": ".", ".": ","})


class ShapeError(ValueError):
    """The source's mapping uses JMESPath the simulator cannot build a document for."""


@dataclass
class Cell:
    """One record as the SKPD writes it; ``indicator`` is the catalogue code."""

    indicator: str
    region: str
    period: str
    value: Any


@lru_cache(maxsize=4096)
def _pick(*parts: object) -> int:
    """A stable small number from the parts: one SKPD always writes the same way."""
    return int.from_bytes(
        hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=4).digest(), "big"
    )


def region_label(region: Region, system: str, source_id: str) -> str:
    if system == "bps":
        return region.bps_code
    if system == "kemendagri":
        # Some systems drop the dot ("7171"); the registry reads both.
        dotted = _pick(source_id, "dots") % 3 != 0
        return region.code if dotted or "." not in region.code else region.code.replace(".", "")
    names = [region.name, region.short_name, *region.aliases, region.name.upper()]
    return names[_pick(source_id, region.code) % len(names)]


def period_label(start: date, grain: str, source_id: str) -> str:
    style = _pick(source_id, "period") % 2
    if grain == "day":
        return start.isoformat()
    if grain == "month":
        return start.strftime("%Y-%m") if style == 0 else start.isoformat()
    if grain == "quarter":
        quarter = (start.month - 1) // 3 + 1
        return f"{start.year}-Q{quarter}" if style == 0 else f"{start.year}Q{quarter}"
    return str(start.year)


def value_label(value: Any, decimals: int, locale: str) -> Any:
    """A number as the source writes it: JSON number, or text in Indonesian ('1.234,5')."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return value  # a deliberately bad cell travels as written
    if locale == "en":
        return int(value) if decimals == 0 and float(value).is_integer() else value
    # Fixed decimals as the SKPD reports them, more only if the value has them (an override).
    text = f"{value:,.{decimals + 4}f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction[:decimals] + fraction[decimals:].rstrip("0")
    text = f"{whole}.{fraction}" if fraction else whole
    # Python writes "1,234.5"; Indonesian is "1.234,5" (checked against Babel in the tests).
    return text.translate(_TO_INDONESIAN) if locale == "id" else text


def source_code(code: str, options: HttpJsonOptions) -> str:
    """The source's own name for a catalogue indicator (inverse of indicator_map)."""
    for theirs, ours in options.indicator_map.items():
        if ours == code:
            return theirs
    return code


def build_document(options: HttpJsonOptions, cells: list[Cell], meta: dict[str, Any]) -> Any:
    fields = {name: _ast(expr) for name, expr in options.fields.model_dump().items() if expr}
    if options.indicator is not None:
        fields.pop("indicator", None)  # the source names its one indicator in the config
    records = [_record(fields, options, cell) for cell in cells]
    several = len({c.indicator for c in cells}) > 1
    groups = [cell.indicator if several else cell.region for cell in cells]
    document = _place(_ast(options.records), records, groups)
    if isinstance(document, dict) and "meta" not in document:
        document["meta"] = meta
    return document


def _record(
    fields: dict[str, Mapping[str, Any]], options: HttpJsonOptions, cell: Cell
) -> dict[str, Any]:
    values = {
        "indicator": source_code(cell.indicator, options),
        "region": cell.region,
        "period": cell.period,
        "value": cell.value,
    }
    record: dict[str, Any] = {}
    for name, node in fields.items():
        record = _merge(record, _place(node, values[name], None))
    return record


def _ast(expression: str) -> Mapping[str, Any]:
    return jmespath.compile(expression).parsed


def _place(node: Mapping[str, Any], value: Any, groups: list[Any] | None) -> Any:
    """A document on which the expression ``node`` evaluates to ``value``.

    ``groups`` (one key per record) splits the records at the first flatten
    (``data[]``) into one list per key, as SKPD exports group them.
    """
    kind = node["type"]
    children = node.get("children", [])
    if kind == "field":
        return {node["value"]: value}
    if kind in ("subexpression", "pipe"):
        return _place(children[0], _place(children[1], value, groups), None)
    if kind in ("identity", "current"):
        return value
    if kind == "projection":
        items = [_place(children[1], item, None) for item in value]
        return _place(children[0], items, groups)
    if kind == "flatten":
        if groups is not None and len(groups) == len(value):
            return _place(children[0], _chunks(value, groups), None)
        return _place(children[0], value, None)  # a list of objects flattens to itself
    if (
        kind == "index_expression"
        and children[1].get("type") == "index"
        and children[1]["value"] in (0, -1)
    ):
        return _place(children[0], [value], groups)
    raise ShapeError(f"the simulator cannot build a document for a JMESPath '{kind}' expression")


def _chunks(values: list[Any], groups: list[Any]) -> list[list[Any]]:
    out: dict[Any, list[Any]] = {}
    for value, key in zip(values, groups):
        out.setdefault(key, []).append(value)
    return list(out.values())


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, value in b.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    raise ShapeError("two fields of the mapping write to the same place")
