"""AG Grid's own words (pagination, filters, sorting, screen-reader labels) in the page's language.

AG Grid ships no Indonesian locale, so the keys a community grid shows are translated
here; English keeps AG Grid's defaults except for a few made to read as sentences.
Use: ``dashGridOptions={"localeText": grid_locale.locale_text(lang), ...}``.
"""

from __future__ import annotations

from dashboard import i18n

INDONESIAN: dict[str, str] = {
    # pagination
    "page": "Halaman",
    "more": "lainnya",
    "to": "sampai",
    "of": "dari",
    "next": "Berikutnya",
    "last": "Terakhir",
    "first": "Pertama",
    "previous": "Sebelumnya",
    "firstPage": "Halaman pertama",
    "previousPage": "Halaman sebelumnya",
    "nextPage": "Halaman berikutnya",
    "lastPage": "Halaman terakhir",
    "pageLastRowUnknown": "?",
    "pageSizeSelectorLabel": "Baris per halaman:",
    "ariaPageSizeSelectorLabel": "Baris per halaman",
    "loadingOoo": "Memuat…",
    "loadingError": "Gagal memuat",
    "noRowsToShow": "Tidak ada baris",
    # filters
    "filterOoo": "Saring…",
    "searchOoo": "Cari…",
    "selectAll": "(Pilih semua)",
    "blanks": "(Kosong)",
    "noMatches": "Tidak ada yang cocok",
    "equals": "Sama dengan",
    "notEqual": "Tidak sama dengan",
    "blank": "Kosong",
    "notBlank": "Tidak kosong",
    "empty": "Pilih satu",
    "lessThan": "Kurang dari",
    "greaterThan": "Lebih dari",
    "lessThanOrEqual": "Kurang dari atau sama dengan",
    "greaterThanOrEqual": "Lebih dari atau sama dengan",
    "inRange": "Di antara",
    "inRangeStart": "Dari",
    "inRangeEnd": "Sampai",
    "contains": "Memuat",
    "notContains": "Tidak memuat",
    "startsWith": "Diawali",
    "endsWith": "Diakhiri",
    "dateFormatOoo": "hh/bb/tttt",
    "before": "Sebelum",
    "after": "Sesudah",
    "andCondition": "DAN",
    "orCondition": "ATAU",
    "applyFilter": "Terapkan",
    "resetFilter": "Atur ulang",
    "clearFilter": "Hapus",
    "cancelFilter": "Batal",
    "columnFilter": "Saringan kolom",
    # sorting
    "sortAscending": "Urutkan naik",
    "sortDescending": "Urutkan turun",
    "sortUnSort": "Hapus urutan",
    # screen readers
    "ariaChecked": "dicentang",
    "ariaUnchecked": "tidak dicentang",
    "ariaColumn": "Kolom",
    "ariaColumnFiltered": "Kolom disaring",
    "ariaFilterActive": "Saringan aktif",
    "ariaFilterInput": "Masukan saringan",
    "ariaFilterValue": "Nilai saringan",
    "ariaFilterFromValue": "Saring dari nilai",
    "ariaFilterToValue": "Saring sampai nilai",
    "ariaFilterList": "Daftar saringan",
    "ariaFilterMenuOpen": "Buka menu saringan",
    "ariaFilteringOperator": "Operator saringan",
    "ariaDateFilterInput": "Masukan tanggal saringan",
    "ariaHidden": "tersembunyi",
    "ariaVisible": "terlihat",
    "ariaSearch": "Cari",
    "ariaSearchFilterValues": "Cari nilai saringan",
    "ariaMenuColumn": "Tekan ALT BAWAH untuk membuka menu kolom",
    "ariaFilterColumn": "Tekan CTRL ENTER untuk membuka saringan",
    "ariaSortableColumn": "Tekan ENTER untuk mengurutkan",
    "ariaLabelColumnMenu": "Menu kolom",
    "ariaLabelColumnFilter": "Saringan kolom",
    "ariaLabelDialog": "Dialog",
    "ariaLabelSelectField": "Pilihan",
    "ariaLabelTooltip": "Keterangan",
    "ariaLabelContextMenu": "Menu konteks",
}

ENGLISH: dict[str, str] = {
    "pageSizeSelectorLabel": "Rows per page:",
    "ariaPageSizeSelectorLabel": "Rows per page",
    "noRowsToShow": "No rows to show",
    "loadingOoo": "Loading…",
}


def locale_text(lang: str) -> dict[str, str]:
    return ENGLISH if i18n.language(lang) == "en" else INDONESIAN
