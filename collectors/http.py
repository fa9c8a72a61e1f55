"""HTTP fetching shared by the HTTP-based kinds: timeouts, size limit, retries."""

from __future__ import annotations

import os
from typing import Any

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from collectors import deadline
from collectors.base import (
    CollectorError,
    Payload,
    PermanentFetchError,
    SourceContext,
    TransientFetchError,
)

MAX_PAYLOAD_BYTES = 50 * 1024 * 1024


def headers_from_env(
    header_env: dict[str, str], ctx: SourceContext | None = None
) -> dict[str, str]:
    """Secrets come from environment variables named in the config, never from YAML."""
    headers = {}
    for header, var in header_env.items():
        value = ctx.env(var) if ctx is not None else os.environ.get(var)
        if value is None:
            raise PermanentFetchError(
                f"environment variable {var} (for header {header}) is not set",
                f"variabel lingkungan {var} (untuk header {header}) belum diisi",
                error_class="auth",
            )
        headers[header] = value
    return headers


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, CollectorError) and exc.transient


def get(
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float,
    attempts: int = 3,
    max_bytes: int = MAX_PAYLOAD_BYTES,
) -> Payload:
    """GET with a hard timeout; transient failures retried with jittered backoff."""

    @retry(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.5, max=8),
        reraise=True,
    )
    def once() -> Payload:
        return _get_once(url, params=params, headers=headers, timeout=timeout, max_bytes=max_bytes)

    return once()


def _get_once(
    url: str,
    *,
    params: dict[str, Any] | None,
    headers: dict[str, str] | None,
    timeout: float,
    max_bytes: int,
) -> Payload:
    # Every wait (connect, each read) is capped at what is left of the run's deadline, and
    # the deadline is checked between chunks: a body dripped byte by byte ends on time.
    timeout = deadline.remaining(timeout)
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True) as client,
            client.stream("GET", url, params=params, headers=headers) as response,
        ):
            status = response.status_code
            if status in (401, 403):
                raise PermanentFetchError(
                    f"HTTP {status} from {url}", f"HTTP {status} dari {url}", error_class="auth"
                )
            if status == 429 or status >= 500:
                raise TransientFetchError(f"HTTP {status} from {url}", f"HTTP {status} dari {url}")
            if status >= 400:
                raise PermanentFetchError(f"HTTP {status} from {url}", f"HTTP {status} dari {url}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise _too_large(url, max_bytes)
            body = bytearray()
            for chunk in response.iter_bytes():
                deadline.check()
                body += chunk
                if len(body) > max_bytes:
                    raise _too_large(url, max_bytes)
            return Payload(
                bytes(body),
                response.headers.get("content-type", "application/octet-stream"),
                {"url": str(response.url), "status": status},
            )
    except httpx.TimeoutException as exc:
        deadline.check()  # the deadline, not the source's per-read timeout, cut it short
        raise TransientFetchError(
            f"timed out after {timeout:g} s: {url}",
            f"batas waktu {timeout:g} dtk habis: {url}",
            error_class="timeout",
        ) from exc
    except httpx.TransportError as exc:
        raise TransientFetchError(
            f"cannot connect to {url}: {exc}",
            f"tidak dapat terhubung ke {url}: {exc}",
            error_class="connection",
        ) from exc


def _too_large(url: str, max_bytes: int) -> CollectorError:
    return PermanentFetchError(
        f"payload from {url} exceeds {max_bytes} bytes",
        f"muatan dari {url} melebihi {max_bytes} bita",
        error_class="too_large",
    )
