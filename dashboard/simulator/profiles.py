"""How each indicator behaves in the simulator: level, trend, season, regional spread.

Figures are plausible for North Sulawesi, not official: levels near published
figures (IPM about 74, stunting about 21% in 2022, inflation 2-5%), regional
contrasts from a few traits (how urban, island or not, tourism, seismic exposure).
An indicator without a profile here gets one derived from its catalogue entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dashboard.catalogue.models import Indicator, Region

# kind: rate        a level (%, index, price); regions scatter around it
#       count       a province total per period, split over regions by weights
#       cumulative  a year-to-date share that climbs to a year-end level (budget)
#       quake       events near the province; a region sees a subset of them
Kind = Literal["rate", "count", "cumulative", "quake"]


@dataclass(frozen=True)
class Profile:
    kind: Kind
    # rate: value in 2022 for a region with no traits; count: province total per
    # period in 2022; cumulative: year-end value in 2022; quake: province mean per period.
    level: float
    # rate/cumulative: change per year (absolute); count: growth per year (fraction).
    trend: float = 0.0
    # Level by year (mid-year), interpolated; replaces level and trend (inflation, prices).
    path: dict[int, float] | None = None
    # Offsets added for the most urban region and for island regencies (rates).
    urban: float = 0.0
    island: float = 0.0
    # Fixed scatter between regions (rate: absolute sd; count: sd of the log share).
    spread: float = 0.0
    # Period-to-period noise (rate: absolute sd; count: relative sd above Poisson).
    noise: float = 0.0
    # Slow wandering over a few years (rate: absolute; count: relative).
    drift: float = 0.0
    season: str | None = None
    season_amp: float = 0.0
    # count: how the province total splits over the regions.
    weights: Literal["population", "urban", "tourism", "mixed", "even"] = "population"
    # cumulative: how the year-to-date share climbs month by month.
    curve: Literal["spending", "revenue", "physical"] = "spending"
    lo: float | None = None
    hi: float | None = None
    # Round to a multiple (market prices are quoted to Rp 50 or 500).
    quantum: float | None = None
    # daily rates: added on working days (traffic).
    weekday: float = 0.0


# Monthly shape of a season, January first, roughly within -1..1.
SEASONS: dict[str, tuple[float, ...]] = {
    # School holidays (June-July), Christmas and New Year: Sulut's tourism peaks.
    "holiday": (-0.1, -0.6, -0.5, -0.2, 0.0, 0.5, 0.9, 0.4, -0.3, -0.3, -0.2, 1.0),
    # Rainy season November-March: dengue, floods, landslides.
    "rainy": (0.9, 0.7, 0.4, 0.1, -0.2, -0.3, -0.6, -0.8, -0.8, -0.4, 0.3, 1.0),
    # Dry season August-October: smoke and dust.
    "dry": (-0.6, -0.5, -0.4, -0.2, 0.0, 0.2, 0.5, 0.9, 1.0, 0.7, 0.0, -0.5),
    # Main rice harvest March-April brings prices down; year end pushes them up.
    "harvest": (0.6, 0.4, -0.3, -0.7, -0.5, -0.2, 0.0, 0.2, 0.3, 0.3, 0.5, 0.8),
    # Chilli follows the rain and the festive season.
    "chilli": (1.0, 0.6, 0.1, -0.3, -0.5, -0.5, -0.2, -0.3, -0.2, 0.1, 0.4, 0.9),
    # Dapodik synchronisation stalls in the school holidays.
    "school": (0.2, 0.3, 0.3, 0.3, 0.2, -0.5, -1.0, 0.5, 0.4, 0.3, 0.2, -0.6),
    # Civil servants report late around Christmas and New Year.
    "yearend": (-0.5, 0.2, 0.3, 0.3, 0.3, 0.2, 0.2, 0.3, 0.3, 0.2, 0.0, -1.0),
    # PIP grants are paid out in batches, the largest mid-year.
    "pip": (-0.4, -0.4, -0.4, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, -0.1, -0.1, -0.1),
}

# Cumulative share of the year-end figure reached by the end of each month.
CURVES: dict[str, tuple[float, ...]] = {
    # Indonesian regional spending starts slowly and rushes in December.
    "spending": (0.03, 0.08, 0.15, 0.22, 0.30, 0.38, 0.46, 0.54, 0.62, 0.70, 0.79, 1.0),
    "revenue": (0.06, 0.14, 0.22, 0.30, 0.38, 0.46, 0.54, 0.62, 0.70, 0.78, 0.87, 1.0),
    # Works start after tendering (Q2) and finish by December.
    "physical": (0.02, 0.05, 0.10, 0.17, 0.26, 0.36, 0.46, 0.56, 0.66, 0.76, 0.87, 1.0),
}


@dataclass(frozen=True)
class Traits:
    urban: float  # 0 rural .. 1 Manado
    island: float  # 1 for the island regencies
    tourism: float  # share of foreign visitors (sums to about 1)
    seismic: float  # chance a quake near the province is felt within 300 km


TRAITS: dict[str, Traits] = {
    "71.01": Traits(0.10, 0, 0.015, 0.30),  # Bolaang Mongondow
    "71.02": Traits(0.35, 0, 0.060, 0.45),  # Minahasa
    "71.03": Traits(0.10, 1, 0.020, 0.90),  # Kepulauan Sangihe
    "71.04": Traits(0.00, 1, 0.010, 1.00),  # Kepulauan Talaud
    "71.05": Traits(0.20, 0, 0.020, 0.40),  # Minahasa Selatan
    "71.06": Traits(0.40, 0, 0.220, 0.55),  # Minahasa Utara (Likupang)
    "71.07": Traits(0.10, 0, 0.010, 0.45),  # Minahasa Tenggara
    "71.08": Traits(0.00, 0, 0.010, 0.30),  # Bolaang Mongondow Utara
    "71.09": Traits(0.05, 1, 0.015, 0.80),  # Sitaro
    "71.10": Traits(0.00, 0, 0.010, 0.35),  # Bolaang Mongondow Timur
    "71.11": Traits(0.00, 0, 0.010, 0.30),  # Bolaang Mongondow Selatan
    "71.71": Traits(1.00, 0, 0.420, 0.50),  # Manado (Bunaken)
    "71.72": Traits(0.80, 0, 0.120, 0.60),  # Bitung (Lembeh)
    "71.73": Traits(0.70, 0, 0.060, 0.45),  # Tomohon
    "71.74": Traits(0.70, 0, 0.020, 0.30),  # Kotamobagu
}


def traits_of(region: Region) -> Traits:
    """Known traits, or a guess from the region's kind for a catalogue edited later."""
    if region.code in TRAITS:
        return TRAITS[region.code]
    return Traits(0.7 if region.kind == "city" else 0.1, 0, 0.02, 0.5)


