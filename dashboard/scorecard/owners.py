"""Who must act: the SKPD that owns an indicator, a source, or what an alert is about,
and the scorecard's exceptions counted per SKPD ("Dinkes: 3 behind, 1 late data").

One place decides ownership: the catalogue's ``skpd`` of an indicator, and for a source
problem the source's own ``skpd``. Every surface (scorecard, brief, /alerts, the wall,
follow-ups) asks here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dashboard.catalogue.models import Catalogue
from dashboard.scorecard.build import Scorecard
from dashboard.scorecard.rows import domain_score


def short_name(skpd_id: str | None, catalogue: Catalogue | None) -> str | None:
    """The SKPD's short name ("Dinkes"); None when unknown."""
    if catalogue is None or skpd_id is None:
        return None
    skpd = next((s for s in catalogue.skpd if s.id == skpd_id), None)
    return skpd.short_name if skpd else None


def indicator_skpd(code: str, catalogue: Catalogue) -> str | None:
    indicator = catalogue.indicators_by_code.get(code)
    return indicator.skpd if indicator else None


def source_skpd(source_id: str, catalogue: Catalogue) -> str | None:
    source = next((s for s in catalogue.sources if s.id == source_id), None)
    return source.skpd if source else None


def subject_skpd(
    subject: str, catalogue: Catalogue | None, details: Mapping[str, Any] | None = None
) -> str | None:
    """The owning SKPD's id from an alert's subject: an indicator ("LIV.BOR@71.71"), a
    source ("source:dinkes-sik") or an event ("event:42", owned by the source that reported
    it, named in the alert's details)."""
    if catalogue is None:
        return None
    if subject.startswith("source:"):
        return source_skpd(subject[7:], catalogue)
    if subject.startswith("event:") and details and details.get("source"):
        return source_skpd(str(details["source"]), catalogue)
    if "@" in subject:
        return indicator_skpd(subject.split("@", 1)[0], catalogue)
    return None


def subject_owner(
    subject: str, catalogue: Catalogue | None, details: Mapping[str, Any] | None = None
) -> str | None:
    """The owning SKPD's short name for an alert's subject."""
    return short_name(subject_skpd(subject, catalogue, details), catalogue)


@dataclass
class SkpdExceptions:
    """One SKPD's exceptions on a scorecard."""

    skpd_id: str
    short_name: str
    behind: int = 0
    at_risk: int = 0
    stale: int = 0
    missing: int = 0
    codes: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.behind + self.at_risk + self.stale + self.missing


def exceptions_by_skpd(card: Scorecard, catalogue: Catalogue) -> list[SkpdExceptions]:
    """Per SKPD with at least one exception: behind, at risk, late data, not delivered.
    Most exceptions first (behind weighs first), then by short name."""
    out = {s.id: SkpdExceptions(s.id, s.short_name) for s in catalogue.skpd}
    for row in (*card.behind, *card.at_risk):
        entry = out.get(row.indicator.skpd)
        if entry is not None:
            if row.status == "behind":
                entry.behind += 1
            else:
                entry.at_risk += 1
            entry.codes.add(row.code)
    for item in card.stale:
        entry = out.get(item.indicator.skpd)
        if entry is not None:
            entry.stale += 1
            entry.codes.add(item.indicator.code)
    for missing in card.missing:
        entry = out.get(missing.skpd_id)
        if entry is not None:
            entry.missing += len(missing.items)
            entry.codes.update(i.indicator.code for i in missing.items)
    found = [e for e in out.values() if e.total]
    return sorted(found, key=lambda e: (-e.behind, -e.total, e.short_name))


def only_skpd(card: Scorecard, skpd_id: str) -> Scorecard:
    """The scorecard cut to what one SKPD owns: its indicators' rows and exceptions; the
    domain scores are recomputed over its indicators (domains without any are left out)."""
    domains = tuple(
        domain_score(d.domain_id, [r for r in d.rows if r.indicator.skpd == skpd_id])
        for d in card.domains
    )
    return replace(
        card,
        domains=tuple(d for d in domains if d.rows),
        behind=tuple(r for r in card.behind if r.indicator.skpd == skpd_id),
        at_risk=tuple(r for r in card.at_risk if r.indicator.skpd == skpd_id),
        movers_good=tuple(r for r in card.movers_good if r.indicator.skpd == skpd_id),
        movers_bad=tuple(r for r in card.movers_bad if r.indicator.skpd == skpd_id),
        stale=tuple(s for s in card.stale if s.indicator.skpd == skpd_id),
        missing=tuple(m for m in card.missing if m.skpd_id == skpd_id),
    )
