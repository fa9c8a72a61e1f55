"""Region registry: Kemendagri codes, BPS codes and the loose names SKPD files use."""

from __future__ import annotations

import re

from dashboard.catalogue.models import Region, normalise_name

_PREFIXES = ("kabupaten ", "kab. ", "kab ", "kota ", "provinsi ", "prov. ", "prov ")


class RegionRegistry:
    def __init__(self, regions: list[Region]):
        self.regions = list(regions)
        self.by_code = {r.code: r for r in regions}
        self.by_bps = {r.bps_code: r for r in regions}
        self._names: dict[str, str] = {}
        for r in regions:
            for name in (r.name, r.short_name, *r.aliases):
                key = normalise_name(name)
                self._names.setdefault(key, r.code)
        # "Kab. X" and "Kabupaten X" may also be written without the prefix, but
        # only where that leaves no ambiguity ("Kota Kotamobagu" vs a regency).
        bare: dict[str, set[str]] = {}
        for key, code in list(self._names.items()):
            for prefix in _PREFIXES:
                if key.startswith(prefix):
                    bare.setdefault(key[len(prefix) :].strip(), set()).add(code)
        for key, codes in bare.items():
            if len(codes) == 1 and key not in self._names:
                self._names[key] = next(iter(codes))

    @property
    def province(self) -> Region:
        return next(r for r in self.regions if r.kind == "province")

    @property
    def subregions(self) -> list[Region]:
        return [r for r in self.regions if r.kind != "province"]

    def from_kemendagri(self, code: str) -> str | None:
        code = code.strip()
        if code in self.by_code:
            return code
        # "7171" written without the dot is still a Kemendagri code of the form 71.NN
        if re.fullmatch(r"71\d{2}", code) and f"71.{code[2:]}" in self.by_code:
            return f"71.{code[2:]}"
        return None

    def from_bps(self, code: str) -> str | None:
        region = self.by_bps.get(code.strip().replace(".", ""))
        if region is None and code.strip() in ("71", "7100"):
            return self.province.code
        return region.code if region else None

    def from_name(self, name: str) -> str | None:
        key = normalise_name(name)
        if key in self._names:
            return self._names[key]
        for prefix in _PREFIXES:
            if key.startswith(prefix) and key[len(prefix) :] in self._names:
                candidate = self._names[key[len(prefix) :]]
                # "Kota Minahasa" must not silently become Kab. Minahasa.
                region = self.by_code[candidate]
                if (
                    (prefix.startswith("kota") and region.kind == "city")
                    or (prefix.startswith("kab") and region.kind == "regency")
                    or (prefix.startswith("prov") and region.kind == "province")
                ):
                    return candidate
        return None

    def resolve(self, value: str, system: str) -> str | None:
        """Kemendagri code for a value written in the given system (kemendagri, bps, name)."""
        if system == "kemendagri":
            return self.from_kemendagri(value)
        if system == "bps":
            return self.from_bps(value)
        return self.from_name(value)
