"""Deterministic values for (indicator, region, period): the data the simulator serves.

Pure: the same catalogue, seed and overrides give the same numbers on every
machine. Randomness is a hash of (seed, indicator, region, period), never a
shared random state, so values do not depend on the order they are asked for.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from statistics import NormalDist

from dashboard.catalogue.models import Catalogue, Indicator, Region
from dashboard.catalogue.periods import step
from dashboard.simulator.periods import months_in, served_periods
from dashboard.simulator.profiles import CURVES, SEASONS, Profile, Traits, profile_for, traits_of

EPOCH = date(2022, 1, 1)
_NORMAL = NormalDist()

Number = int | float
# (indicator code, Kemendagri region code, period start) -> value
Overrides = dict[tuple[str, str, date], Number]


@dataclass(frozen=True)
class FeedValue:
    indicator: str
    region: str
    start: date
    value: Number


class Generator:
    def __init__(self, catalogue: Catalogue, seed: int = 0, overrides: Overrides | None = None):
        self.catalogue = catalogue
        self.seed = seed
        # Shared with the server's control API, which may change it between requests.
        self.overrides: Overrides = overrides if overrides is not None else {}
        self._indicators = catalogue.indicators_by_code
        self._regions = catalogue.regions_by_code
        self.province = catalogue.province
        self.subregions = [r for r in catalogue.regions if r.kind != "province"]
        self._traits = {r.code: traits_of(r) for r in self.subregions}
        self._traits[self.province.code] = _mean_traits(self.subregions, self._traits)
        self._shares: dict[str, dict[str, float]] = {}
        self._base = lru_cache(maxsize=400_000)(self._compute_base)
        # Per indicator and region: its fixed offset and the phases of its drift.
        self._fixed = lru_cache(maxsize=None)(self._compute_fixed)

    # --- public ---------------------------------------------------------------

    def value(self, code: str, region: str, start: date) -> Number:
        """The value served for one indicator, region and period start."""
        override = self.overrides.get((code, region, start))  # one read: the server may change it
        if override is not None:
            return override
        indicator = self._indicators[code]
        if region == self.province.code and indicator.aggregation.method != "none":
            return self._aggregate(indicator, start)
        return self._base(code, region, start)

    def rows(
        self, code: str, today: date, history_months: int | None = None, since: date | None = None
    ) -> list[FeedValue]:
        """Every region's value for the periods a request covers, oldest period first."""
        indicator = self._indicators[code]
        out = []
        for start in served_periods(indicator.grain, today, history_months, since):
            for region in self.catalogue.regions:
                out.append(
                    FeedValue(code, region.code, start, self.value(code, region.code, start))
                )
        return out

    # --- the province ------------------------------------------------------------

    def _aggregate(self, indicator: Indicator, start: date) -> Number:
        values = [self.value(indicator.code, r.code, start) for r in self.subregions]
        method = indicator.aggregation.method
        if method == "sum":
            total = sum(values)
        elif method == "mean":
            total = sum(values) / len(values)
        else:  # weighted_mean by population
            weights = [r.population for r in self.subregions]
            total = sum(v * w for v, w in zip(values, weights)) / sum(weights)
        return _finish(indicator, total, None)

    # --- one region ----------------------------------------------------------------

    def _compute_base(self, code: str, region: str, start: date) -> Number:
        indicator = self._indicators[code]
        profile = profile_for(indicator)
        compute = {
            "rate": self._rate,
            "count": self._count,
            "cumulative": self._cumulative,
            "quake": self._quake,
        }[profile.kind]
        return _finish(indicator, compute(indicator, profile, region, start), profile)

    def _rate(self, ind: Indicator, p: Profile, region: str, start: date) -> float:
        t = _years(start, ind.grain)
        traits = self._traits[region]
        value = _level(p, t) + p.urban * traits.urban + p.island * traits.island
        value += p.spread * self._fixed(ind.code, region)[0]
        value += p.season_amp * _season(p, start, ind.grain)
        value += p.drift * self._wander(ind.code, region, t)
        value += p.noise * self._z(ind.code, region, start)
        if ind.grain == "day" and start.weekday() < 5:
            value += p.weekday
        return value

    def _count(self, ind: Indicator, p: Profile, region: str, start: date) -> float:
        t = _years(start, ind.grain)
        total = _interpolate(p.path, t) if p.path else p.level * (1 + p.trend) ** t
        total *= max(0.0, 1 + p.season_amp * _season(p, start, ind.grain))
        share = self._share(p, region) * math.exp(p.spread * self._fixed(ind.code, region)[0])
        mean = total * share * max(0.0, 1 + p.drift * self._wander(ind.code, region, t))
        mean *= max(0.0, 1 + p.noise * self._z(ind.code, region, start))
        if ind.decimals > 0:
            return mean
        return _poisson(mean, self._u(ind.code, region, start, "poisson"))

    def _cumulative(self, ind: Indicator, p: Profile, region: str, start: date) -> float:
        # Year to date: climbs along the curve to this year's year-end level, never down.
        year = start.year
        traits = self._traits[region]
        final = p.level + p.trend * (year - EPOCH.year) + p.urban * traits.urban
        final += p.spread * self._fixed(ind.code, region)[0] + p.noise * self._z(
            ind.code, region, year
        )
        final = _clamp(final, p.lo, p.hi)
        last_month = step(start, ind.grain).month - 1 or 12
        curve = CURVES[p.curve]
        reached = 0.0
        for month in range(1, last_month + 1):
            wobble = 1 + 0.04 * self._z(ind.code, region, year, month) if month < 12 else 1.0
            reached = max(reached, min(final, final * curve[month - 1] * wobble))
        return reached

    def _quake(self, ind: Indicator, p: Profile, region: str, start: date) -> float:
        # The province counts quakes near Manado; each region feels a subset of them.
        t = _years(start, ind.grain)
        mean = (
            p.level
            * months_in(ind.grain)
            * max(0.0, 1 + p.drift * self._wander(ind.code, self.province.code, t))
        )
        near_province = _poisson(mean, self._u(ind.code, self.province.code, start, "poisson"))
        if region == self.province.code:
            return near_province
        felt = 0.85 * self._traits[region].seismic
        return sum(
            1 for i in range(int(near_province)) if self._u(ind.code, region, start, i) < felt
        )

    # --- helpers ---------------------------------------------------------------------

    def _share(self, p: Profile, region: str) -> float:
        if region == self.province.code:
            return 1.0
        if p.weights not in self._shares:
            self._shares[p.weights] = self._split(p)
        return self._shares[p.weights][region]

    def _split(self, p: Profile) -> dict[str, float]:
        """Each region's share of a province total, by the profile's weights."""

        def weight(code: str) -> float:
            traits, people = self._traits[code], self._regions[code].population
            if p.weights == "population":
                return people
            if p.weights == "urban":
                return people * (0.3 + traits.urban)
            if p.weights == "tourism":
                return traits.tourism
            if p.weights == "even":
                return 1.0
            return 0.5 * people / total_people + 0.5 * traits.tourism / total_tourism  # mixed

        total_people = sum(r.population for r in self.subregions)
        total_tourism = sum(self._traits[r.code].tourism for r in self.subregions) or 1.0
        weights = {r.code: weight(r.code) for r in self.subregions}
        return {code: w / sum(weights.values()) for code, w in weights.items()}

    def _u(self, *parts: object) -> float:
        """A uniform number in [0, 1) fixed by the seed and the parts."""
        text = "|".join(str(x) for x in (self.seed, *parts)).encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64

    def _z(self, *parts: object) -> float:
        return _NORMAL.inv_cdf(min(max(self._u(*parts), 1e-9), 1 - 1e-9))

    def _compute_fixed(self, code: str, region: str) -> tuple[float, float, float]:
        return (
            self._z(code, region, "offset"),
            self._u(code, region, "phase-a"),
            self._u(code, region, "phase-b"),
        )

    def _wander(self, code: str, region: str, t: float) -> float:
        """A slow, smooth drift in -1..1 over a few years, its own phase per region."""
        _, phase_a, phase_b = self._fixed(code, region)
        months = t * 12
        a = math.sin(2 * math.pi * (months / 41 + phase_a))
        b = math.sin(2 * math.pi * (months / 17 + phase_b))
        return (a + 0.6 * b) / 1.6


