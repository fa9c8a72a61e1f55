"""CKAN ``datastore_search``: every page of a resource, mapped like any table.

The resource is named by its id, or found through ``package_show``: a dataset's
datastore-active resource (the one named ``resource_name``, else the one modified last),
as portals replace a year's resource with a new one under the same dataset.
``fetch`` pages with offset/limit until a short page and returns the page bodies,
byte for byte, as one JSON array (so the archive holds exactly what CKAN sent).
A ``success: false`` envelope fails the run with CKAN's own message; ``parse`` checks
the same again, so a replayed or uploaded error page fails the same way.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import Field, model_validator
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from collectors import deadline, http, limits
from collectors.base import (
    CollectorError,
    ParseError,
    ParseResult,
    Payload,
    PermanentFetchError,
    SourceContext,
    TransientFetchError,
)
from collectors.records import RecordMapper, TableMapping, paused_gc

ACTION = "/api/3/action/datastore_search"
PACKAGE_SHOW = "/api/3/action/package_show"


class CkanOptions(TableMapping):
    base_url: str = Field(pattern=r"^https?://")
    resource_id: str | None = Field(default=None, min_length=1)
    # Or the dataset (package) name or id: package_show finds its datastore resource.
    dataset: str | None = Field(default=None, min_length=1)
    resource_name: str | None = None
    page_size: int = Field(default=1000, ge=1, le=32000)
    # Equality filters CKAN applies server-side ({"tahun": 2026}).
    filters: dict[str, Any] = {}
    sort: str | None = None
    # A runaway resource stops here rather than filling the disk.
    max_pages: int = Field(default=1000, ge=1)
    header_env: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_resource(self) -> CkanOptions:
        if bool(self.resource_id) == bool(self.dataset):
            raise ValueError("give exactly one of resource_id or dataset")
        if self.resource_name and not self.dataset:
            raise ValueError("resource_name picks a resource of a dataset: give dataset too")
        return self


class CkanKind:
    name = "ckan"
    options_model = CkanOptions

    def fetch(self, ctx: SourceContext) -> Payload:
        opts: CkanOptions = ctx.options
        url = opts.base_url.rstrip("/") + ACTION
        headers = http.headers_from_env(opts.header_env, ctx)
        bodies: list[bytes] = []
        total_bytes = 0
        with httpx.Client(
            timeout=httpx.Timeout(ctx.source.timeout_seconds), follow_redirects=True
        ) as client:
            resource = opts.resource_id or _find_resource(client, opts, headers)
            while True:
                if len(bodies) >= opts.max_pages:
                    raise PermanentFetchError(
                        f"more than {opts.max_pages} pages of {opts.page_size} records",
                        f"lebih dari {opts.max_pages} halaman berisi {opts.page_size} baris",
                        error_class="too_large",
                    )
                params = _params(opts, resource, offset=len(bodies) * opts.page_size)
                body = _get_page(client, url, params, headers, opts.limits.max_bytes - total_bytes)
                total_bytes += len(body)
                records = _page_records(body, opts.limits, fail=_fetch_failure)
                bodies.append(body)
                if len(records) < opts.page_size:
                    break
        return Payload(
            b"[" + b",".join(bodies) + b"]",
            "application/json",
            {"url": url, "resource_id": resource, "dataset": opts.dataset, "pages": len(bodies)},
        )

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult:
        opts: CkanOptions = ctx.options
        with paused_gc():  # a big resource is a million small dicts (see records.paused_gc)
            return self._parse(payload, opts, ctx)

    def _parse(self, payload: Payload, opts: CkanOptions, ctx: SourceContext) -> ParseResult:
        pages = limits.load_json(payload.content, opts.limits)
        if isinstance(pages, dict):
            pages = [pages]  # a single datastore_search response saved by hand
        if not isinstance(pages, list) or not pages:
            raise ParseError(
                "payload is not a list of datastore_search responses",
                "muatan bukan daftar respons datastore_search",
                error_class="schema",
            )
        records: list[tuple[int, dict[str, Any]]] = []
        fields: list[str] | None = None
        result: dict[str, Any] = {}
        for page in pages:
            page_records = _records_of(page, fail=_parse_failure)
            result = page["result"]
            if fields is None and isinstance(result.get("fields"), list):
                fields = [f["id"] for f in result["fields"] if isinstance(f, dict) and "id" in f]
            for record in page_records:
                if not isinstance(record, dict):
                    raise ParseError(
                        f"record {len(records) + 1} is not an object",
                        f"baris {len(records) + 1} bukan objek",
                        error_class="schema",
                    )
                records.append((len(records) + 1, record))
                limits.check_rows(len(records), opts.limits)
        _check_complete(len(records), result)
        mapper = RecordMapper(opts, ctx, fields if fields is not None else _keys(records))
        return mapper.map((n, mapper.cells_of(r)) for n, r in records).result(ctx.bookmark)


def _find_resource(client: httpx.Client, opts: CkanOptions, headers: dict[str, str]) -> str:
    """The dataset's datastore resource: the one named ``resource_name``, else the one
    modified last (a portal adds next year's resource beside last year's)."""
    url = opts.base_url.rstrip("/") + PACKAGE_SHOW
    body = _get_page(client, url, {"id": opts.dataset}, headers, opts.limits.max_bytes)
    try:
        package = limits.load_json(body, opts.limits)
    except ParseError as exc:
        raise PermanentFetchError(
            exc.message_en, exc.message_id, error_class=exc.error_class
        ) from None
    if not isinstance(package, dict) or package.get("success") is not True:
        message, error_class = _ckan_message(package)
        raise PermanentFetchError(
            f"CKAN says: {message}", f"CKAN menjawab: {message}", error_class=error_class
        )
    result = package.get("result")
    resources = result.get("resources") if isinstance(result, dict) else None
    if not isinstance(resources, list):
        raise PermanentFetchError(
            f"package_show of '{opts.dataset}' has no resources list",
            f"package_show '{opts.dataset}' tidak memuat daftar resources",
            error_class="schema",
        )
    usable = [
        r
        for r in resources
        if isinstance(r, dict)
        and r.get("datastore_active") is True
        and isinstance(r.get("id"), str)
        and (
            opts.resource_name is None
            or str(r.get("name", "")).casefold() == opts.resource_name.casefold()
        )
    ]
    if not usable:
        names = ", ".join(
            f"'{r.get('name')}' ({r.get('format') or '?'}"
            + (", datastore" if r.get("datastore_active") else "")
            + ")"
            for r in resources
            if isinstance(r, dict)
        )
        wanted = f" named '{opts.resource_name}'" if opts.resource_name else ""
        wanted_id = f" bernama '{opts.resource_name}'" if opts.resource_name else ""
        raise PermanentFetchError(
            f"dataset '{opts.dataset}' has no datastore resource{wanted}; its resources: "
            f"{names or 'none'}",
            f"dataset '{opts.dataset}' tidak punya resource datastore{wanted_id}; resource "
            f"yang ada: {names or 'tidak ada'}",
            error_class="schema",
        )
    newest = max(usable, key=lambda r: str(r.get("last_modified") or r.get("created") or ""))
    return str(newest["id"])


def _params(opts: CkanOptions, resource: str, offset: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "resource_id": resource,
        "limit": opts.page_size,
        "offset": offset,
    }
    if opts.filters:
        params["filters"] = json.dumps(opts.filters, separators=(",", ":"))
    if opts.sort:
        params["sort"] = opts.sort
    return params


def _check_complete(count: int, last: dict[str, Any]) -> None:
    """Fewer records than the last page's total means pages went missing (or rows moved)."""
    total = last.get("total")
    if isinstance(total, int) and not last.get("total_was_estimated") and count < total:
        raise ParseError(
            f"incomplete: {count} of {total} records; run the source again",
            f"tidak lengkap: {count} dari {total} baris; jalankan sumber ini lagi",
            error_class="schema",
        )


