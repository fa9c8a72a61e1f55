"""Generic HTTP JSON: a declared records path and one JMESPath expression per field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors import http, limits
from collectors.base import (
    Candidate,
    ParseError,
    ParseResult,
    Payload,
    Reason,
    SourceContext,
    period_bookmark,
)
from collectors.periods import period_for
from collectors.values import NumberReader, ValueProblem


def _compiles(expression: str) -> str:
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        # jmespath's own text spans three lines with a caret; one line naming the expression reads better.
        problem = str(exc).splitlines()[0].removeprefix("Invalid jmespath expression: ").rstrip(":")
        raise ValueError(
            f"not a valid JMESPath expression {expression!r}: {problem.lower()}"
        ) from None
    return expression


class FieldMap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str | None = None
    region: str
    period: str
    value: str

    @field_validator("indicator", "region", "period", "value")
    @classmethod
    def _valid(cls, v: str | None) -> str | None:
        return v if v is None else _compiles(v)


class HttpJsonOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    params: dict[str, str] = {}
    # Extra query parameters on a source's first run, to pull its history.
    backfill_params: dict[str, str] = {}
    # Query parameter carrying the bookmark (latest period seen) on later runs.
    bookmark_param: str | None = None
    header_env: dict[str, str] = {}
    records: str
    fields: FieldMap
    # A source that feeds a single indicator may name it here instead of a field.
    indicator: str | None = None
    # The source's own indicator codes mapped to the catalogue's.
    indicator_map: dict[str, str] = {}
    region_system: Literal["kemendagri", "bps", "name"] = "kemendagri"
    locale: Literal["id", "en"] = "en"

    @field_validator("records")
    @classmethod
    def _records(cls, v: str) -> str:
        return _compiles(v)


class HttpJsonKind:
    name = "http_json"
    options_model = HttpJsonOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        opts: HttpJsonOptions = ctx.options
        params = dict(opts.params)
        if ctx.backfill:
            params.update(opts.backfill_params)
        elif opts.bookmark_param and ctx.bookmark:
            params[opts.bookmark_param] = ctx.bookmark
        return http.get(
            opts.url,
            params=params,
            headers=http.headers_from_env(opts.header_env, ctx),
            timeout=ctx.source.timeout_seconds,
        )

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: HttpJsonOptions = ctx.options
        limits.check_not_empty(payload.content)
        limits.refuse_html(payload.content)
        try:
            document = json.loads(payload.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParseError(f"payload is not JSON: {exc}", f"muatan bukan JSON: {exc}") from None
        except RecursionError:
            raise ParseError(
                "JSON is nested too deeply", "JSON bersarang terlalu dalam", error_class="too_large"
            ) from None
        try:
            records = jmespath.search(opts.records, document)
        except (JMESPathError, RecursionError) as exc:
            raise ParseError(
                f"records path failed: {exc}", f"jalur records gagal: {exc}", error_class="schema"
            ) from None
        if not isinstance(records, list):
            raise ParseError(
                f"records path '{opts.records}' does not lead to a list",
                f"jalur records '{opts.records}' tidak menghasilkan daftar",
                error_class="schema",
            )
        compiled = {k: jmespath.compile(v) for k, v in opts.fields.model_dump().items() if v}
        result = ParseResult()
        numbers = NumberReader(opts.locale)
        latest: dict[str, date] = {}
        for number, record in enumerate(records, start=1):
            candidate = self._candidate(number, record, compiled, opts, ctx, numbers)
            code, period = candidate.indicator, candidate.period_start
            if code and period and (code not in latest or period > latest[code]):
                latest[code] = period
            result.rows.append(candidate)
        result.bookmark = period_bookmark(latest, ctx.bookmark)
        return result

    def _candidate(
        self,
        number: int,
        record: Any,
        compiled: dict,
        opts: HttpJsonOptions,
        ctx: SourceContext,
        numbers: NumberReader,
    ) -> Candidate:
        if not isinstance(record, dict):
            return Candidate(
                number,
                {"record": record},
                reasons=[
                    Reason(None, record, "baris bukan objek JSON", "record is not a JSON object")
                ],
            )
        raw = {name: _search(expr, record) for name, expr in compiled.items()}
        row = Candidate(number, dict(record))
        code = opts.indicator if opts.indicator else raw.get("indicator")
        code = opts.indicator_map.get(str(code), code) if code is not None else None
        indicator = ctx.catalogue.indicators_by_code.get(str(code)) if code is not None else None
        if indicator is None:
            row.reasons.append(
                Reason(
                    opts.fields.indicator or "indicator",
                    code,
                    f"indikator '{code}' tidak dikenal",
                    f"indicator '{code}' is unknown",
                )
            )
        else:
            row.indicator = indicator.code
            row.grain = indicator.grain
            try:
                row.period_start = period_for(
                    raw.get("period"), indicator.grain, locale=opts.locale
                )
            except ValueProblem as p:
                row.reasons.append(p.reason(opts.fields.period, raw.get("period")))
        region_raw = raw.get("region")
        region = (
            ctx.regions.resolve(str(region_raw), opts.region_system)
            if region_raw is not None
            else None
        )
        if region is None:
            row.reasons.append(
                Reason(
                    opts.fields.region,
                    region_raw,
                    f"wilayah '{region_raw}' tidak dikenal",
                    f"region '{region_raw}' is unknown",
                )
            )
        row.region = region
        try:
            row.value = numbers.read(raw.get("value"))
        except ValueProblem as p:
            row.reasons.append(p.reason(opts.fields.value, raw.get("value")))
        return row


def _search(expr, record: dict) -> Any:
    try:
        return expr.search(record)
    except JMESPathError:
        return None


KIND = HttpJsonKind()