def _mean_traits(regions: list[Region], traits: dict[str, Traits]) -> Traits:
    people = sum(r.population for r in regions)

    def mean(field: str) -> float:
        return float(sum(getattr(traits[r.code], field) * r.population for r in regions) / people)

    return Traits(mean("urban"), mean("island"), 1.0, 1.0)


def _years(start: date, grain: str) -> float:
    """Years from 2022-01-01 to the middle of the period."""
    end = step(start, grain)
    middle = start.toordinal() + (end.toordinal() - start.toordinal()) / 2
    return (middle - EPOCH.toordinal()) / 365.25


def _level(p: Profile, t: float) -> float:
    return _interpolate(p.path, t) if p.path else p.level + p.trend * t


def _interpolate(path: dict[int, float], t: float) -> float:
    """Linear between mid-year anchors, flat beyond the first and last."""
    points = sorted((year - EPOCH.year + 0.5, v) for year, v in path.items())
    if t <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in zip(points, points[1:]):
        if t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return points[-1][1]


def _season(p: Profile, start: date, grain: str) -> float:
    if not p.season or grain == "year":
        return 0.0
    # A quarter takes the shape of its middle month.
    month = start.month + 1 if grain == "quarter" else start.month
    return SEASONS[p.season][month - 1]


def _poisson(mean: float, u: float) -> int:
    """The Poisson count at quantile u (normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(mean + math.sqrt(mean) * _NORMAL.inv_cdf(min(max(u, 1e-9), 1 - 1e-9))))
    k, term = 0, math.exp(-mean)
    cumulative = term
    while u > cumulative and k < 1000:
        k += 1
        term *= mean / k
        cumulative += term
    return k


def _clamp(value: float, lo: float | None, hi: float | None) -> float:
    if lo is not None:
        value = max(lo, value)
    if hi is not None:
        value = min(hi, value)
    return value


def _finish(indicator: Indicator, value: float, profile: Profile | None) -> Number:
    """Clamp to the profile's and the catalogue's range, round as the SKPD would report."""
    if profile is not None:
        value = _clamp(value, profile.lo, profile.hi)
        if profile.quantum:
            value = round(value / profile.quantum) * profile.quantum
    value = _clamp(value, indicator.valid_range.min, indicator.valid_range.max)
    if indicator.decimals == 0:
        return round(value)
    return round(value, indicator.decimals)
