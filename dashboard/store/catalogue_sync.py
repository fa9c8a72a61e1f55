"""Mirror the catalogue into the store so queries can join on it and runs can reference sources."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from dashboard.catalogue.models import DOMAIN_ORDER, Catalogue
from dashboard.store import schema
from dashboard.store.engine import begin_write

# pg_advisory_xact_lock key of the catalogue sync ("odsk-cat" in ASCII): web nodes and
# schedulers starting together sync one after the other instead of inserting the same rows.
SYNC_LOCK_KEY = 0x6F64736B2D636174


def _one_at_a_time(conn: Connection) -> None:
    """On PostgreSQL, wait for any other process's sync to commit (SQLite's write lock already
    serialises writers); rows read after this see what that sync wrote."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY})


def sync_catalogue(engine: Engine, catalogue: Catalogue) -> None:
    """Insert or update every catalogue entry; entries removed from config/ are kept
    only where data references them (sources with runs), otherwise deleted."""
    with begin_write(engine) as conn:
        _one_at_a_time(conn)

        def upsert(model: type[schema.Base], key: str, rows: list[dict[str, Any]]) -> None:
            column = model.__table__.c[key]
            existing = {r[0] for r in conn.execute(select(column))}
            for row in rows:
                if row[key] in existing:
                    conn.execute(update(model).where(column == row[key]).values(**row))
                else:
                    conn.execute(insert(model).values(**row))

        upsert(
            schema.Domain,
            "id",
            [
                {
                    "id": d.id,
                    "name_id": d.name.id,
                    "name_en": d.name.en,
                    "position": DOMAIN_ORDER.index(d.id),
                }
                for d in catalogue.domains
            ],
        )
        upsert(
            schema.Application,
            "id",
            [
                {"id": a.id, "domain_id": d.id, "name_id": a.name.id, "name_en": a.name.en}
                for d in catalogue.domains
                for a in d.applications
            ],
        )
        upsert(
            schema.Skpd,
            "id",
            [{"id": s.id, "name": s.name, "short_name": s.short_name} for s in catalogue.skpd],
        )
        upsert(
            schema.Region,
            "code",
            [
                {
                    "code": r.code,
                    "bps_code": r.bps_code,
                    "name": r.name,
                    "kind": r.kind,
                    "population": r.population,
                }
                for r in catalogue.regions
            ],
        )
        upsert(
            schema.Indicator,
            "code",
            [
                {
                    "code": i.code,
                    "domain_id": i.domain,
                    "application_id": i.application,
                    "skpd_id": i.skpd,
                    "name_id": i.name.id,
                    "name_en": i.name.en,
                    "unit": i.unit.id,
                    "direction": i.direction,
                    "frequency": i.frequency,
                    "aggregation": i.aggregation.method,
                    "classification": i.classification,
                    "spec": i.model_dump(mode="json"),
                }
                for i in catalogue.indicators
            ],
        )
        upsert(
            schema.Source,
            "id",
            [
                {
                    "id": s.id,
                    "kind": s.kind,
                    "skpd_id": s.skpd,
                    "name": s.name,
                    "enabled": s.enabled,
                    "spec": s.model_dump(mode="json"),
                }
                for s in catalogue.sources
            ],
        )
        known = {s.id for s in catalogue.sources}
        used = {r[0] for r in conn.execute(select(schema.CollectionRun.source_id).distinct())}
        src = schema.Source.__table__
        for stale in {r[0] for r in conn.execute(select(src.c.id))} - known:
            if stale in used:
                conn.execute(update(schema.Source).where(src.c.id == stale).values(enabled=False))
            else:
                conn.execute(delete(schema.Source).where(src.c.id == stale))
