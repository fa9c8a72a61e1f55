"""Pydantic models of the catalogue files (one file, one top-level model)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from dashboard.catalogue.freshness import Staleness

DomainId = Literal["living", "society", "branding", "governance", "environment", "economy"]
DOMAIN_ORDER: tuple[str, ...] = (
    "living",
    "society",
    "branding",
    "governance",
    "environment",
    "economy",
)
Direction = Literal["up", "down", "band"]
Frequency = Literal["daily", "monthly", "quarterly", "yearly", "event"]
Grain = Literal["day", "month", "quarter", "year"]
Classification = Literal["public", "internal", "restricted"]
# Who may read a restricted indicator besides admins ("wall": enrolled wall screens).
Reader = Literal["viewer", "analyst", "operator", "skpd_officer", "wall"]
AggregationMethod = Literal["sum", "mean", "weighted_mean", "none"]
# How values add up over time (dashboard.analysis.rules.over_time picks one per indicator).
TimeRule = Literal["sum", "mean", "last"]

# The grain an indicator's observations are stored at, by its frequency.
GRAIN_OF_FREQUENCY: dict[str, str] = {
    "daily": "day",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "event": "day",
}

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_CODE = re.compile(r"^[A-Z][A-Z0-9_.-]*$")


def _identifier(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("must be lower-case letters, digits, '-', '_' or '.'")
    return value


# Ids of applications, SKPDs and sources: they end up in URLs and file names.
Identifier = Annotated[str, AfterValidator(_identifier)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A label in Bahasa Indonesia and English."""

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)
    # English singular, for a count of one ("1 event"); Indonesian does not inflect.
    en_one: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _same_in_both(cls, value: Any) -> Any:
        # "%" or "µg/m³" need no translation: a plain string stands for both.
        if isinstance(value, str):
            return {"id": value, "en": value}
        return value

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def for_count(self, count: float, lang: str) -> str:
        """The label next to a number: "1 event", "2 events", "1 kejadian"."""
        if lang == "en" and self.en_one and abs(count) == 1:
            return self.en_one
        return self.get(lang)


# --- domains.yaml ------------------------------------------------------------


class Application(Strict):
    id: Identifier
    name: Text


class Domain(Strict):
    id: DomainId
    name: Text
    tagline: Text
    applications: list[Application] = Field(min_length=1)


class DomainsFile(Strict):
    domains: list[Domain] = Field(min_length=1)


# --- regions.yaml ------------------------------------------------------------


class GridPosition(Strict):
    row: int = Field(ge=0, le=20)
    col: int = Field(ge=0, le=20)


_PUNCT = re.compile(r"[^\w\s.]")


def normalise_name(name: str) -> str:
    """A region name as matched: lower case, punctuation (but dots) as spaces, spaces squeezed."""
    text = _PUNCT.sub(" ", name.lower())
    return " ".join(text.split())


class Region(Strict):
    code: str
    bps_code: str
    name: str
    short_name: str
    # English names where they differ ("North Sulawesi Province"); kab/kota names are proper names.
    name_en: str | None = None
    short_name_en: str | None = None
    # The seat of government, whose position lat/lon give (labels the e-disaster map).
    capital: str | None = None
    kind: Literal["province", "regency", "city"]
    aliases: list[str] = []
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    population: int = Field(gt=0)
    grid: GridPosition | None = None

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def short_label(self, lang: str) -> str:
        return self.short_name_en if lang == "en" and self.short_name_en else self.short_name

    @field_validator("code")
    @classmethod
    def _kemendagri(cls, v: str) -> str:
        if not re.match(r"^71(\.\d{2})?$", v):
            raise ValueError("must be a Kemendagri code of North Sulawesi: '71' or '71.NN'")
        return v

    @field_validator("bps_code")
    @classmethod
    def _bps(cls, v: str) -> str:
        if not re.match(r"^71\d{2}$", v):
            raise ValueError("must be a 4-digit BPS code starting with 71")
        return v


class RegionsFile(Strict):
    regions: list[Region] = Field(min_length=1)


# --- skpd.yaml ---------------------------------------------------------------


class Skpd(Strict):
    id: Identifier
    name: str
    short_name: str
    # Day of the month after the period by which the SKPD must deliver its data.
    delivery_day: int = Field(default=10, ge=1, le=28)


class SkpdFile(Strict):
    skpd: list[Skpd] = Field(min_length=1)


# --- indicators.yaml ---------------------------------------------------------


class Band(Strict):
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.low >= self.high:
            raise ValueError("band.low must be below band.high")
        return self


