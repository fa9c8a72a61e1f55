"""What a wall screen may report in its heartbeat, checked field by field.

A screen's report is shown to every operator on /ops/screens: one malformed field
(``dpr: "x"``, a number of 400 digits, a megabyte of ``path``) must neither be stored nor,
when an older row holds one, break the page for everyone. The heartbeat refuses a report
that does not fit (``check_beat``: 400); the ops view reads stored rows through
``stored_beat``, which drops what does not fit and keeps the rest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_TEXT = 200
MAX_PATH = 2000


class ScreenBeat(BaseModel):
    """The details a screen reports (assets/wall_rotation.js ``beatPayload``)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    w: int | None = Field(default=None, ge=0, le=100_000)
    h: int | None = Field(default=None, ge=0, le=100_000)
    dpr: float | None = Field(default=None, gt=0, le=16)
    playlist: str | None = Field(default=None, max_length=MAX_TEXT)
    screen: str | None = Field(default=None, max_length=MAX_TEXT)
    index: int | None = Field(default=None, ge=0, le=10_000)
    path: str | None = Field(default=None, max_length=MAX_PATH)
    lang: str | None = Field(default=None, max_length=8)
    takeover: bool | None = None
    heap_mb: float | None = Field(default=None, ge=0, le=1_000_000)
    loaded_at: float | None = Field(default=None, ge=0, le=1e14)  # ms since 1970
    offline_count: int | None = Field(default=None, ge=0, le=1_000_000_000)


FIELDS = tuple(ScreenBeat.model_fields)


class BeatError(ValueError):
    """A report refused; the message names the fields and why (English, technical)."""


def check_beat(payload: Any) -> dict[str, Any]:
    """The report's details as stored, or ``BeatError`` naming what does not fit."""
    if not isinstance(payload, dict):
        raise BeatError("the report is not an object")
    try:
        beat = ScreenBeat.model_validate({k: payload.get(k) for k in FIELDS})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise BeatError(problems) from None
    return beat.model_dump()


def stored_beat(details: Any) -> dict[str, Any]:
    """A stored report as the ops view may show it: fields that do not fit are left out."""
    if not isinstance(details, dict):
        return {}
    raw = {k: details.get(k) for k in FIELDS}
    try:
        return ScreenBeat.model_validate(raw).model_dump()
    except ValidationError as exc:
        for error in exc.errors():
            if error["loc"]:
                raw.pop(str(error["loc"][0]), None)
    try:
        return ScreenBeat.model_validate(raw).model_dump()
    except ValidationError:
        return {}
