"""The public open-data pages' frame and words: no sign-in, Bahasa Indonesia first.

Not a page itself. The frame is lighter than ``shell.page_shell``: nothing a visitor may
not open (no navigation search, which reads the signed-in catalogue), the language toggle
that keeps the URL, a sign-in link, one ``<main>`` landmark.
"""

from __future__ import annotations

from dash import html

from dashboard import i18n
from dashboard.access import current_principal
from layouts.shell import href

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "brand": "Satu Data Sulawesi Utara",
        "nav.catalogue": "Katalog data",
        "nav.api": "API",
        "nav.signin": "Masuk",
        "nav.main": "Navigasi data terbuka",
        "nav.switch": "English",
        "title.catalogue": "Katalog Data Terbuka",
        "intro": "Data terbuka Pemerintah Provinsi Sulawesi Utara dari Command Centre ODSK, dengan metadata Satu Data Indonesia. Semua dataset di sini boleh dipakai ulang dengan menyebut sumbernya.",
        "search": "Cari dataset",
        "search.placeholder": "mis. stunting, inflasi, IPM",
        "filter.domain": "Bidang",
        "filter.skpd": "Produsen data (SKPD)",
        "filter.region": "Wilayah",
        "filter.frequency": "Frekuensi",
        "filter.any": "Semua",
        "filter.submit": "Terapkan",
        "filter.reset": "Hapus pilihan",
        "found": "{n} dataset",
        "none": "Tidak ada dataset yang cocok dengan pilihan ini.",
        "card.producer": "Produsen",
        "card.latest": "Periode terakhir",
        "card.updated": "Diperbarui",
        "harvest": "Untuk portal dan pemanen metadata:",
        "harvest.dcat": "katalog DCAT (JSON-LD)",
        "harvest.ckan": "API CKAN",
        "harvest.api": "dokumentasi API",
        "freq.daily": "Harian",
        "freq.monthly": "Bulanan",
        "freq.quarterly": "Triwulanan",
        "freq.yearly": "Tahunan",
        "freq.event": "Per kejadian",
        "meta.title": "Metadata",
        "meta.id": "Kode dataset",
        "meta.definition": "Definisi",
        "meta.unit": "Satuan",
        "meta.frequency": "Frekuensi",
        "meta.calculation": "Cara penghitungan",
        "meta.producer": "Produsen data",
        "meta.walidata": "Walidata",
        "meta.domain": "Bidang",
        "meta.regions": "Kode wilayah",
        "meta.regions.summary": "{n} wilayah: kode Kemendagri dan BPS",
        "meta.last_update": "Pembaruan terakhir",
        "meta.next_update": "Pembaruan berikutnya",
        "meta.latest_period": "Periode terakhir",
        "meta.none": "—",
        "chart.title": "Nilai provinsi dari waktu ke waktu",
        "chart.empty": "Belum ada data provinsi.",
        "table.title": "Nilai per wilayah, {period}",
        "table.kemendagri": "Kode Kemendagri",
        "table.bps": "Kode BPS",
        "table.region": "Wilayah",
        "table.value": "Nilai ({unit})",
        "downloads": "Unduh data",
        "download.csv": "CSV",
        "download.json": "JSON",
        "download.xlsx": "Excel",
        "download.note": "Sampai {n} baris per berkas; untuk data lebih besar gunakan API (kursor halaman).",
        "back": "Katalog data",
        "unknown": "Dataset {code} tidak ada di katalog data terbuka.",
        "not_found": "Tidak ditemukan",
    },
    "en": {
        "brand": "North Sulawesi One Data",
        "nav.catalogue": "Data catalogue",
        "nav.api": "API",
        "nav.signin": "Sign in",
        "nav.main": "Open data navigation",
        "nav.switch": "Bahasa Indonesia",
        "title.catalogue": "Open Data Catalogue",
        "intro": "Open data of the Provincial Government of North Sulawesi from the ODSK Command Centre, with Indonesia's One Data (Satu Data) metadata. Every dataset here may be reused with attribution.",
        "search": "Search datasets",
        "search.placeholder": "e.g. stunting, inflation, HDI",
        "filter.domain": "Domain",
        "filter.skpd": "Data producer (SKPD)",
        "filter.region": "Region",
        "filter.frequency": "Frequency",
        "filter.any": "All",
        "filter.submit": "Apply",
        "filter.reset": "Clear filters",
        "found": "{n} datasets",
        "found.one": "{n} dataset",
        "none": "No dataset matches these filters.",
        "card.producer": "Producer",
        "card.latest": "Latest period",
        "card.updated": "Updated",
        "harvest": "For portals and metadata harvesters:",
        "harvest.dcat": "DCAT catalogue (JSON-LD)",
        "harvest.ckan": "CKAN API",
        "harvest.api": "API documentation",
        "freq.daily": "Daily",
        "freq.monthly": "Monthly",
        "freq.quarterly": "Quarterly",
        "freq.yearly": "Yearly",
        "freq.event": "Per event",
        "meta.title": "Metadata",
        "meta.id": "Dataset code",
        "meta.definition": "Definition",
        "meta.unit": "Unit",
        "meta.frequency": "Frequency",
        "meta.calculation": "Calculation",
        "meta.producer": "Data producer",
        "meta.walidata": "Data steward (walidata)",
        "meta.domain": "Domain",
        "meta.regions": "Region codes",
        "meta.regions.summary": "{n} regions: Kemendagri and BPS codes",
        "meta.last_update": "Last update",
        "meta.next_update": "Next expected update",
        "meta.latest_period": "Latest period",
        "meta.none": "—",
        "chart.title": "Province value over time",
        "chart.empty": "No province data yet.",
        "table.title": "Values by region, {period}",
        "table.kemendagri": "Kemendagri code",
        "table.bps": "BPS code",
        "table.region": "Region",
        "table.value": "Value ({unit})",
        "downloads": "Download the data",
        "download.csv": "CSV",
        "download.json": "JSON",
        "download.xlsx": "Excel",
        "download.note": "Up to {n} rows per file; for larger data use the API (cursor pages).",
        "back": "Data catalogue",
        "unknown": "There is no dataset {code} in the open data catalogue.",
        "not_found": "Not found",
    },
}


