"""Prepared data of the open-data API and catalogue: the stable shapes a portal reads.

Field names here are the API's contract (documented in docs/OPEN_DATA.md and the OpenAPI
document): add fields, never rename one. A dataset is one indicator; its id is the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard import i18n
from dashboard.catalogue.models import Catalogue, Indicator
from dashboard.catalogue.periods import due_moment, step
from dashboard.compliance import rules as compliance_rules
from dashboard.status import indicator_status
from dashboard.store import opendata_queries as q
from dashboard.store.health import first_attempts, first_deliveries
from dashboard.store.queries import latest_points

WALIDATA = "diskominfo"  # the province's data steward (Satu Data's walidata)

_CALCULATION = {
    "sum": {
        "id": "Nilai provinsi = jumlah nilai kabupaten/kota.",
        "en": "Province value = sum of the regencies' and cities' values.",
    },
    "mean": {
        "id": "Nilai provinsi = rata-rata nilai kabupaten/kota.",
        "en": "Province value = mean of the regencies' and cities' values.",
    },
    "weighted_mean": {
        "id": "Nilai provinsi = rata-rata nilai kabupaten/kota tertimbang jumlah penduduk.",
        "en": "Province value = mean of the regencies' and cities' values weighted by population.",
    },
    "none": {
        "id": "Nilai provinsi dilaporkan langsung oleh produsen data.",
        "en": "The province value is reported by the data producer itself.",
    },
}


def text(value: Any) -> dict[str, str]:
    return {"id": value.id, "en": value.en} if value is not None else {"id": "", "en": ""}


def next_expected(indicator: Indicator, newest: date | None, delivery_day: int) -> datetime | None:
    """When the next period's value is due: the delivery day after it ends (monthly and
    slower), the end of the next day (daily); events come when they happen (None)."""
    if newest is None or indicator.frequency == "event":
        return None
    following = step(newest, indicator.grain)
    if indicator.grain == "day":
        return datetime.combine(
            following + timedelta(days=1), datetime.min.time(), tzinfo=i18n.WITA
        ).astimezone(i18n.WITA)
    return due_moment(following, indicator.grain, delivery_day).astimezone(i18n.WITA)


def region_entry(catalogue: Catalogue, code: str) -> dict[str, Any]:
    region = catalogue.regions_by_code.get(code)
    return {
        "code": code,
        "bps_code": region.bps_code if region else None,
        "name": region.name if region else code,
        "kind": region.kind if region else None,
    }


@dataclass(frozen=True)
class DatasetFacts:
    """What the store says about a dataset: its newest period and when it was stored."""

    newest: date | None
    updated_at: datetime | None


def dataset_facts(engine: Engine, catalogue: Catalogue) -> dict[str, DatasetFacts]:
    """Newest period per indicator: the province's, else any region's (rarely needed)."""
    codes = [i.code for i in catalogue.indicators]
    with engine.connect() as conn:
        found = q.newest(conn, codes, catalogue.province.code)
        for region in catalogue.regions:
            missing = [c for c in codes if c not in found]
            if not missing:
                break
            found.update(q.newest(conn, missing, region.code))
    return {
        c: DatasetFacts(found[c].period_start, found[c].updated_at)
        if c in found
        else DatasetFacts(None, None)
        for c in codes
    }


def dataset_facts_of(engine: Engine, catalogue: Catalogue, indicator: Indicator) -> DatasetFacts:
    """One dataset's facts: the province's newest period, else the newest of any region."""
    with engine.connect() as conn:
        found = q.newest(conn, [indicator.code], catalogue.province.code).get(indicator.code)
        if found is None:
            anywhere = [
                n
                for r in q.regions_with_data(conn, indicator.code)
                if (n := q.newest(conn, [indicator.code], r).get(indicator.code)) is not None
            ]
            found = max(anywhere, key=lambda n: n.period_start, default=None)
    return DatasetFacts(found.period_start, found.updated_at) if found else DatasetFacts(None, None)


def dataset(
    catalogue: Catalogue, indicator: Indicator, facts: DatasetFacts, base_url: str = ""
) -> dict[str, Any]:
    """One dataset's Satu Data metadata."""
    skpd = {s.id: s for s in catalogue.skpd}
    producer = skpd.get(indicator.skpd)
    steward = skpd.get(WALIDATA)
    domain = catalogue.domain(indicator.domain)
    due = next_expected(indicator, facts.newest, producer.delivery_day if producer else 10)
    return {
        "id": indicator.code,
        "title": text(indicator.name),
        "description": text(indicator.description),
        "unit": text(indicator.unit),
        "domain": {"id": domain.id, "name": text(domain.name)},
        "frequency": indicator.frequency,
        "grain": indicator.grain,
        "calculation": _CALCULATION[indicator.aggregation.method],
        "direction": indicator.direction,
        "decimals": indicator.decimals,
        "classification": indicator.classification,
        "producer": {
            "id": indicator.skpd,
            "name": producer.name if producer else indicator.skpd,
            "short_name": producer.short_name if producer else indicator.skpd,
        },
        "walidata": {
            "id": WALIDATA,
            "name": steward.name if steward else WALIDATA,
        },
        "regions": [
            {"code": r.code, "bps_code": r.bps_code, "name": r.name} for r in catalogue.regions
        ],
        "latest_period": facts.newest.isoformat() if facts.newest else None,
        "last_update": facts.updated_at.isoformat() if facts.updated_at else None,
        "next_expected_update": due.isoformat() if due else None,
        "links": {
            "self": f"{base_url}/api/v1/datasets/{indicator.code}",
            "observations": f"{base_url}/api/v1/datasets/{indicator.code}/observations",
            "page": f"{base_url}/data/{indicator.code}",
        },
    }


