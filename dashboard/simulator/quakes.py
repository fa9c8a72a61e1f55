"""Earthquakes for the simulated BMKG feeds: a deterministic stream, plus quakes injected
through the control API.

Time is cut into hour slots; each slot, by a hash of (seed, slot), may hold a small felt
quake near North Sulawesi (several a day: the quiet background), a strong one (M ≥ 5)
within 300 km of Manado (about once a day by default), and an M ≥ 5 elsewhere in
Indonesia (what BMKG's national M5+ list is mostly made of). The same seed and the
same time give the same quakes on every request and after a restart.

Wording follows BMKG: "Pusat gempa berada di laut 58 km BaratLaut Kep. Talaud" in the
felt and latest feeds, "138 km Tenggara BITUNG-SULUT" in the M5+ list; felt reports on
the MMI scale ("III Tomohon, II - III Manado").
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dashboard.geo import distance_km

SLOT_SECONDS = 3600
FELT_PER_SLOT = 0.22  # about five felt quakes a day around the province
NATIONAL_PER_DAY = 1.2
STRONG_PER_DAY = 1.0
# How far back a feed looks for its entries before giving up (quiet settings, tests).
MAX_LOOKBACK_SLOTS = 24 * 60

POTENSI_NONE = "Tidak berpotensi tsunami"
POTENSI_FELT = "Gempa ini dirasakan untuk diteruskan pada masyarakat"
POTENSI_TSUNAMI = "Berpotensi tsunami"

# Reference places: (name in the felt/latest feeds, name in the M5+ list, lat, lon).
TOWNS = (
    ("Manado", "MANADO-SULUT", 1.4748, 124.8421),
    ("Bitung", "BITUNG-SULUT", 1.4404, 125.1217),
    ("Tomohon", "TOMOHON-SULUT", 1.3234, 124.8405),
    ("Kotamobagu", "KOTAMOBAGU-SULUT", 0.7347, 124.3168),
    ("Kep. Sangihe", "KEP-SANGIHE-SULUT", 3.6107, 125.4964),
    ("Kep. Talaud", "KEP-TALAUD-SULUT", 4.0740, 126.7720),
    ("Kep. Siau Tagulandang Biaro", "KEP-SITARO-SULUT", 2.7460, 125.4080),
    ("Minahasa Selatan", "MINAHASA-SELATAN-SULUT", 1.2510, 124.5830),
    ("Minahasa Utara", "MINAHASA-UTARA-SULUT", 1.4167, 124.9833),
    ("Minahasa Tenggara", "MINAHASA-TENGGARA-SULUT", 1.0270, 124.7560),
    ("Bolaang Mongondow Utara", "BOLMONG-UTARA-SULUT", 0.9040, 123.2650),
    ("Bolaang Mongondow Timur", "BOLMONG-TIMUR-SULUT", 0.7230, 124.4960),
    ("Bolaang Mongondow Selatan", "BOLMONG-SELATAN-SULUT", 0.4050, 123.9650),
    ("Halmahera Barat", "HALBAR-MALUT", 1.0730, 127.4810),
    ("Pulau Morotai", "MOROTAI-MALUT", 2.3650, 128.4080),
    ("Gorontalo Utara", "GORUT-GORONTALO", 0.9330, 122.6600),
)
# Where local quakes happen: (lat, lon, spread in degrees), weighted by order of activity.
LOCAL_ZONES = (
    (2.0, 126.4, 0.45),  # Molucca Sea
    (3.9, 126.7, 0.35),  # off Talaud
    (3.3, 125.7, 0.35),  # Sangihe
    (1.2, 124.9, 0.25),  # Minahasa
    (0.6, 124.0, 0.30),  # Bolaang Mongondow
    (1.8, 127.2, 0.30),  # off Halmahera
)
# Elsewhere in Indonesia, as the national M5+ list words them.
NATIONAL = (
    (-7.37, 106.12, "85 km BaratDaya KAB-SUKABUMI-JABAR"),
    (-3.54, 140.12, "36 km BaratLaut KAB-KEEROM-PAPUA"),
    (-6.61, 129.88, "187 km BaratLaut KEP-TANIMBAR-MALUKU"),
    (-8.95, 118.36, "62 km Tenggara KAB-SUMBAWA-NTB"),
    (-2.31, 99.64, "74 km BaratDaya KEP-MENTAWAI-SUMBAR"),
    (-3.72, 128.11, "28 km Tenggara KAB-MALTENG-MALUKU"),
    (-0.89, 119.51, "22 km BaratLaut KOTA-PALU-SULTENG"),
)
DIRECTIONS = (
    "Utara",
    "TimurLaut",
    "Timur",
    "Tenggara",
    "Selatan",
    "BaratDaya",
    "Barat",
    "BaratLaut",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")


@dataclass(frozen=True)
class Quake:
    at: datetime  # UTC, whole seconds
    lat: float
    lon: float
    magnitude: float
    depth_km: int
    wilayah: str  # "Pusat gempa berada di laut 58 km BaratLaut Kep. Talaud"
    wilayah_short: str  # "138 km Tenggara BITUNG-SULUT"
    felt: str | None  # "III Tomohon, II - III Manado"
    potensi: str

    @property
    def strong(self) -> bool:
        return self.magnitude >= 5.0


def _bearing_word(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    """Where point 2 lies seen from point 1, in BMKG's eight words."""
    y = math.sin(math.radians(lon2 - lon1)) * math.cos(math.radians(lat2))
    x = math.cos(math.radians(lat1)) * math.sin(math.radians(lat2)) - math.sin(
        math.radians(lat1)
    ) * math.cos(math.radians(lat2)) * math.cos(math.radians(lon2 - lon1))
    degrees = (math.degrees(math.atan2(y, x)) + 360) % 360
    return DIRECTIONS[int((degrees + 22.5) // 45) % 8]


def describe(lat: float, lon: float) -> tuple[str, str]:
    """BMKG's two wordings of a position, from the nearest reference place."""
    name, short, tlat, tlon = min(TOWNS, key=lambda t: distance_km(lat, lon, t[2], t[3]))
    km = round(distance_km(tlat, tlon, lat, lon))
    word = _bearing_word(tlat, tlon, lat, lon)
    where = "darat" if km < 15 else "laut"
    return f"Pusat gempa berada di {where} {km} km {word} {name}", f"{km} km {word} {short}"


def intensity(magnitude: float, depth_km: float, km: float) -> float:
    """A rough MMI at ``km`` from the epicentre (enough for plausible felt reports)."""
    hypocentre = math.hypot(km, depth_km)
    return 1.2 * magnitude - 2.2 * math.log10(max(hypocentre, 1.0)) + 1.5


def felt_report(lat: float, lon: float, magnitude: float, depth_km: float) -> str | None:
    """ "III Tomohon, II - III Manado": the three places that felt it most, or None."""
    felt = []
    for name, _, tlat, tlon in TOWNS:
        level = intensity(magnitude, depth_km, distance_km(lat, lon, tlat, tlon))
        if level >= 2.0:
            felt.append((level, name.removeprefix("Kep. ")))
    if not felt:
        return None
    parts = []
    for level, name in sorted(felt, reverse=True)[:3]:
        whole = min(int(level), len(ROMAN))
        fraction = level - int(level)
        if 0.35 <= fraction <= 0.65 and whole < len(ROMAN):
            parts.append(f"{ROMAN[whole - 1]} - {ROMAN[whole]} {name}")
        else:
            parts.append(f"{ROMAN[min(round(level), len(ROMAN)) - 1]} {name}")
    return ", ".join(parts)


def make_quake(
    at: datetime,
    lat: float,
    lon: float,
    magnitude: float,
    depth_km: int,
    *,
    potensi: str | None = None,
    felt: str | None = None,
    wilayah: str | None = None,
) -> Quake:
    long, short = describe(lat, lon)
    # None: worked out from the magnitude and distance; "": felt nowhere reported.
    felt = (felt if felt is not None else felt_report(lat, lon, magnitude, depth_km)) or None
    if potensi is None:
        potensi = POTENSI_NONE if magnitude >= 5.0 else POTENSI_FELT
    return Quake(
        at.astimezone(UTC).replace(microsecond=0),
        round(lat, 2),
        round(lon, 2),
        round(magnitude, 1),
        depth_km,
        wilayah or long,
        wilayah or short,
        felt,
        potensi,
    )


class QuakeStream:
    def __init__(
        self,
        seed: int = 0,
        *,
        strong_per_day: float = STRONG_PER_DAY,
        felt_per_slot: float = FELT_PER_SLOT,
        national_per_day: float = NATIONAL_PER_DAY,
    ):
        self.seed = seed
        self.strong_per_day = strong_per_day
        self.felt_per_slot = felt_per_slot
        self.national_per_day = national_per_day
        # Quakes added through the control API; the server holds the lock around changes.
        self.injected: list[Quake] = []

    def _u(self, *parts: object) -> float:
        text = "|".join(str(p) for p in (self.seed, *parts)).encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64

    def _z(self, *parts: object) -> float:
        # Sum of three uniforms: near-normal, bounded, cheap.
        return sum(self._u(*parts, i) for i in range(3)) - 1.5

    def slot(self, index: int) -> list[Quake]:
        """The quakes of one hour slot (epoch hours), oldest first."""
        start = datetime.fromtimestamp(index * SLOT_SECONDS, UTC)
        out = []
        if self._u(index, "felt") < self.felt_per_slot:
            out.append(self._local(index, "felt", start, 2.6 + 2.0 * self._u(index, "felt-m")))
        if self._u(index, "strong") < self.strong_per_day / 24:
            out.append(
                self._local(index, "strong", start, 5.0 + 1.2 * self._u(index, "strong-m") ** 2)
            )
        if self._u(index, "national") < self.national_per_day / 24:
            lat, lon, wilayah = NATIONAL[int(self._u(index, "nat-where") * len(NATIONAL))]
            at = start + timedelta(seconds=int(self._u(index, "nat-at") * SLOT_SECONDS))
            magnitude = 5.0 + 1.0 * self._u(index, "nat-m") ** 2
            out.append(
                make_quake(
                    at,
                    lat + 0.3 * self._z(index, "nat-lat"),
                    lon + 0.3 * self._z(index, "nat-lon"),
                    magnitude,
                    int(10 + 60 * self._u(index, "nat-depth")),
                    felt="",
                    wilayah=wilayah,
                )
            )
        return sorted(out, key=lambda q: q.at)

    def _local(self, index: int, kind: str, start: datetime, magnitude: float) -> Quake:
        weights = [1 / (i + 1) for i in range(len(LOCAL_ZONES))]
        pick, total = self._u(index, kind, "zone") * sum(weights), 0.0
        zone = LOCAL_ZONES[-1]
        for weight, candidate in zip(weights, LOCAL_ZONES):
            total += weight
            if pick < total:
                zone = candidate
                break
        lat = zone[0] + zone[2] * self._z(index, kind, "lat")
        lon = zone[1] + zone[2] * self._z(index, kind, "lon")
        depth = int(8 + 140 * self._u(index, kind, "depth") ** 2)
        at = start + timedelta(seconds=int(self._u(index, kind, "at") * SLOT_SECONDS))
        return make_quake(at, lat, lon, magnitude, depth)

    def latest(self, now: datetime, wanted, count: int) -> list[Quake]:
        """The newest ``count`` quakes up to ``now`` for which ``wanted(quake)`` holds, newest first."""
        injected = [q for q in self.injected if q.at <= now and wanted(q)]
        streamed: list[Quake] = []
        index = int(now.timestamp()) // SLOT_SECONDS
        # Slots are walked newest first: once enough are found, older ones cannot make the list.
        for back in range(MAX_LOOKBACK_SLOTS):
            streamed += [q for q in self.slot(index - back) if q.at <= now and wanted(q)]
            if len(streamed) >= count:
                break
        return sorted(injected + streamed, key=lambda q: q.at, reverse=True)[:count]

    def inject(self, quake: Quake) -> Quake:
        self.injected.append(quake)
        return quake
