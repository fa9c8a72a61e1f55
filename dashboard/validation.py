"""Row validation against the catalogue (pandera, lazy) and duplicate-key checks.

Parse has already typed what it could and attached reasons; this step applies the
rules that need the catalogue and the source: the indicator is one this source may
feed, the value sits in the indicator's valid range, the period is not in the future,
and no key appears twice with different values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from collectors.base import Candidate, Reason
from collectors.values import align
from dashboard.catalogue.models import Catalogue, Source


@dataclass
class Verdict:
    accepted: list[Candidate]
    rejected: list[Candidate]


def _range_check(catalogue: Catalogue):
    bounds = {i.code: (i.valid_range.min, i.valid_range.max) for i in catalogue.indicators}

    def within_valid_range(df: pd.DataFrame) -> pd.Series:
        low = df["indicator"].map(lambda c: bounds.get(c, (None, None))[0]).astype("float64")
        high = df["indicator"].map(lambda c: bounds.get(c, (None, None))[1]).astype("float64")
        return (low.isna() | (df["value"] >= low)) & (high.isna() | (df["value"] <= high))

    return within_valid_range


def build_schema(catalogue: Catalogue, source: Source, today: date) -> pa.DataFrameSchema:
    allowed = sorted(source.indicators)
    regions = sorted(r.code for r in catalogue.regions)
    return pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, pa.Check.isin(allowed, name="source_feeds_indicator")),
            "region": pa.Column(str, pa.Check.isin(regions, name="known_region")),
            "period_start": pa.Column("datetime64[ns]"),
            "grain": pa.Column(str),
            "value": pa.Column(float, pa.Check(lambda s: s.abs() < 1e15, element_wise=False, name="finite")),
        },
        checks=[
            pa.Check(_range_check(catalogue), name="valid_range"),
            pa.Check(
                lambda df: df["period_start"].dt.date <= df["grain"].map(lambda g: align(today, g)),
                name="not_future"),
        ],
        strict=True,
        coerce=False,
    )


_COLUMN_RULES = {"indicator": "source_feeds_indicator", "region": "known_region", "value": "finite"}


def _reason_for(check: str, row: pd.Series, catalogue: Catalogue, source: Source) -> Reason:
    if check == "source_feeds_indicator":
        return Reason("indicator", row["indicator"],
                      f"indikator '{row['indicator']}' bukan bagian dari sumber '{source.id}'",
                      f"indicator '{row['indicator']}' is not fed by source '{source.id}'")
    if check == "known_region":
        return Reason("region", row["region"], f"wilayah '{row['region']}' tidak dikenal",
                      f"region '{row['region']}' is unknown")
    if check == "valid_range":
        rng = catalogue.indicator(row["indicator"]).valid_range
        span = f"{rng.min if rng.min is not None else '-∞'} … {rng.max if rng.max is not None else '∞'}"
        return Reason("value", row["value"], f"nilai {row['value']:g} di luar rentang sah {span}",
                      f"value {row['value']:g} is outside the valid range {span}")
    if check == "not_future":
        period = row["period_start"].date().isoformat()
        return Reason("period", period, f"periode {period} belum terjadi", f"period {period} is in the future")
    if check == "finite":
        return Reason("value", row["value"], f"nilai {row['value']!r} tidak masuk akal",
                      f"value {row['value']!r} is not plausible")
    return Reason(None, None, f"pemeriksaan '{check}' gagal", f"check '{check}' failed")


def validate(candidates: list[Candidate], catalogue: Catalogue, source: Source, today: date) -> Verdict:
    typed = [c for c in candidates if not c.reasons]
    rejected = [c for c in candidates if c.reasons]
    if typed:
        frame = pd.DataFrame({
            "indicator": pd.Series([c.indicator for c in typed], dtype=str),
            "region": pd.Series([c.region for c in typed], dtype=str),
            "period_start": pd.to_datetime(pd.Series([c.period_start for c in typed])).astype("datetime64[ns]"),
            "grain": pd.Series([c.grain for c in typed], dtype=str),
            "value": pd.Series([c.value for c in typed], dtype=float),
        })
        try:
            build_schema(catalogue, source, today).validate(frame, lazy=True)
        except SchemaErrors as errors:
            cases = errors.failure_cases
            # A null index is a table-level failure; those checks are row-wise here,
            # so every failing row carries its index.
            rows = cases.dropna(subset=["index"])[["index", "schema_context", "column", "check"]]
            for index, context, column, check in rows.itertuples(index=False):
                candidate = typed[int(index)]
                # Built-in column checks report their own name ("isin(…)"): the column says which rule.
                # Frame-wide checks are reported once per column, under their own name.
                rule = _COLUMN_RULES.get(column, str(check)) if context == "Column" else str(check)
                reason = _reason_for(rule, frame.iloc[int(index)], catalogue, source)
                if reason not in candidate.reasons:
                    candidate.reasons.append(reason)
            if cases["index"].isna().any():
                raise RuntimeError(f"table-level validation failure: {cases[cases['index'].isna()].to_dict('records')}")
    _flag_duplicates(typed)
    rejected += [c for c in typed if c.reasons]
    accepted = [c for c in typed if not c.reasons]
    rejected.sort(key=lambda c: c.row)
    return Verdict(accepted, rejected)


def _flag_duplicates(rows: list[Candidate]) -> None:
    """Same key twice: identical repeats are flagged after the first; conflicting values
    reject every row of the key (we cannot know which one the SKPD meant)."""
    by_key: dict[tuple, list[Candidate]] = defaultdict(list)
    for c in rows:
        if not c.reasons:
            by_key[(c.indicator, c.region, c.period_start, c.grain)].append(c)
    for group in by_key.values():
        if len(group) < 2:
            continue
        numbers = ", ".join(str(c.row) for c in group)
        if len({c.value for c in group}) > 1:
            for c in group:
                c.reasons.append(Reason("value", c.value,
                                        f"kunci yang sama muncul di baris {numbers} dengan nilai berbeda",
                                        f"the same key appears in rows {numbers} with different values"))
        else:
            for c in group[1:]:
                c.reasons.append(Reason(None, c.value, f"duplikat baris {group[0].row} (nilai sama)",
                                        f"duplicate of row {group[0].row} (same value)"))
