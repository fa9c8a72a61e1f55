"""The API's bodies as pydantic models: the OpenAPI document's schemas are generated from
them (``openapi.py``) and schemathesis checks every live answer against them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(Model):
    """A label in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


class Named(Model):
    id: str
    name: Text


class Producer(Model):
    id: str
    name: str
    short_name: str


class Walidata(Model):
    id: str
    name: str


class RegionCodes(Model):
    code: str = Field(description="Kemendagri code (71, 71.71)")
    bps_code: str = Field(description="BPS code (7100, 7171)")
    name: str


class RegionEntry(Model):
    code: str
    bps_code: str | None
    name: str
    kind: Literal["province", "regency", "city"] | None


class DatasetLinks(Model):
    self: str
    observations: str
    page: str


class Dataset(Model):
    """One dataset (an indicator) with its Satu Data metadata."""

    id: str = Field(description="the indicator code, e.g. LIV.STUNTING")
    title: Text
    description: Text
    unit: Text
    domain: Named
    frequency: Literal["daily", "monthly", "quarterly", "yearly", "event"]
    grain: Literal["day", "month", "quarter", "year"]
    calculation: Text
    direction: Literal["up", "down", "band"]
    decimals: int
    classification: Literal["public", "internal", "restricted"]
    producer: Producer
    walidata: Walidata
    regions: list[RegionCodes]
    latest_period: str | None = Field(description="ISO date of the newest period's start")
    last_update: str | None = Field(description="when the newest value was stored (ISO 8601)")
    next_expected_update: str | None = Field(description="when the next period is due (WITA)")
    links: DatasetLinks


class Count(Model):
    count: int


class DatasetList(Model):
    data: list[Dataset]
    meta: Count


class DatasetOne(Model):
    data: Dataset


class Observation(Model):
    region_code: str
    region_bps_code: str | None
    region_name: str
    period: str = Field(description="ISO date of the period's start")
    grain: Literal["day", "month", "quarter", "year"]
    value: float
    updated_at: str
    revision: int


class PageMeta(Model):
    count: int
    page_size: int
    next_cursor: str | None


class PageLinks(Model):
    next: str | None


class ObservationPage(Model):
    dataset: str
    unit: Text
    data: list[Observation]
    meta: PageMeta
    links: PageLinks


class LatestValue(Model):
    dataset: str
    title: Text
    unit: Text
    region_code: str
    period: str | None
    grain: Literal["day", "month", "quarter", "year"]
    value: float | None
    updated_at: str | None
    status: Literal["on_track", "at_risk", "behind", "no_target", "no_data"] = Field(
        description="the wall's status rule (dashboard.status)"
    )


class LatestOfDomain(Model):
    domain: str
    region: RegionEntry
    data: list[LatestValue]


class SkpdCompliance(Model):
    skpd: str
    name: str
    short_name: str
    delivery_day: int
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int
    before_monitoring: int
    score: float | None = Field(description="share of what was due that arrived on time")
    rank: int | None


class Compliance(Model):
    month: str
    data: list[SkpdCompliance]


class Problem(BaseModel):
    """RFC 9457 problem details; ``detail`` in the requested language."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    parameter: str | None = Field(default=None, description="the query parameter at fault")


MODELS: tuple[type[BaseModel], ...] = (
    DatasetList,
    DatasetOne,
    ObservationPage,
    LatestOfDomain,
    Compliance,
    Problem,
)