class Thresholds(Strict):
    """How far off target is still 'at risk' rather than 'behind' (percent of the target)."""

    at_risk_pct: float = Field(default=5.0, ge=0, le=100)


class Aggregation(Strict):
    method: AggregationMethod
    # Regional attribute weighing a weighted mean (only 'population' for now).
    weight: Literal["population"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"method": value}
        return value

    @model_validator(mode="after")
    def _weight_needed(self) -> Aggregation:
        if self.method == "weighted_mean" and self.weight is None:
            raise ValueError("weighted_mean needs a weight (e.g. population)")
        if self.method != "weighted_mean" and self.weight is not None:
            raise ValueError("weight only applies to weighted_mean")
        return self


class ValidRange(Strict):
    min: float | None = None
    max: float | None = None


Curve = tuple[float, ...]


def _check_curve(values: Curve) -> Curve:
    if len(values) != 12:
        raise ValueError("needs 12 monthly shares (January … December)")
    if any(not 0 <= v <= 1 for v in values):
        raise ValueError("shares are fractions between 0 and 1")
    if any(b < a for a, b in zip(values, values[1:])):
        raise ValueError("a cumulative plan never goes down")
    if values[-1] != 1.0:
        raise ValueError("December's share must be 1.0 (the year-end target)")
    return values


class Plan(Strict):
    """A cumulative indicator's plan curve (``config/plans.yaml``): the share of the year-end
    target planned by the end of each month, January … December; a year may have its own."""

    basis: Text | None = None
    monthly: Curve
    years: dict[int, Curve] = Field(default_factory=dict)

    @field_validator("monthly")
    @classmethod
    def _monthly(cls, v: Curve) -> Curve:
        return _check_curve(v)

    @field_validator("years")
    @classmethod
    def _years(cls, v: dict[int, Curve]) -> dict[int, Curve]:
        for year, curve in v.items():
            try:
                _check_curve(curve)
            except ValueError as exc:
                raise ValueError(f"{year}: {exc}") from None
        return v

    def curve(self, year: int) -> Curve:
        return self.years.get(year, self.monthly)


class Plans(Strict):
    """Plan curves by indicator code: the whole of ``config/plans.yaml``."""

    plans: dict[str, Plan] = Field(default_factory=dict)

    def get(self, code: str) -> Plan | None:
        return self.plans.get(code)


class EventCount(Strict):
    """An indicator counted from stored events rather than read from a payload."""

    kind: str = "earthquake"
    min_magnitude: float = Field(default=5.0, ge=0, le=10)
    # Within this distance of the region's capital (the province: its own point).
    within_km: float = Field(default=300, gt=0, le=5000)


class Indicator(Strict):
    code: str
    name: Text
    # Other words people search for it by, in either language ("IPM", "HDI"): the navbar search.
    synonyms: list[str] = []
    description: Text | None = None
    unit: Text
    domain: DomainId
    application: str
    skpd: str
    direction: Direction
    band: Band | None = None
    targets: dict[int, float] = {}
    thresholds: Thresholds = Thresholds()
    frequency: Frequency
    aggregation: Aggregation
    classification: Classification
    # Roles that may read a restricted indicator (admins always may; see dashboard/access).
    readers: list[Reader] = []
    # Cumulative over the year (budget realisation): targets are year-end values.
    cumulative: bool = False
    # Filled from plans.yaml by the loader; without one a cumulative target grows in a straight line.
    plan: Plan | None = None
    decimals: int = Field(default=1, ge=0, le=4)
    valid_range: ValidRange = ValidRange()
    # Shown on the wall's domain panel.
    headline: bool = False
    # Counted per month from the event table (ENV.GEMPA), by the source that lists it.
    from_events: EventCount | None = None

    @property
    def is_percent(self) -> bool:
        """A percentage (its unit "%"): it changes in points, never in relative percent."""
        return self.unit.id.strip().startswith("%")

    @model_validator(mode="after")
    def _counted_monthly(self) -> Indicator:
        if self.from_events is not None and self.frequency != "monthly":
            raise ValueError("from_events counts per month: frequency must be monthly")
        return self

    @field_validator("code")
    @classmethod
    def _code_shape(cls, v: str) -> str:
        if not _CODE.match(v):
            raise ValueError("must be upper-case letters, digits, '-', '_' or '.'")
        return v

    @field_validator("targets")
    @classmethod
    def _years(cls, v: dict[int, float]) -> dict[int, float]:
        for year in v:
            if not 2000 <= year <= 2100:
                raise ValueError(f"target year {year} is not a plausible year")
        return v

    @model_validator(mode="after")
    def _band_when_band(self) -> Indicator:
        if self.direction == "band" and self.band is None:
            raise ValueError("direction 'band' needs band.low and band.high")
        if self.direction != "band" and self.band is not None:
            raise ValueError("band is only allowed with direction 'band'")
        if self.readers and self.classification != "restricted":
            raise ValueError("readers only apply to a restricted indicator")
        return self

    @property
    def grain(self) -> str:
        return GRAIN_OF_FREQUENCY[self.frequency]

    def target_for(self, year: int) -> float | None:
        return self.targets.get(year)


