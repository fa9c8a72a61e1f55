"""Classification enforced: which indicators a principal may read, and the catalogue it sees.

``public`` is for everyone; ``internal`` for every signed-in person and enrolled screen;
``restricted`` only for admins, for the roles the catalogue lists in the indicator's
``readers`` (``wall`` for enrolled screens), and for the skpd_officers of the owning SKPD.
Pages, callbacks, exports and routes read the catalogue through ``catalogue_for`` (the
request's context does it for them), so an indicator a principal may not read simply does
not exist for it: not on a page, not on the wall, not in an export, brief or alert text.
"""

from __future__ import annotations

from dashboard.access.principal import CLASSIFICATIONS, Principal
from dashboard.access.roles import Role
from dashboard.catalogue.models import Catalogue, Indicator

_RANK = {c: i for i, c in enumerate(CLASSIFICATIONS)}


def may_read(principal: Principal, indicator: Indicator) -> bool:
    level = indicator.classification
    if _RANK[level] > _RANK.get(principal.clearance, 0):
        return False
    if level != "restricted":
        return True
    if principal.kind == "device":
        return "wall" in indicator.readers
    if principal.role == Role.ADMIN or principal.role in indicator.readers:
        return True
    return principal.role == Role.SKPD_OFFICER and indicator.skpd in principal.skpds


def visible_codes(principal: Principal, catalogue: Catalogue) -> frozenset[str]:
    return frozenset(i.code for i in catalogue.indicators if may_read(principal, i))


def filtered_catalogue(catalogue: Catalogue, codes: frozenset[str]) -> Catalogue:
    """The catalogue with only ``codes``; sources keep only those of their indicators."""
    if len(codes) == len(catalogue.indicators):
        return catalogue
    sources = [
        s.model_copy(update={"indicators": [c for c in s.indicators if c in codes]})
        for s in catalogue.sources
    ]
    return catalogue.model_copy(
        update={
            "indicators": [i for i in catalogue.indicators if i.code in codes],
            "sources": sources,
        }
    )


def catalogue_for(
    principal: Principal, catalogue: Catalogue, cache: dict | None = None
) -> Catalogue:
    """The catalogue as ``principal`` may see it (memoised per set of readable indicators)."""
    codes = visible_codes(principal, catalogue)
    if cache is None:
        return filtered_catalogue(catalogue, codes)
    found = cache.get(codes)
    if found is None:
        found = cache[codes] = filtered_catalogue(catalogue, codes)
    return found


def subject_visible(subject: str | None, catalogue: Catalogue) -> bool:
    """An alert's or silence's subject ("CODE@region", "source:ID", …) names nothing the
    reader of ``catalogue`` may not read."""
    if not subject or "@" not in subject:
        return True
    return subject.split("@", 1)[0] in catalogue.indicators_by_code


def scoped_catalogue(catalogue: Catalogue, skpds: frozenset[str] | None) -> Catalogue:
    """The catalogue of ``skpds`` only (an skpd_officer's own sources, indicators and SKPD);
    None = every SKPD."""
    if skpds is None:
        return catalogue
    return catalogue.model_copy(
        update={
            "skpd": [s for s in catalogue.skpd if s.id in skpds],
            "indicators": [i for i in catalogue.indicators if i.skpd in skpds],
            "sources": [s for s in catalogue.sources if s.skpd in skpds],
        }
    )