def label(key: str, lang: str, **values: object) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


def public_shell(lang: str, path: str, children, query: dict | None = None) -> html.Div:
    query = {k: v for k, v in (query or {}).items() if k != "lang" and v}
    other = "id" if lang == "en" else "en"
    signed_in = current_principal().signed_in
    links = [
        html.Li(
            html.A(label("nav.catalogue", lang), href=href("/data", lang), className="nav-link"),
            className="nav-item",
        ),
        html.Li(
            html.A(label("nav.api", lang), href=href("/api/v1/docs", lang), className="nav-link"),
            className="nav-item",
        ),
        html.Li(
            html.A(
                label("nav.switch", lang),
                id="nav-language",
                href=href(path, other, **query),
                lang=other,
                hrefLang=other,
                className="nav-link",
            ),
            className="nav-item",
        ),
    ]
    if not signed_in:
        links.append(
            html.Li(
                html.A(label("nav.signin", lang), href=href("/login", lang), className="nav-link"),
                className="nav-item",
            )
        )
    return html.Div(
        lang=lang,
        className="odsk-page odsk-public",
        children=[
            html.Nav(
                className="navbar navbar-dark bg-dark mb-3 border-bottom odsk-public-nav",
                **{"aria-label": label("nav.main", lang)},
                children=html.Div(
                    className="container-fluid flex-wrap",
                    children=[
                        html.A(
                            label("brand", lang), href=href("/data", lang), className="navbar-brand"
                        ),
                        html.Ul(links, className="navbar-nav flex-row flex-wrap gap-3"),
                    ],
                ),
            ),
            html.Main(className="container-fluid pb-4", id="main", children=children),
        ],
    )