class IndicatorsFile(Strict):
    indicators: list[Indicator] = Field(min_length=1)


# --- sources.yaml ------------------------------------------------------------


class Schedule(Strict):
    interval_seconds: int | None = Field(default=None, ge=5)
    cron: str | None = None
    # A source whose files are delivered (drop folder, upload page) is not fetched: this is
    # how often a file is expected, for judging lateness.
    delivered_every_seconds: int | None = Field(default=None, ge=60)
    jitter_seconds: int = Field(default=0, ge=0, le=3600)

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        given = [self.interval_seconds, self.cron, self.delivered_every_seconds]
        if sum(v is not None for v in given) != 1:
            raise ValueError(
                "give exactly one of interval_seconds, cron or delivered_every_seconds"
            )
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError("cron must have 5 fields: minute hour day month day_of_week")
        return self

    @property
    def fetched(self) -> bool:
        """False when the source's files are delivered: the scheduler does not fetch it."""
        return self.delivered_every_seconds is None

    @property
    def expected_gap_seconds(self) -> int:
        """Roughly how long between two runs; for judging lateness."""
        if self.interval_seconds:
            return self.interval_seconds
        if self.delivered_every_seconds:
            return self.delivered_every_seconds
        from apscheduler.triggers.cron import CronTrigger

        # The gap between two consecutive fire times of the expression, from a fixed start.
        trigger = CronTrigger.from_crontab(self.cron, timezone="UTC")
        start = datetime(2026, 1, 5, tzinfo=UTC)
        first = trigger.get_next_fire_time(None, start)
        second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
        return int((second - first).total_seconds()) if first and second else 86400


class Source(Strict):
    id: Identifier
    name: str
    kind: str
    skpd: str
    enabled: bool = True
    schedule: Schedule
    timeout_seconds: float = Field(default=30, gt=0, le=3600)
    # Indicators this source may feed; rows for others are rejected.
    indicators: list[str] = Field(min_length=1)
    # Kind-specific settings, validated by the kind's own model.
    options: dict[str, Any] = {}


class SourcesFile(Strict):
    # Values for the environment variables the sources read their keys and database URLs
    # from (key_env, url_env, header_env) when the environment does not set them: the demo's
    # simulator keys and its e-office database. Never a real secret: set that in the
    # environment, which always wins.
    environment: dict[str, str] = {}
    sources: list[Source] = []


# --- the whole catalogue -----------------------------------------------------


class Catalogue(BaseModel):
    """Every catalogue file, cross-checked; look-ups by id."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    domains: list[Domain]
    regions: list[Region]
    skpd: list[Skpd]
    indicators: list[Indicator]
    sources: list[Source]
    # Kind-specific option models, parsed once (source id -> options object).
    source_options: dict[str, Any] = {}
    # sources.yaml's defaults for environment variables (see SourcesFile.environment).
    environment: dict[str, str] = {}
    # alerts.yaml's staleness limits: the one freshness rule every surface applies.
    staleness: Staleness = Staleness()

    def domain(self, domain_id: str) -> Domain:
        return next(d for d in self.domains if d.id == domain_id)

    def indicator(self, code: str) -> Indicator:
        return self.indicators_by_code[code]

    @property
    def plans(self) -> Plans:
        """The plan curves of plans.yaml, as the loader put them on the indicators."""
        return Plans(plans={i.code: i.plan for i in self.indicators if i.plan is not None})

    @property
    def indicators_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @property
    def regions_by_code(self) -> dict[str, Region]:
        return {r.code: r for r in self.regions}

    @property
    def province(self) -> Region:
        return next(r for r in self.regions if r.kind == "province")

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def indicators_of_domain(self, domain_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.domain == domain_id]

    def sources_feeding(self, code: str) -> list[Source]:
        return [s for s in self.sources if code in s.indicators]
