"""What the navigation bar's search finds: indicators, regions, SKPDs, domains and pages.

The index is built from the catalogue (names in both languages, codes, synonyms; both
region code systems; region names with and without "Kabupaten/Kab./Kota"), served as JSON
at ``/_odsk/search-<lang>.json?v=<digest>`` (cached for a year, fetched on the first
keystroke) and matched in the browser (``assets/navigation.js``): every word typed must
start a word of an entry's terms. Terms are folded here (lower case, no accents, "." and
"-" as spaces) so the browser only folds what is typed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

import flask

from dashboard import i18n
from dashboard.catalogue.models import DOMAIN_ORDER, Catalogue, Region

ROUTE = "/_odsk/search-<lang>.json"
# Desktop pages, by their navigation label.
PAGES = (
    ("nav.overview", "/"),
    ("nav.brief", "/brief"),
    ("nav.alerts", "/alerts"),
    ("nav.followup", "/followup"),
    ("nav.sources", "/ops/sources"),
    ("nav.compliance", "/ops/compliance"),
    ("nav.upload", "/ops/upload"),
    ("nav.screens", "/ops/screens"),
    ("nav.wall", "/wall"),
)
_KIND_PREFIX = {"regency": ("kabupaten", "kab"), "city": ("kota",), "province": ("provinsi",)}


@dataclass(frozen=True)
class Entry:
    kind: str  # indicator, region, skpd, domain, page
    label: str  # in the page's language
    hint: str  # code, domain, kind: what tells two similar entries apart
    href: str
    terms: str  # folded words to match, both languages


def fold(text: str) -> str:
    """Lower case, accents off, punctuation as spaces: "Kab. Minahasa-Utara" → "kab minahasa utara"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _terms(*parts: str | None) -> str:
    words: list[str] = []
    for part in parts:
        if part:
            for word in fold(part).split():
                if word not in words:
                    words.append(word)
    return " ".join(words)


def _link(path: str, lang: str, fragment: str = "") -> str:
    query = "?" + urlencode({"lang": "en"}) if lang == "en" else ""
    return path + query + fragment


def region_names(region: Region) -> list[str]:
    """A region's names as people write them: "Kab. Minahasa Utara", "Kabupaten Minahasa
    Utara", "Minahasa Utara", its aliases ("Minut"), its English name."""
    bare = region.short_name
    names = [region.name, bare, *(f"{p} {bare}" for p in _KIND_PREFIX[region.kind])]
    names += [*region.aliases, region.name_en or "", region.short_name_en or ""]
    return [n for n in names if n]


def build_index(catalogue: Catalogue, lang: str) -> list[Entry]:
    lang = i18n.language(lang)
    entries: list[Entry] = []
    domains = {d.id: d for d in catalogue.domains}
    for ind in catalogue.indicators:
        domain_name = domains[ind.domain].name.get(lang)
        entries.append(
            Entry(
                "indicator",
                ind.name.get(lang),
                f"{ind.code} · {domain_name}",
                _link(f"/indicator/{ind.code}", lang),
                _terms(ind.name.id, ind.name.en, ind.code, *ind.synonyms),
            )
        )
    for region in catalogue.regions:
        kind = i18n.label(f"analyst.kind.{region.kind}", lang)
        codes = f"{region.code} · BPS {region.bps_code}"
        path = "/" if region.kind == "province" else f"/region/{region.code}"
        entries.append(
            Entry(
                "region",
                region.label(lang),
                f"{kind} · {codes}",
                _link(path, lang),
                _terms(*region_names(region), region.code, region.bps_code),
            )
        )
    for skpd in catalogue.skpd:
        entries.append(
            Entry(
                "skpd",
                skpd.short_name,
                skpd.name,
                _link("/ops/compliance", lang, f"#skpd-{skpd.id}"),
                _terms(skpd.short_name, skpd.name, skpd.id),
            )
        )
    for domain in sorted(catalogue.domains, key=lambda d: DOMAIN_ORDER.index(d.id)):
        entries.append(
            Entry(
                "domain",
                domain.name.get(lang),
                domain.tagline.get(lang),
                _link(f"/domain/{domain.id}", lang),
                _terms(
                    domain.name.id,
                    domain.name.en,
                    domain.tagline.id,
                    domain.tagline.en,
                    *(a.name.id for a in domain.applications),
                    *(a.name.en for a in domain.applications),
                ),
            )
        )
    for key, path in PAGES:
        entries.append(
            Entry(
                "page",
                i18n.label(key, lang),
                path,
                _link(path, lang),
                _terms(i18n.LABELS["id"][key], i18n.LABELS["en"][key], path.replace("/", " ")),
            )
        )
    return entries


def matches(entries: list[Entry], query: str) -> list[Entry]:
    """What the browser shows for ``query`` (the same rule as ``assets/navigation.js``):
    every typed word starts a word of the entry's terms; entries whose label starts with
    the query come first, then the catalogue's order."""
    words = fold(query).split()
    if not words:
        return []
    found = []
    for entry in entries:
        terms = entry.terms.split()
        if all(any(t.startswith(w) for t in terms) for w in words):
            found.append(entry)
    head = fold(query)
    return sorted(found, key=lambda e: not fold(e.label).startswith(head))


EXTENSION_KEY = "odsk_search"


def payload(catalogue: Catalogue, lang: str) -> str:
    labels = {
        "kinds": {
            k: i18n.label(f"nav.kind.{k}", lang)
            for k in ("indicator", "region", "skpd", "domain", "page")
        },
        "none": i18n.label("nav.search.none", lang),
    }
    return json.dumps(
        {"labels": labels, "entries": [asdict(e) for e in build_index(catalogue, lang)]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _built(catalogue: Catalogue, lang: str) -> tuple[str, str]:
    """(body, versioned address) of the index of what ``catalogue`` holds.

    ``catalogue`` is the request's (cut to what its principal may read), so a name one may
    not see is never in one's index; there are few distinct cuts, each built once per process.
    """
    cache: dict[tuple[str, frozenset[str]], tuple[str, str]] = (
        flask.current_app.extensions.setdefault(EXTENSION_KEY, {})
    )
    key = (lang, frozenset(i.code for i in catalogue.indicators))
    if key not in cache:
        body = payload(catalogue, lang)
        digest = hashlib.sha256(body.encode()).hexdigest()[:12]
        cache[key] = (body, f"/_odsk/search-{lang}.json?v={digest}")
    return cache[key]


def index_url(lang: str, catalogue: Catalogue) -> str:
    """The index's address, versioned by its content (so browsers keep it for a year)."""
    return _built(catalogue, i18n.language(lang))[1]


def index_response(lang: str, catalogue: Catalogue) -> flask.Response:
    """The index for the request's catalogue; an unknown language is a 404."""
    if lang not in i18n.LANGUAGES:
        flask.abort(404)
    response = flask.Response(_built(catalogue, lang)[0], mimetype="application/json")
    response.headers["Vary"] = "Cookie"  # what it lists depends on who asks
    return response
