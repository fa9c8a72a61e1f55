"""Row validation against the catalogue (pandera, lazy) and duplicate-key checks.

Parse has already typed what it could and attached reasons; this step applies the
rules that need the catalogue and the source: the indicator is one this source may
feed, the value sits in the indicator's valid range, the period is not in the future,
and no key appears twice with different values. It works on whole columns, so a
million-row payload costs a few vectorised passes, not a million Python calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from collectors.base import Candidate, ParseResult, Reason
from dashboard.catalogue.models import Catalogue, Source
from dashboard.catalogue.periods import bucket

# Typed rows: the payload's row number, then the observation key and value.
TYPED_COLUMNS = ["row", "indicator_code", "region_code", "period_start", "grain", "value"]
KEY = ["indicator_code", "region_code", "period_start", "grain"]


@dataclass
class Verdict:
    accepted: pd.DataFrame
    rejected: list[Candidate]


def typed_frame(
    result: ParseResult,
) -> tuple[pd.DataFrame, dict[int, dict[str, Any]], list[Candidate]]:
    """Clean candidates (and a kind's own typed frame, if it made one) as one frame;
    the raw rows by row number, for quarantine; and the candidates parse rejected."""
    clean = [c for c in result.rows if not c.reasons]
    rejected = [c for c in result.rows if c.reasons]
    frame = pd.DataFrame(
        {
            "row": pd.Series([c.row for c in clean], dtype="int64"),
            "indicator_code": pd.Series([c.indicator for c in clean], dtype=object),
            "region_code": pd.Series([c.region for c in clean], dtype=object),
            "period_start": pd.Series([c.period_start for c in clean], dtype=object),
            "grain": pd.Series([c.grain for c in clean], dtype=object),
            "value": pd.Series([c.value for c in clean], dtype="float64"),
        }
    )
    if result.frame is not None and not result.frame.empty:
        frame = (
            pd.concat([frame, result.frame[TYPED_COLUMNS]], ignore_index=True)
            if len(frame)
            else result.frame[TYPED_COLUMNS].reset_index(drop=True)
        )
    raw = {c.row: c.raw for c in clean}
    return frame, raw, rejected


def build_schema(catalogue: Catalogue, source: Source, today: date) -> pa.DataFrameSchema:
    bounds = (
        pd.DataFrame(
            [(i.code, i.valid_range.min, i.valid_range.max) for i in catalogue.indicators],
            columns=["indicator_code", "low", "high"],
        )
        .set_index("indicator_code")
        .astype("float64")
    )
    current = {g: pd.Timestamp(bucket(today, g)) for g in ("day", "month", "quarter", "year")}

    # Both table checks look their bounds up once per distinct indicator or grain (a
    # payload names few), not once per row: the same result as Series.map, without a
    # million lookups.
    def within_valid_range(df: pd.DataFrame) -> pd.Series:
        low = _lookup(df["indicator_code"], bounds["low"])
        high = _lookup(df["indicator_code"], bounds["high"])
        value = df["value"].to_numpy(dtype="float64")
        return pd.Series(
            (np.isnan(low) | (value >= low)) & (np.isnan(high) | (value <= high)), index=df.index
        )

    limits = pd.Series(list(current.values()), index=list(current), dtype="datetime64[ns]")

    def not_future(df: pd.DataFrame) -> pd.Series:
        latest = _lookup(df["grain"], limits)
        return pd.Series(
            df["period_start"].to_numpy(dtype="datetime64[ns]") <= latest, index=df.index
        )

    return pa.DataFrameSchema(
        {
            "row": pa.Column("int64"),
            "indicator_code": pa.Column(str, pa.Check.isin(sorted(source.indicators))),
            "region_code": pa.Column(str, pa.Check.isin(sorted(r.code for r in catalogue.regions))),
            "period_start": pa.Column("datetime64[ns]"),
            "grain": pa.Column(str, pa.Check.isin(list(current))),
            "value": pa.Column(float, pa.Check(lambda s: s.abs() < 1e15)),
        },
        checks=[
            pa.Check(within_valid_range, name="valid_range"),
            pa.Check(not_future, name="not_future"),
        ],
        strict=True,
    )


def _datetimes(days: pd.Series) -> pd.Series:
    """``pd.to_datetime(days)`` as datetime64[ns], converting each distinct day once."""
    codes, uniques = pd.factorize(days, use_na_sentinel=False)
    converted = pd.to_datetime(pd.Series(uniques, dtype=object)).astype("datetime64[ns]").to_numpy()
    return pd.Series(converted[codes], index=days.index, dtype="datetime64[ns]")


def _lookup(keys: pd.Series, table: pd.Series) -> np.ndarray:
    """``keys.map(table)`` as an array (NaN or NaT where a key is not in the table),
    looked up once per distinct key."""
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    return table.reindex(pd.Index(uniques, dtype=object)).to_numpy()[codes]


# Built-in column checks report their own name ("isin(…)"): the column says which rule.
_COLUMN_RULES = {
    "indicator_code": "source_feeds_indicator",
    "region_code": "known_region",
    "value": "finite",
    "grain": "known_grain",
}


def _reason_for(rule: str, row: pd.Series, catalogue: Catalogue, source: Source) -> Reason:
    if rule == "source_feeds_indicator":
        return Reason(
            "indicator",
            row["indicator_code"],
            f"indikator '{row['indicator_code']}' bukan bagian dari sumber '{source.id}'",
            f"indicator '{row['indicator_code']}' is not fed by source '{source.id}'",
        )
    if rule == "known_region":
        return Reason(
            "region",
            row["region_code"],
            f"wilayah '{row['region_code']}' tidak dikenal",
            f"region '{row['region_code']}' is unknown",
        )
    if rule == "valid_range":
        rng = catalogue.indicator(row["indicator_code"]).valid_range
        span = f"{rng.min if rng.min is not None else '-∞'} … {rng.max if rng.max is not None else '∞'}"
        return Reason(
            "value",
            row["value"],
            f"nilai {row['value']:g} di luar rentang sah {span}",
            f"value {row['value']:g} is outside the valid range {span}",
        )
    if rule == "not_future":
        period = row["period_start"].date().isoformat()
        return Reason(
            "period", period, f"periode {period} belum terjadi", f"period {period} is in the future"
        )
    if rule == "finite":
        return Reason(
            "value",
            row["value"],
            f"nilai {row['value']!r} tidak masuk akal",
            f"value {row['value']!r} is not plausible",
        )
    return Reason(None, None, f"pemeriksaan '{rule}' gagal", f"check '{rule}' failed")


def validate(result: ParseResult, catalogue: Catalogue, source: Source, today: date) -> Verdict:
    frame, raw, rejected = typed_frame(result)
    frame["period_start"] = _datetimes(frame["period_start"])
    frame["indicator_code"] = frame["indicator_code"].astype(str)
    frame["region_code"] = frame["region_code"].astype(str)
    frame["grain"] = frame["grain"].astype(str)
    reasons: dict[int, list[Reason]] = {}  # position in frame -> reasons
    if len(frame):
        try:
            build_schema(catalogue, source, today).validate(frame, lazy=True)
        except SchemaErrors as errors:
            cases = errors.failure_cases
            if cases["index"].isna().any():  # a table-level failure: a bug here, not bad data
                raise RuntimeError(
                    f"table-level validation failure: {cases[cases['index'].isna()].to_dict('records')}"
                ) from errors
            for position, context, column, check in cases[
                ["index", "schema_context", "column", "check"]
            ].itertuples(index=False):
                rule = _COLUMN_RULES.get(column, str(check)) if context == "Column" else str(check)
                reason = _reason_for(rule, frame.iloc[int(position)], catalogue, source)
                found = reasons.setdefault(int(position), [])
                if reason not in found:
                    found.append(reason)
    _flag_duplicates(frame, reasons)
    bad = frame.index.isin(list(reasons))
    for position in sorted(reasons):
        record = frame.iloc[position]
        row = int(record["row"])
        rejected.append(
            Candidate(
                row,
                raw.get(row) or _typed_raw(record),
                record["indicator_code"],
                record["region_code"],
                record["period_start"].date(),
                record["grain"],
                float(record["value"]),
                reasons[position],
            )
        )
    rejected.sort(key=lambda c: c.row)
    return Verdict(frame.loc[~bad].reset_index(drop=True), rejected)


def _typed_raw(record: pd.Series) -> dict[str, Any]:
    return {
        "indicator": record["indicator_code"],
        "region": record["region_code"],
        "period": record["period_start"].date().isoformat(),
        "value": float(record["value"]),
    }


def _flag_duplicates(frame: pd.DataFrame, reasons: dict[int, list[Reason]]) -> None:
    """Same key twice: identical repeats are flagged after the first; conflicting values
    reject every row of the key (we cannot know which one the SKPD meant)."""
    candidates = frame.loc[~frame.index.isin(list(reasons))]
    repeated = candidates[_duplicated(candidates)]
    if repeated.empty:
        return
    for _, group in repeated.groupby(KEY, sort=False):
        numbers = ", ".join(str(r) for r in group["row"])
        if group["value"].nunique() > 1:
            for position, value in zip(group.index, group["value"]):
                reasons.setdefault(position, []).append(
                    Reason(
                        "value",
                        value,
                        f"kunci yang sama muncul di baris {numbers} dengan nilai berbeda",
                        f"the same key appears in rows {numbers} with different values",
                    )
                )
        else:
            first = int(group["row"].iloc[0])
            for position, value in zip(group.index[1:], group["value"].iloc[1:]):
                reasons.setdefault(position, []).append(
                    Reason(
                        None,
                        value,
                        f"duplikat baris {first} (nilai sama)",
                        f"duplicate of row {first} (same value)",
                    )
                )


def _duplicated(frame: pd.DataFrame) -> np.ndarray:
    """``frame.duplicated(KEY, keep=False)``, on one integer per row: the key columns'
    distinct values numbered, the numbers combined (and renumbered before they could
    overflow)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in KEY:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        if len(uniques) and combined.max(initial=0) >= (2**62) // (len(uniques) + 1):
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = combined * (len(uniques) + 1) + codes
    return pd.Series(combined).duplicated(keep=False).to_numpy()
