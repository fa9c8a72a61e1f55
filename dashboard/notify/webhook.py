"""Webhook delivery: one JSON POST with a timeout. 5xx, 408, 429 and network errors
are worth retrying; any other 4xx means the receiver refuses this message for good."""

from __future__ import annotations

from typing import Any

import httpx

from dashboard.alerts.config import Webhook
from dashboard.notify.errors import permanent, transient

RETRYABLE_STATUS = {408, 425, 429}
USER_AGENT = "odsk-command-centre-alerts/1"


def post_json(hook: Webhook, payload: dict[str, Any]) -> None:
    try:
        response = httpx.post(
            hook.url,
            json=payload,
            timeout=hook.timeout_seconds,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )
    except httpx.TransportError as exc:  # refused, reset, timed out, DNS
        raise transient(f"{type(exc).__name__}: {exc}") from exc
    if response.is_success:
        return
    message = f"HTTP {response.status_code}"
    if response.status_code >= 500 or response.status_code in RETRYABLE_STATUS:
        raise transient(message)
    raise permanent(message)
