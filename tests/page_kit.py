"""Every page of the product in a real browser: a store that fills every page, the list of
pages, and the checks run on each (language leaks, raw keys, sideways scrolling, axe).

The word lists of the language check are built from the message tables (every
``{"id": {…}, "en": {…}}`` table and the catalogue's texts): a word that only the Indonesian
side uses must not be seen on an English page, and the reverse.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import clock_kit
from scorecard_kit import simulated_store
from sqlalchemy import insert

from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.store.schema import Alert, CollectionRun, QuarantinedRow
from dashboard.webapp import create_app

TOOLS = PROJECT_ROOT / "tools"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"

# path → a selector that exists once the page's data is drawn
PAGES: dict[str, str] = {
    "/": ".sc-row",
    "/brief": ".odsk-brief",
    "/domain/living": ".odsk-analyst",
    "/indicator/LIV.STUNTING": "#ind-series .main-svg",
    "/region/71.71": "#region-title",
    "/provenance/1": ".odsk-page main h1",
    "/alerts": "#alerts-active",
    "/followup": "#fu-count",
    "/ops/sources": ".odsk-page main h1",
    "/ops/compliance": "#compliance-since",
    "/ops/upload": ".odsk-page main h1",
    "/ops/screens": ".odsk-page main h1",
    "/data": ".odsk-dataset-card",
    "/data/LIV.STUNTING": "#data-chart .main-svg",
}
MOBILE_PAGES = (
    "/",
    "/brief",
    "/domain/living",
    "/indicator/LIV.STUNTING",
    "/region/71.71",
    "/alerts",
    "/data",
    "/data/LIV.STUNTING",
    "/followup",  # last: the menu checks after the loop need the signed-in navigation
)


def unknown_region_row(run_id: int, source_id: str, row_number: int) -> dict:
    """A quarantined row: a region code no one knows, with its reasons in both languages."""
    return {
        "run_id": run_id,
        "source_id": source_id,
        "row_number": row_number,
        "raw": {"kode_wilayah": "99.99"},
        "reasons": [
            {
                "column": "kode_wilayah",
                "value": "99.99",
                "reason_id": "wilayah '99.99' tidak dikenal",
                "reason_en": "region '99.99' is unknown",
            }
        ],
    }


def sample_alerts(now: datetime, failing) -> list[dict]:
    """Two open alerts, titled in both languages: a strong earthquake, a failing collector."""
    base = {"state": "firing", "details": {}, "resolved_at": None}
    return [
        {
            **base,
            "rule_id": "earthquake",
            "subject": "event:1",
            "severity": "critical",
            "title_id": "Gempa M6,1, 85 km dari Manado",
            "title_en": "Earthquake M6.1, 85 km from Manado",
            "fired_at": now - timedelta(minutes=3),
        },
        {
            **base,
            "rule_id": "source-failing",
            "subject": f"source:{failing.id}",
            "severity": "warning",
            "title_id": f"Kolektor {failing.name} gagal 3 kali berturut-turut",
            "title_en": f"Collector {failing.name} failed 3 times in a row",
            "fired_at": now - timedelta(minutes=9),
        },
    ]


def page_store(url: str, catalogue, now: datetime | None = None):
    """History of every indicator, fresh runs, a failing and a partly rejected source, open
    and resolved alerts: every page has something to show."""
    now = now or clock_kit.now()
    engine = simulated_store(url, catalogue, now, skip_latest={"LIV.JKN"}, dead={"dlh-ispu"})
    failing, partial = catalogue.sources[1], catalogue.sources[2]
    with engine.begin() as conn:
        conn.execute(
            insert(CollectionRun).values(
                source_id=failing.id,
                trigger="schedule",
                status="failed",
                error_class="http",
                message="HTTP 503 from http://127.0.0.1:9/api/data?key=secret: Service Unavailable",
                started_at=now - timedelta(minutes=40),
                finished_at=now - timedelta(minutes=39),
            )
        )
        run = conn.execute(
            insert(CollectionRun)
            .values(
                source_id=partial.id,
                trigger="schedule",
                status="partial",
                rows_accepted=38,
                rows_rejected=1,
                message="1 of 39 rows rejected",
                started_at=now - timedelta(minutes=5),
                finished_at=now - timedelta(minutes=4),
            )
            .returning(CollectionRun.id)
        ).scalar_one()
        conn.execute(insert(QuarantinedRow).values(**unknown_region_row(run, partial.id, 3)))
        conn.execute(insert(Alert), sample_alerts(now, failing))
    return engine


def page_app(url: str, data_dir: Path):
    return create_app(
        Settings(database_url=url, data_dir=data_dir, config_dir=PROJECT_ROOT / "config")
    )


# --- what the page shows ------------------------------------------------------------------

# Visible text plus what a person reads without it being body text: placeholders, tooltips,
# labels of controls.
VISIBLE_TEXT = """
const out = [document.title, document.body.innerText];
for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    for (const a of ['placeholder', 'title', 'aria-label']) { const v = el.getAttribute(a); if (v) out.push(v); }
}
return out.join('\\n');
"""

HORIZONTAL_OVERFLOW = """
const root = document.scrollingElement || document.documentElement;
const wide = [];
if (root.scrollWidth > root.clientWidth + 1) {
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > root.clientWidth + 1 && r.width > 0) {
            let clipped = false;
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                const s = getComputedStyle(p);
                if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= root.clientWidth + 1) { clipped = true; break; }
            }
            if (!clipped) wide.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.')) + ' right=' + Math.round(r.right));
        }
        if (wide.length > 8) break;
    }
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide};
}
return null;
"""

# Interactive things smaller than 44 × 44 CSS px (WCAG 2.5.5), except links inside running text.
SMALL_TARGETS = """
const small = [];
for (const el of document.querySelectorAll('a[href], button, select, input:not([type=hidden]), [role=button], summary')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (el.closest('p, li.sc-item, td, .breadcrumb, .js-plotly-plot, .ag-root-wrapper, .odsk-search-results')) continue;
    // Checkboxes count with their labels; a stretched link's target is its whole card; Dash's
    // dropdown keeps an invisible input over its button (the button is the target).
    if (el.matches('input[type=checkbox], input[type=radio], .stretched-link, .dash-dropdown-focus-target')) continue;
    if (r.height < 43.5 || r.width < 43.5)
        small.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].slice(0, 2).join('.')) + ` ${Math.round(r.width)}x${Math.round(r.height)} "${(el.innerText || el.value || '').trim().slice(0, 20)}"`);
}
return small;
"""


def message_tables() -> list[dict[str, dict[str, str]]]:
    """Every bilingual table of the product."""
    from dashboard import grid_locale, i18n
    from dashboard.alerts import wording
    from dashboard.scorecard import labels
    from dashboard.views import alerts, followup, ops, upload

    tables = [
        i18n.LABELS,
        labels.LABELS,
        alerts.LABELS,
        ops.LABELS,
        upload.LABELS,
        followup.LABELS,
    ]
    tables += [
        value
        for value in vars(wording).values()
        if isinstance(value, dict) and set(value) == {"id", "en"}
    ]
    tables.append({"id": grid_locale.INDONESIAN, "en": {}})
    return tables


def catalogue_texts(catalogue) -> dict[str, list[str]]:
    """The catalogue's bilingual texts, per language, and what is the same in both."""
    out: dict[str, list[str]] = {"id": [], "en": [], "both": []}

    def text(t) -> None:
        if t is None:
            return
        out["id"].append(t.id)
        out["en"].append(t.en)
        if t.en_one:
            out["en"].append(t.en_one)

    for d in catalogue.domains:
        text(d.name)
        text(d.tagline)
        for a in d.applications:
            text(a.name)
    for ind in catalogue.indicators:
        text(ind.name)
        text(ind.unit)
        text(ind.description)
        out["both"] += ind.synonyms
    for r in catalogue.regions:
        out["both"] += [r.name, r.short_name, *r.aliases]
        out["en"] += [r.name_en or "", r.short_name_en or ""]
    for s in catalogue.skpd:
        out["both"] += [s.name, s.short_name]
    for s in catalogue.sources:
        out["both"] += [getattr(s, "name", "") or ""]
    return out


WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def _words(texts) -> set[str]:
    found: set[str] = set()
    for t in texts:
        text = re.sub(r"\{[^}]*\}", " ", t)  # placeholders are not words
        found.update(w.lower() for w in WORD.findall(text))
    return found


def language_words(catalogue) -> dict[str, set[str]]:
    """Words only one language uses: ``{"id": only-Indonesian, "en": only-English}``."""
    texts: dict[str, list[str]] = {"id": [], "en": []}
    for table in message_tables():
        for lang in ("id", "en"):
            texts[lang] += list(table[lang].values())
    cat = catalogue_texts(catalogue)
    texts["id"] += cat["id"]
    texts["en"] += cat["en"]
    both = _words(cat["both"])
    id_words, en_words = _words(texts["id"]), _words(texts["en"])
    return {"id": id_words - en_words - both, "en": en_words - id_words - both}


def message_keys() -> set[str]:
    return {k for table in message_tables() for k in table["id"] if "." in k}


RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+(?:\.[a-z_]+){1,3}\b")


# Identifiers (codes, ids, paths: "LIV.PUTUS-SEKOLAH", "dikda-rekap-sekolah", "/wall?monitor=dinding-1")
# are the same in both languages: they are not words of either.
IDENTIFIER = re.compile(r"(?:/[\w-]+)+(?:\?\S*)?|\w+(?:[-_./?=&:]\w+)+")


def leaks(text: str, lang: str, words: dict[str, set[str]], keys: set[str]) -> list[str]:
    """Words of the other language and raw keys in a page's visible text."""
    other = words["en" if lang == "id" else "id"]
    prose = IDENTIFIER.sub(" ", text)
    found = sorted({w for w in WORD.findall(prose) if w.lower() in other})
    raw = sorted(
        {
            m
            for m in RAW_KEY.findall(text)
            if m in keys or ("_" in m and not m.startswith(("http", "www")))
        }
    )
    junk = [j for j in ("undefined", "NaN", "None", "null", "[object Object]") if j in text.split()]
    return found + [f"raw key {k}" for k in raw] + [f"junk {j}" for j in junk]


# --- axe-core -----------------------------------------------------------------------------


def ensure_axe() -> Path:
    """axe-core from tools/ (``make test`` installs it with ``npm ci`` from the committed lock)."""
    assert AXE.exists(), f"{AXE} is missing: run 'make tools' (npm ci in tools/)"
    return AXE


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')
))).catch(e => done(['axe failed: ' + e]));
"""


def axe_violations(driver) -> list[str]:
    if not driver.execute_script("return typeof axe !== 'undefined'"):
        driver.execute_script(ensure_axe().read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(AXE_RUN)