def observation(catalogue: Catalogue, record: q.Record) -> dict[str, Any]:
    region = catalogue.regions_by_code.get(record.region_code)
    return {
        "region_code": record.region_code,
        "region_bps_code": region.bps_code if region else None,
        "region_name": region.name if region else record.region_code,
        "period": record.period_start.isoformat(),
        "grain": record.grain,
        "value": record.value,
        "updated_at": record.updated_at.isoformat(),
        "revision": record.revision,
    }


OBSERVATION_FIELDS = (
    "region_code",
    "region_bps_code",
    "region_name",
    "period",
    "grain",
    "value",
    "updated_at",
    "revision",
)


def latest_of_domain(
    engine: Engine, catalogue: Catalogue, domain_id: str, region_code: str
) -> list[dict[str, Any]]:
    """The domain's readable indicators' newest value in one region, with the wall's status."""
    indicators = catalogue.indicators_of_domain(domain_id)
    with engine.connect() as conn:
        points = latest_points(
            conn,
            [i.code for i in indicators],
            region_code,
            {i.code: i.grain for i in indicators},
            per_indicator=1,
        )
    out = []
    for ind in indicators:
        found = points.get(ind.code)
        point = found[0] if found else None
        out.append(
            {
                "dataset": ind.code,
                "title": text(ind.name),
                "unit": text(ind.unit),
                "region_code": region_code,
                "period": point.period_start.isoformat() if point else None,
                "grain": point.grain if point else ind.grain,
                "value": point.value if point else None,
                "updated_at": point.ingested_at.isoformat() if point else None,
                "status": indicator_status(
                    ind,
                    point.value if point else None,
                    point.period_start if point else None,
                    point.grain if point else None,
                ),
            }
        )
    return out


def compliance_summary(
    engine: Engine, catalogue: Catalogue, month: date, now: datetime
) -> list[dict[str, Any]]:
    """Each SKPD's deliveries for ``month`` (the /ops/compliance rule) over ``catalogue``."""
    wanted = compliance_rules.expected_periods(catalogue, month)
    with engine.connect() as conn:
        deliveries = first_deliveries(
            conn, {code for _, code, _, _ in wanted}, {p for _, _, p, _ in wanted}
        )
        first_runs = first_attempts(conn)
    since = compliance_rules.monitored_since(catalogue, first_runs)
    summaries, _items = compliance_rules.judge(catalogue, month, deliveries, now, since)
    return [
        {
            "skpd": s.skpd_id,
            "name": s.name,
            "short_name": s.short_name,
            "delivery_day": s.delivery_day,
            "expected": s.expected,
            "on_time": s.on_time,
            "late": s.late,
            "missing": s.missing,
            "pending": s.pending,
            "before_monitoring": s.before,
            "score": s.score,
            "rank": s.rank,
        }
        for s in summaries
    ]


