"""What every collector kind is made of, and the errors it may raise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    import pandas as pd

    from dashboard.catalogue.models import Catalogue, Source
    from dashboard.regions import RegionRegistry


class CollectorError(Exception):
    """A run-level failure; ``error_class`` is what the run record and health views show."""

    error_class: str = "error"  # a subclass's default; an instance may name its own
    transient: ClassVar[bool] = False

    def __init__(
        self, message_en: str, message_id: str | None = None, *, error_class: str | None = None
    ):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_id = message_id or message_en
        if error_class:
            self.error_class = error_class


class TransientFetchError(CollectorError):
    """Worth retrying: timeouts, dropped connections, 429 and 5xx."""

    error_class = "http"
    transient = True


class PermanentFetchError(CollectorError):
    """Retrying will not help: 4xx, auth, a bad URL."""

    error_class = "http"


class ParseError(CollectorError):
    """The payload as a whole cannot be read (not JSON, wrong shape, too large)."""

    error_class = "format"


@dataclass(frozen=True)
class Reason:
    """Why a row was rejected, in both languages, naming the column and value."""

    column: str | None
    value: Any
    id: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "value": _jsonable(self.value),
            "reason_id": self.id,
            "reason_en": self.en,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass
class Payload:
    content: bytes
    content_type: str = "application/octet-stream"
    # Where it came from: url, HTTP status, fetched_at, page count …
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    """One row read from a payload, typed as far as it could be, with what went wrong."""

    row: int
    raw: dict[str, Any]
    indicator: str | None = None
    region: str | None = None
    period_start: date | None = None
    grain: str | None = None
    value: float | None = None
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class EventRecord:
    kind: str
    external_id: str
    occurred_at: datetime
    lat: float | None
    lon: float | None
    magnitude: float | None = None
    depth_km: float | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseResult:
    rows: list[Candidate] = field(default_factory=list)
    # A kind reading big tables may hand over its clean rows as one typed frame
    # instead of a Candidate each: columns row, indicator_code, region_code,
    # period_start, grain, value (see dashboard.validation.TYPED_COLUMNS).
    frame: pd.DataFrame | None = None
    events: list[EventRecord] = field(default_factory=list)
    # The new bookmark for incremental pulls; committed with the data only.
    bookmark: str | None = None


def period_bookmark(latest_by_indicator: Mapping[str, date], default: str | None) -> str | None:
    """The bookmark of a period-based pull: the latest period of the indicator furthest behind.

    A feed mixing a monthly and a yearly indicator must still be asked for the yearly
    one's next year after months of newer monthly data; the months it sends again are
    upserted as unchanged.
    """
    return min(latest_by_indicator.values()).isoformat() if latest_by_indicator else default


@dataclass
class SourceContext:
    """Everything a kind needs about the source it runs for."""

    source: Source
    options: Any
    catalogue: Catalogue
    regions: RegionRegistry
    bookmark: str | None = None
    # True on the first run of a source: fetch history, not just the latest.
    backfill: bool = False


class Kind(Protocol):
    name: str
    options_model: type[BaseModel]

    def fetch(self, ctx: SourceContext) -> Payload: ...

    def parse(self, payload: Payload, ctx: SourceContext) -> ParseResult: ...