def _keys(records: list[tuple[int, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for _, record in records:
        if isinstance(record, dict):
            keys.update(dict.fromkeys(record))
    return list(keys)


# --- the envelope -------------------------------------------------------------

# CKAN's error types and what kind of failure each is for the run record.
_ERROR_CLASS = {
    "Authorization Error": "auth",
    "Validation Error": "schema",
    "Not Found Error": "http",
}


def _ckan_message(body: Any) -> tuple[str, str]:
    """CKAN's own words for a ``success: false`` envelope, and the error class they imply."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "CKAN reported failure without an error object", "http"
    kind = str(error.get("__type", ""))
    message = error.get("message")
    if message is None:  # validation errors list the offending fields instead
        message = "; ".join(f"{k}: {v}" for k, v in error.items() if k != "__type")
    text = f"{kind}: {message}" if kind else str(message)
    return text[:500], _ERROR_CLASS.get(kind, "http")


def _records_of(page: Any, *, fail) -> list[Any]:
    if not isinstance(page, dict) or "success" not in page:
        raise fail(
            "a page is not a CKAN action response (no 'success')",
            "sebuah halaman bukan respons aksi CKAN (tidak ada 'success')",
            "schema",
        )
    if page["success"] is not True:
        message, error_class = _ckan_message(page)
        raise fail(f"CKAN says: {message}", f"CKAN menjawab: {message}", error_class)
    result = page.get("result")
    records = result.get("records") if isinstance(result, dict) else None
    if not isinstance(records, list):
        raise fail(
            "a page has no result.records list",
            "sebuah halaman tidak punya daftar result.records",
            "schema",
        )
    return records


def _page_records(body: bytes, lim: limits.Limits, *, fail) -> list[Any]:
    try:
        page = limits.load_json(body, lim)
    except ParseError as exc:
        raise PermanentFetchError(
            exc.message_en, exc.message_id, error_class=exc.error_class
        ) from None
    return _records_of(page, fail=fail)


def _parse_failure(en: str, id_: str, error_class: str) -> CollectorError:
    return ParseError(en, id_, error_class=error_class)


def _fetch_failure(en: str, id_: str, error_class: str) -> CollectorError:
    return PermanentFetchError(en, id_, error_class=error_class)


# --- one page over HTTP ---------------------------------------------------------


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, CollectorError) and exc.transient


@retry(
    retry=retry_if_exception(_is_transient),
    stop=stop_after_attempt(3),
    wait=wait_random_exponential(multiplier=0.5, max=8),
    reraise=True,
)
def _get_page(
    client: httpx.Client, url: str, params: dict[str, Any], headers: dict[str, str], max_bytes: int
) -> bytes:
    """One page; unlike ``http.get`` it reads a 4xx body, because CKAN explains itself there."""
    deadline.check()
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise TransientFetchError(f"HTTP {status} from {url}", f"HTTP {status} dari {url}")
            body = bytearray()
            for chunk in response.iter_bytes():
                deadline.check()  # the run's total deadline, however slowly the bytes come
                body += chunk
                if len(body) > max_bytes:
                    raise PermanentFetchError(
                        f"CKAN pages exceed {max_bytes} more bytes",
                        f"halaman CKAN melebihi {max_bytes} bita lagi",
                        error_class="too_large",
                    )
    except httpx.TimeoutException as exc:
        deadline.check()
        raise TransientFetchError(
            f"timed out: {url}", f"batas waktu habis: {url}", error_class="timeout"
        ) from exc
    except httpx.TransportError as exc:
        raise TransientFetchError(
            f"cannot connect to {url}: {exc}",
            f"tidak dapat terhubung ke {url}: {exc}",
            error_class="connection",
        ) from exc
    if status >= 400:
        try:
            message, error_class = _ckan_message(json.loads(bytes(body)))
        except ValueError:
            message, error_class = f"HTTP {status}", "http"
        if status in (401, 403):
            error_class = "auth"
        raise PermanentFetchError(
            f"CKAN says (HTTP {status}): {message}",
            f"CKAN menjawab (HTTP {status}): {message}",
            error_class=error_class,
        )
    return bytes(body)


KIND = CkanKind()