P = Profile
PROFILES: dict[str, Profile] = {
    # Smart Living
    "LIV.STUNTING": P(
        "rate", 21.5, trend=-1.3, urban=-3, island=3, spread=2, noise=0.4, drift=0.6, lo=3
    ),
    "LIV.JKN": P("rate", 91, trend=1.5, urban=2, spread=2.5, noise=0.3, drift=0.4, hi=99.9),
    "LIV.BOR": P(
        "rate",
        70,
        trend=0.5,
        urban=8,
        island=-10,
        spread=6,
        noise=4,
        season="rainy",
        season_amp=4,
        hi=98,
    ),
    "LIV.IMUNISASI": P("rate", 86, trend=1.8, island=-4, spread=4, noise=2, hi=100),
    "LIV.DBD": P(
        "count",
        130,
        trend=-0.08,
        season="rainy",
        season_amp=0.6,
        weights="urban",
        spread=0.3,
        noise=0.15,
    ),
    "LIV.TB-SUKSES": P("rate", 84, trend=1.2, spread=3, noise=1.5, hi=100),
    "LIV.KEMATIAN-IBU": P("count", 4.5, trend=-0.05, spread=0.3),
    # Smart Society
    "SOC.IPM": P("rate", 70.5, trend=0.55, urban=7, island=-1, spread=1.5, noise=0.1, lo=60, hi=90),
    "SOC.ERAPOR": P("rate", 82, trend=3.5, island=-6, spread=5, noise=3, hi=100),
    "SOC.DAPODIK": P(
        "rate", 91, trend=1.5, island=-3, spread=3, noise=2, season="school", season_amp=2.5, hi=100
    ),
    "SOC.RLS": P("rate", 8.9, trend=0.1, urban=2, spread=0.4, noise=0.03, lo=6, hi=13),
    "SOC.APK-SMA": P("rate", 86, trend=0.8, urban=12, spread=6, noise=1.5, hi=140),
    "SOC.PUTUS-SEKOLAH": P(
        "rate", 0.95, trend=-0.07, urban=-0.2, island=0.3, spread=0.25, noise=0.08, lo=0.05
    ),
    "SOC.PIP": P("count", 9000, trend=0.04, season="pip", season_amp=0.4, spread=0.15, noise=0.1),
    # Smart Branding
    # Foreign arrivals collapsed in the pandemic and came back with the China charters from 2023.
    "BRD.WISMAN": P(
        "count",
        0,
        path={2021: 300, 2022: 1500, 2023: 3800, 2024: 5200, 2025: 6300, 2026: 7200, 2027: 7800},
        season="holiday",
        season_amp=0.35,
        weights="tourism",
        spread=0.15,
        noise=0.12,
        drift=0.05,
    ),
    "BRD.WISNUS": P(
        "count",
        0,
        path={
            2021: 250000,
            2022: 330000,
            2023: 380000,
            2024: 410000,
            2025: 430000,
            2026: 450000,
            2027: 470000,
        },
        season="holiday",
        season_amp=0.3,
        weights="mixed",
        spread=0.15,
        noise=0.08,
    ),
    "BRD.TPK": P(
        "rate",
        47,
        trend=1.5,
        urban=10,
        island=-6,
        spread=4,
        noise=2.5,
        drift=1.5,
        season="holiday",
        season_amp=9,
        lo=10,
        hi=95,
    ),
    "BRD.LAMA-MENGINAP": P(
        "rate",
        1.75,
        trend=0.04,
        island=0.3,
        spread=0.2,
        noise=0.08,
        season="holiday",
        season_amp=0.15,
        lo=1,
        hi=5,
    ),
    "BRD.EVENT": P("count", 6, trend=0.06, season="holiday", season_amp=0.6, weights="even"),
    "BRD.PAJAK-HOTEL-RESTO": P(
        "count",
        16000,
        trend=0.08,
        season="holiday",
        season_amp=0.2,
        weights="mixed",
        spread=0.2,
        noise=0.06,
    ),
    # Smart Governance
    "GOV.REALISASI-APBD": P(
        "cumulative", 92, trend=0.8, spread=3, noise=1.5, curve="spending", hi=99.5
    ),
    "GOV.REALISASI-PAD": P("cumulative", 97, trend=0.6, spread=6, noise=3, curve="revenue", hi=125),
    "GOV.REALISASI-FISIK": P(
        "cumulative", 93, trend=0.8, spread=3, noise=1.5, curve="physical", hi=100
    ),
    "GOV.NASKAH-DIGITAL": P("rate", 58, trend=6, urban=8, spread=8, noise=2.5, drift=2, hi=99.5),
    "GOV.DISPOSISI-JAM": P(
        "rate", 26, trend=-3.2, urban=-4, island=6, spread=4, noise=2, drift=1, lo=2
    ),
    "GOV.EKINERJA": P(
        "rate", 84, trend=2, spread=3, noise=1.5, season="yearend", season_amp=2, hi=100
    ),
    "GOV.DISIPLIN-ASN": P("count", 30, trend=-0.07),
    "GOV.MUSRENBANG": P("rate", 36, trend=2, spread=5, noise=2, lo=10, hi=80),
    "GOV.UPTIME-SPBE": P(
        "rate", 98.6, trend=0.2, island=-0.5, spread=0.4, noise=0.35, lo=90, hi=100
    ),
    # Smart Environment
    "ENV.PM25": P(
        "rate",
        18,
        trend=-0.6,
        urban=10,
        island=-5,
        spread=2,
        noise=2.5,
        drift=1.5,
        season="dry",
        season_amp=6,
        lo=2,
        weekday=1.5,
    ),
    "ENV.GEMPA": P("quake", 1.8, drift=0.3),
    "ENV.BENCANA": P("count", 22, trend=-0.05, season="rainy", season_amp=0.7, weights="mixed"),
    "ENV.TERDAMPAK": P(
        "count", 3200, trend=-0.05, season="rainy", season_amp=0.9, spread=0.4, noise=0.5
    ),
    "ENV.WAKTU-TANGGAP": P(
        "rate", 6.5, trend=-0.6, urban=-1.5, island=3, spread=1, noise=0.8, lo=0.5
    ),
    "ENV.SAMPAH": P("rate", 52, trend=4, urban=8, spread=6, noise=2, hi=98),
    "ENV.IKA": P("rate", 51, trend=1, urban=-8, island=8, spread=4, noise=1.5, lo=25, hi=95),
    # Smart Economy
    "ECO.INFLASI": P(
        "rate",
        0,
        path={2021: 1.6, 2022: 4.6, 2023: 3.1, 2024: 1.9, 2025: 2.4, 2026: 2.7, 2027: 2.6},
        spread=0.4,
        noise=0.25,
        drift=0.4,
        season="chilli",
        season_amp=0.3,
        lo=-3,
        hi=12,
    ),
    "ECO.TPT": P("rate", 6.8, trend=-0.3, urban=2.5, island=-2.5, spread=0.8, noise=0.2, lo=1),
    "ECO.PENEMPATAN": P("count", 620, trend=0.12, weights="urban", spread=0.15, noise=0.15),
    "ECO.LOWONGAN": P("count", 1300, trend=0.11, weights="urban", spread=0.15, noise=0.15),
    "ECO.HARGA-BERAS": P(
        "rate",
        0,
        path={
            2021: 10500,
            2022: 11000,
            2023: 12600,
            2024: 13600,
            2025: 13900,
            2026: 14100,
            2027: 14300,
        },
        island=900,
        spread=250,
        noise=150,
        drift=150,
        season="harvest",
        season_amp=350,
        quantum=50,
    ),
    "ECO.HARGA-CABAI": P(
        "rate",
        0,
        path={
            2021: 42000,
            2022: 52000,
            2023: 48000,
            2024: 55000,
            2025: 47000,
            2026: 50000,
            2027: 50000,
        },
        island=6000,
        spread=3000,
        noise=6000,
        drift=6000,
        season="chilli",
        season_amp=15000,
        lo=15000,
        quantum=500,
    ),
    "ECO.UMKM-DIGITAL": P("count", 650, trend=0.17, weights="mixed", spread=0.2, noise=0.18),
    "ECO.PERTUMBUHAN": P(
        "rate",
        0,
        path={2021: 4.2, 2022: 5.4, 2023: 5.5, 2024: 5.3, 2025: 5.4, 2026: 5.5, 2027: 5.6},
        spread=0.8,
        noise=0.4,
    ),
}


def profile_for(indicator: Indicator) -> Profile:
    """The indicator's profile, or one derived from its catalogue entry."""
    if indicator.code in PROFILES:
        return PROFILES[indicator.code]
    if indicator.aggregation.method == "sum":
        return Profile("count", 100, spread=0.2, noise=0.1)
    if indicator.cumulative:
        return Profile("cumulative", 90, spread=3, noise=1.5)
    level = _typical_level(indicator)
    scale = abs(level) * 0.05 or 1.0
    return Profile("rate", level, spread=scale, noise=scale / 2)


def _typical_level(indicator: Indicator) -> float:
    if indicator.targets:
        return indicator.targets[min(indicator.targets)]
    if indicator.band:
        return (indicator.band.low + indicator.band.high) / 2
    low, high = indicator.valid_range.min, indicator.valid_range.max
    if low is not None and high is not None:
        return (low + high) / 2
    return 50.0
