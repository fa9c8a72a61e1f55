"""The scorecard behind a brief or an export, from the URL's ``period`` and ``region``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from dashboard.catalogue.models import Catalogue, Plans
from dashboard.scorecard.build import Scorecard, load_scorecard
from dashboard.scorecard.followups import FollowupSummary, load_summary
from dashboard.scorecard.periods import AsOf


def load_card(
    engine: Engine,
    catalogue: Catalogue,
    plans: Plans,
    now: datetime,
    period: str | None = None,
    region: str | None = None,
) -> Scorecard:
    as_of = AsOf.parse(period, now)
    region_code = region if region in catalogue.regions_by_code else catalogue.province.code
    with engine.connect() as conn:
        return load_scorecard(conn, catalogue, plans, as_of, region_code, now)


def load_followups(engine: Engine, catalogue: Catalogue, now: datetime) -> FollowupSummary:
    """The follow-up loop the brief carries, cut to what ``catalogue`` (the reader's) holds."""
    return load_summary(engine, catalogue, now)
