"""A Satu Data portal on CKAN's Action API: ``/api/3/action/package_show`` and
``/api/3/action/datastore_search`` (paging with limit/offset, equality ``filters`` as
JSON, ``sort``), answering in CKAN's envelope ``{"help", "success", "result"}``; errors are
``success: false`` with ``error.__type`` ("Not Found Error" with HTTP 404, "Validation
Error" with 409), as CKAN 2.9–2.11 answer them.

Each ``ckan`` source of the catalogue is one dataset (its ``dataset`` option, or one
named after the source) with a datastore resource whose columns are the ones the
source's mapping reads, written the way the portals write them: BPS region codes as
numbers, region names in capitals, month names in capitals with a separate year.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from dashboard.catalogue.models import Catalogue, Region, Source
from dashboard.catalogue.periods import local_today
from dashboard.simulator.periods import month_names, served_periods

HISTORY_MONTHS = 60
MAX_LIMIT = 32000
DEFAULT_LIMIT = 100
MONTHS = tuple(name.upper() for name in month_names("id"))
_NAMESPACE = uuid.UUID("6f1a0c55-3c61-4a3e-8f0e-0d5e3b1c2a77")

Value = Callable[[str, str, date], float | int]


def dataset_name(source: Source, options: Any) -> str:
    return getattr(options, "dataset", None) or source.id


def resource_id(source: Source, which: str = "data") -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{source.id}/{which}"))


class Portal:
    def __init__(self, catalogue: Catalogue, value: Value, base_url: str):
        self.catalogue = catalogue
        self.value = value
        self.base_url = base_url
        self.sources = [s for s in catalogue.sources if s.kind == "ckan"]

    # --- the envelope ----------------------------------------------------------------

    def _ok(self, action: str, result: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"help": self._help(action), "success": True, "result": result}

    def _error(
        self, action: str, status: int, kind: str, **detail: Any
    ) -> tuple[int, dict[str, Any]]:
        return status, {
            "help": self._help(action),
            "success": False,
            "error": {"__type": kind, **detail},
        }

    def _help(self, action: str) -> str:
        return f"{self.base_url}/api/3/action/help_show?name={action}"

    def answer(
        self, action: str, query: dict[str, list[str]], now: datetime
    ) -> tuple[int, dict[str, Any]]:
        if action == "package_show":
            return self.package_show(query, now)
        if action == "datastore_search":
            return self.datastore_search(query, now)
        if action == "package_list":
            return self._ok(action, sorted(self._names()))
        return self._error(action, 400, "Bad request", message=f"Action name not known: {action}")

    def _names(self) -> dict[str, Source]:
        return {dataset_name(s, self.catalogue.source_options[s.id]): s for s in self.sources}

    # --- package_show --------------------------------------------------------------------

    def package_show(self, query: dict[str, list[str]], now: datetime) -> tuple[int, dict]:
        wanted = (query.get("id") or query.get("name_or_id") or [""])[-1]
        by_id = {str(uuid.uuid5(_NAMESPACE, s.id)): s for s in self.sources}
        source = self._names().get(wanted) or by_id.get(wanted)
        if source is None:
            return self._error("package_show", 404, "Not Found Error", message="Not found")
        options = self.catalogue.source_options[source.id]
        skpd = next((k for k in self.catalogue.skpd if k.id == source.skpd), None)
        stamp = now.replace(microsecond=0, tzinfo=None).isoformat()
        package_id = str(uuid.uuid5(_NAMESPACE, source.id))
        name = dataset_name(source, options)
        return self._ok(
            "package_show",
            {
                "id": package_id,
                "name": name,
                "title": source.name,
                "notes": f"Data {source.name}, diperbarui setiap bulan.",
                "license_id": "cc-by",
                "license_title": "Creative Commons Attribution",
                "state": "active",
                "private": False,
                "metadata_created": "2022-01-10T02:00:00",
                "metadata_modified": stamp,
                "organization": {
                    "name": source.skpd,
                    "title": skpd.name if skpd else source.skpd,
                },
                "num_resources": 2,
                "resources": [
                    {
                        "id": resource_id(source),
                        "package_id": package_id,
                        "name": f"{source.name} (CSV)",
                        "format": "CSV",
                        "datastore_active": True,
                        "created": "2022-01-10T02:00:00",
                        "last_modified": stamp,
                        "position": 0,
                        "url": f"{self.base_url}/dataset/{name}/resource/"
                        f"{resource_id(source)}/download/{name}.csv",
                    },
                    {
                        "id": resource_id(source, "metadata"),
                        "package_id": package_id,
                        "name": "Metadata indikator (PDF)",
                        "format": "PDF",
                        "datastore_active": False,
                        "created": "2022-01-10T02:00:00",
                        "last_modified": "2022-01-10T02:00:00",
                        "position": 1,
                        "url": f"{self.base_url}/dataset/{name}/resource/metadata.pdf",
                    },
                ],
            },
        )

    # --- datastore_search ------------------------------------------------------------------

    def datastore_search(self, query: dict[str, list[str]], now: datetime) -> tuple[int, dict]:
        action = "datastore_search"
        rid = (query.get("resource_id") or query.get("id") or [""])[-1]
        source = next((s for s in self.sources if resource_id(s) == rid), None)
        if source is None:
            return self._error(
                action,
                404,
                "Not Found Error",
                message=f'Not found: Resource "{rid}" was not found.',
            )
        try:
            limit = int((query.get("limit") or [str(DEFAULT_LIMIT)])[-1])
            offset = int((query.get("offset") or ["0"])[-1])
        except ValueError:
            return self._error(
                action,
                409,
                "Validation Error",
                limit=["Invalid integer"],
                offset=["Invalid integer"],
            )
        if limit < 0 or offset < 0:
            return self._error(action, 409, "Validation Error", limit=["Must be a natural number"])
        limit = min(limit, MAX_LIMIT)
        fields, records = self.table(source, local_today(now))
        names = {f["id"] for f in fields}
        if "filters" in query:
            try:
                filters = json.loads(query["filters"][-1])
                if not isinstance(filters, dict):
                    raise ValueError
            except ValueError:
                return self._error(action, 409, "Validation Error", filters=["Not a JSON object"])
            unknown = [k for k in filters if k not in names]
            if unknown:
                return self._error(
                    action,
                    409,
                    "Validation Error",
                    filters=[f'field "{k}" not in table' for k in unknown],
                )
            records = [r for r in records if all(_same(r.get(k), v) for k, v in filters.items())]
        if "sort" in query:
            column, _, order = query["sort"][-1].strip().partition(" ")
            if column not in names:
                return self._error(
                    action, 409, "Validation Error", sort=[f'field "{column}" not in table']
                )
            records = sorted(
                records, key=lambda r: str(r.get(column, "")), reverse=order.lower() == "desc"
            )
        page = records[offset : offset + limit]
        base = f"/api/3/action/datastore_search?resource_id={rid}"
        result = {
            "include_total": True,
            "resource_id": rid,
            "fields": fields,
            "records_format": "objects",
            "records": page,
            "limit": limit,
            "offset": offset,
            "_links": {"start": base, "next": f"{base}&offset={offset + limit}"},
            "total": len(records),
            "total_was_estimated": False,
        }
        if "filters" in query:
            result["filters"] = json.loads(query["filters"][-1])
        return self._ok(action, result)

    def table(self, source: Source, today: date) -> tuple[list[dict], list[dict]]:
        """The resource's fields and every record, oldest period first."""
        opts = self.catalogue.source_options[source.id]
        cols = opts.columns
        indicators = [self.catalogue.indicator(code) for code in source.indicators]
        # Every regency and city, then the province's own row (as the portals' tables end);
        # a province-level table has only that row and no region column.
        regions = (
            [*(r for r in self.catalogue.regions if r.kind != "province"), self.catalogue.province]
            if cols.region
            else [self.catalogue.province]
        )
        province = self.catalogue.province
        fields: list[dict[str, str]] = [{"id": "_id", "type": "int"}]
        fields.append({"id": "kode_provinsi", "type": "int"})
        fields.append({"id": "nama_provinsi", "type": "text"})
        if cols.region:
            region_type = "int" if opts.region_system == "bps" else "text"
            fields.append({"id": cols.region, "type": region_type})
            if opts.region_system != "name":
                fields.append({"id": "nama_kabupaten_kota", "type": "text"})
        if cols.indicator:
            fields.append({"id": cols.indicator, "type": "text"})
        fields.append({"id": cols.period, "type": "text"})
        if cols.year:
            fields.append({"id": cols.year, "type": "int"})
        fields.append({"id": cols.value, "type": "numeric"})
        fields.append({"id": "satuan", "type": "text"})
        records: list[dict[str, Any]] = []
        for indicator in indicators:
            code = next((k for k, v in opts.indicator_map.items() if v == indicator.code), None)
            for start in served_periods(indicator.grain, today, HISTORY_MONTHS):
                for region in regions:
                    record: dict[str, Any] = {
                        "_id": len(records) + 1,
                        "kode_provinsi": int(province.code),
                        "nama_provinsi": province.short_name.upper(),
                    }
                    if cols.region:
                        record[cols.region] = _region_cell(region, opts.region_system)
                        if opts.region_system != "name":
                            record["nama_kabupaten_kota"] = _region_name(region)
                    if cols.indicator:
                        record[cols.indicator] = code or indicator.code
                    if cols.year:
                        record[cols.period] = _part_of_year(start, indicator.grain)
                        record[cols.year] = start.year
                    else:
                        record[cols.period] = _period_text(start, indicator.grain)
                    value = self.value(indicator.code, region.code, start)
                    record[cols.value] = value
                    record["satuan"] = indicator.unit.id.upper()
                    records.append(record)
        return fields, records


def _same(cell: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return any(_same(cell, w) for w in wanted)
    return str(cell).casefold() == str(wanted).casefold()


def _region_cell(region: Region, system: str) -> Any:
    if system == "bps":
        return int(region.bps_code)
    if system == "kemendagri":
        return region.code
    return _region_name(region)


def _region_name(region: Region) -> str:
    if region.kind == "province":
        return f"PROVINSI {region.short_name.upper()}"
    prefix = "KOTA" if region.kind == "city" else "KABUPATEN"
    return f"{prefix} {region.short_name.upper()}"


def _part_of_year(start: date, grain: str) -> str:
    if grain == "quarter":
        return f"TRIWULAN {('I', 'II', 'III', 'IV')[(start.month - 1) // 3]}"
    if grain == "year":
        return "TAHUNAN"
    return MONTHS[start.month - 1]


def _period_text(start: date, grain: str) -> str:
    if grain == "year":
        return str(start.year)
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