# --- the public catalogue pages (/data) ------------------------------------------------

FREQUENCIES = ("daily", "monthly", "quarterly", "yearly", "event")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    domain: str = ""
    skpd: str = ""
    region: str = ""
    frequency: str = ""


@dataclass(frozen=True)
class CatalogueRow:
    code: str
    title: str
    description: str
    domain: str
    producer: str
    frequency: str
    unit: str
    latest: str
    updated: str


def matches(indicator: Indicator, filters: Filters) -> bool:
    words = " ".join(
        [
            indicator.code,
            indicator.name.id,
            indicator.name.en,
            *(indicator.synonyms),
            indicator.description.id if indicator.description else "",
            indicator.description.en if indicator.description else "",
        ]
    ).lower()
    return (
        all(w in words for w in filters.q.lower().split())
        and (not filters.domain or indicator.domain == filters.domain)
        and (not filters.skpd or indicator.skpd == filters.skpd)
        and (not filters.frequency or indicator.frequency == filters.frequency)
    )


def catalogue_rows(
    engine: Engine, catalogue: Catalogue, filters: Filters, lang: str, now: datetime
) -> list[CatalogueRow]:
    """The datasets ``filters`` choose (a region: those with data there), newest data first known."""
    chosen = [i for i in catalogue.indicators if matches(i, filters)]
    facts = dataset_facts(engine, catalogue)
    if filters.region and filters.region in catalogue.regions_by_code:
        with engine.connect() as conn:
            present = q.newest(conn, [i.code for i in chosen], filters.region)
        chosen = [i for i in chosen if i.code in present]
    skpd = {s.id: s for s in catalogue.skpd}
    rows = []
    for ind in chosen:
        fact = facts[ind.code]
        rows.append(
            CatalogueRow(
                code=ind.code,
                title=ind.name.get(lang),
                description=ind.description.get(lang) if ind.description else "",
                domain=catalogue.domain(ind.domain).name.get(lang),
                producer=skpd[ind.skpd].short_name if ind.skpd in skpd else ind.skpd,
                frequency=ind.frequency,
                unit=ind.unit.get(lang),
                latest=i18n.period(fact.newest, ind.grain, lang) if fact.newest else "—",
                updated=i18n.age(fact.updated_at, now, lang) if fact.updated_at else "—",
            )
        )
    return rows


@dataclass(frozen=True)
class DatasetPage:
    meta: dict[str, Any]
    series: list[tuple[date, float]]  # the province's, oldest first
    latest_rows: list[tuple[str, str, str, str]]  # (Kemendagri, BPS, region name, value)
    latest_label: str


def dataset_page(
    engine: Engine, catalogue: Catalogue, indicator: Indicator, lang: str
) -> DatasetPage:
    facts = dataset_facts_of(engine, catalogue, indicator)
    meta = dataset(catalogue, indicator, facts)
    series: list[tuple[date, float]] = []
    rows: list[tuple[str, str, str, str]] = []
    with engine.connect() as conn:
        records, _ = q.observations_page(
            conn,
            indicator.code,
            regions=[catalogue.province.code],
            grain=indicator.grain,
            limit=5000,
        )
        series = [(r.period_start, r.value) for r in records]
        if facts.newest is not None:
            latest, _ = q.observations_page(
                conn,
                indicator.code,
                start=facts.newest,
                end=facts.newest,
                grain=indicator.grain,
                limit=100,
            )
            for r in latest:
                region = catalogue.regions_by_code.get(r.region_code)
                rows.append(
                    (
                        r.region_code,
                        region.bps_code if region else "",
                        region.label(lang) if region else r.region_code,
                        i18n.number(r.value, lang, indicator.decimals),
                    )
                )
    label = i18n.period(facts.newest, indicator.grain, lang) if facts.newest else "—"
    return DatasetPage(meta, series, rows, label)
