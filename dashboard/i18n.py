"""Labels in Bahasa Indonesia (default) and English; numbers, periods, ages and times per locale.

All number and date formatting goes through Babel so "1.234,5" and "Okt 2026" come from
CLDR, never from string replacement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.numbers import format_decimal

from dashboard.catalogue.periods import WITA

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
# One minus sign on every page, chart and document: CLDR's id/en use the hyphen-minus.
MINUS = "\u2212"

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

LABELS: dict[str, dict[str, str]] = {
    "id": {
        # input refused at the edge (dashboard/store/limits.py, dashboard/edge_limits.py)
        "input.too_long": "{field} terlalu panjang: {length} karakter, paling banyak {limit}. Persingkat lalu kirim lagi.",
        "input.field.ack_note": "Catatan pengakuan",
        "input.field.silence_reason": "Alasan senyap",
        "input.field.shift_note": "Catatan log shift",
        "input.too_large": "Permintaan terlalu besar: paling banyak {mb} MB.",
        "input.heartbeat": "Laporan layar ditolak: {problem}",
        "input.upload_source": "Sumber {source} tidak dikenal atau tidak menerima unggahan.",
        "input.not_stored": "Tidak tersimpan: basis data atau folder data tidak menerima tulisan saat ini. Coba lagi nanti atau hubungi operator.",
        "readonly.banner": "Mode baca saja: folder data server tidak dapat ditulis. Halaman menampilkan data terakhir; tidak ada yang disimpan sampai operator memperbaikinya.",
        # a failed collection run, told to a person (dashboard/run_errors.py)
        "run_error.http": "Sumber {source} tidak menjawab (HTTP {status})",
        "run_error.timeout": "Sumber {source} tidak menjawab tepat waktu",
        "run_error.connection": "Sumber {source} tidak dapat dihubungi",
        "run_error.auth": "Sumber {source} menolak akses (kunci atau izin)",
        "run_error.schema": "Data dari {source} tidak sesuai format yang diharapkan",
        "run_error.too_large": "Data dari {source} melebihi batas ukuran",
        "run_error.deadline": "Pengambilan dari {source} melewati batas waktunya",
        "run_error.abandoned": "Pengambilan dari {source} terhenti (penjadwal berhenti)",
        "run_error.store": "Data dari {source} tidak dapat disimpan",
        "run_error.other": "Pengambilan dari {source} gagal",
        "run_error.since": "sejak {time}",
        "run_error.detail": "Rincian teknis",
        "run_error.streak": "{n} kali berturut-turut",
        "page.loading": "Memuat…",
        "run.trigger.schedule": "terjadwal",
        "run.trigger.manual": "manual",
        "run.trigger.replay": "ulang dari arsip",
        "run.trigger.upload": "unggahan",
        "run.trigger.backfill": "isi ulang riwayat",
        "run.status.ok": "berhasil",
        "run.status.partial": "sebagian",
        "run.status.failed": "gagal",
        "run.status.running": "berjalan",
        # navigation bar (every desktop page) and its search
        "nav.overview": "Ringkasan",
        "nav.brief": "Ringkasan pengecualian",
        "nav.domains": "Domain",
        "nav.alerts": "Peringatan",
        "nav.sources": "Sumber data",
        "nav.compliance": "Kepatuhan SKPD",
        "nav.upload": "Unggah data",
        "nav.wall": "Dinding video",
        "nav.screens": "Layar dinding video",
        "nav.audit": "Jejak audit",
        "nav.followup": "Tindak lanjut",
        "nav.ops": "Operasi",
        "nav.signout": "Keluar",
        "nav.switch": "English",
        "nav.menu": "Buka atau tutup menu",
        "nav.main": "Navigasi utama",
        "nav.search": "Cari indikator, wilayah, SKPD, halaman",
        "nav.search.placeholder": "Cari… ( / )",
        "nav.search.none": "Tidak ada yang cocok",
        "nav.search.count": "{n} hasil; panah atas/bawah untuk memilih, Enter untuk membuka",
        "nav.kind.indicator": "Indikator",
        "nav.kind.region": "Wilayah",
        "nav.kind.skpd": "SKPD",
        "nav.kind.page": "Halaman",
        "nav.kind.domain": "Domain",
        "wall.title": "Command Centre ODSK — Provinsi Sulawesi Utara",
        "wall.screen.overview": "Ringkasan",
        "wall.screen.alerts": "Peringatan aktif",
        "wall.screen.disaster": "e-Disaster — Gempa bumi",
        "wall.offline": "Koneksi ke server terputus — menyambung ulang…",
        "wall.store_down": "Basis data tidak terjangkau — angka mungkin usang",
        "wall.takeover.resume": "Kembali ke putaran dalam {time}",
        "wall.takeover.name": "Peringatan darurat",
        "wall.takeover.quake": "GEMPA BUMI",
        "wall.takeover.alert": "PERINGATAN KRITIS",
        "wall.takeover.more": "+{n} peringatan kritis lainnya",
        "wall.quake.latest": "Gempa terkini",
        "wall.quake.magnitude": "Magnitudo",
        "wall.quake.depth": "Kedalaman",
        "wall.quake.km": "{km} km",
        "wall.quake.distance": "{km} km dari {origin}",
        "wall.quake.at": "Koordinat {lat}, {lon}",
        "wall.quake.tsunami.none": "Tidak berpotensi tsunami",
        "wall.quake.tsunami.possible": "Berpotensi tsunami",
        "wall.quake.tsunami.unknown": "Potensi tsunami belum diketahui",
        "wall.quake.none": "Tidak ada gempa tercatat dalam {days} hari terakhir",
        "wall.quake.period": "{days} hari terakhir",
        "wall.quake.count": "{n} gempa",
        "wall.quake.strong": "{n} gempa M≥{mag} dalam {km} km",
        "wall.quake.outside": "{n} di luar peta",
        "wall.legend.day": "< 24 jam",
        "wall.legend.window": "1–3 hari",
        "wall.legend.old": "> 3 hari",
        "wall.legend.size": "ukuran = magnitudo",
        "wall.legend.rings": "lingkaran = jarak dari {origin}",
        "wall.alerts.none": "Tidak ada peringatan aktif",
        "wall.alerts.more": "+{n} lainnya",
        "wall.alerts.acked": "diakui {who}",
        "wall.alerts.period": "peringatan terbuka saat ini",
        "wall.alerts.evaluated": "dievaluasi {age}",
        "wall.alerts.never": "penjadwal belum melapor",
        "wall.severity.critical": "Kritis",
        "wall.severity.warning": "Waspada",
        "wall.severity.info": "Info",
        "wall.grid.title": "Dinding video {cols}×{rows}",
        "wall.ops.title": "Layar dinding video",
        "wall.ops.intro": "Setiap peramban dinding video melapor setiap {n} detik.",
        "wall.ops.screen": "Layar",
        "wall.ops.status": "Status",
        "wall.ops.seen": "Terakhir terlihat",
        "wall.ops.resolution": "Resolusi",
        "wall.ops.playing": "Sedang tampil",
        "wall.ops.page": "Halaman",
        "wall.ops.actions": "Tindakan",
        "wall.ops.online": "aktif",
        "wall.ops.offline": "tidak aktif",
        "wall.ops.reconnecting": "menyambung ulang",
        "wall.ops.reload": "Muat ulang",
        "wall.ops.forget": "Lupakan",
        "wall.ops.pending": "menunggu muat ulang",
        "wall.ops.reload_sent": "Perintah muat ulang untuk {id} dikirim; layar memuat ulang pada detak berikutnya.",
        "wall.ops.forgotten": "{id} dihapus dari daftar.",
        "wall.ops.none": "Belum ada layar dinding video yang melapor.",
        "wall.ops.monitors": "Alamat per monitor",
        "status.on_track": "Sesuai target",
        "status.at_risk": "Berisiko",
        "status.behind": "Tertinggal",
        "status.no_target": "Tanpa target",
        "status.no_data": "Belum ada data",
        "target": "target {value}",
        "target.band": "rentang {low}–{high}",
        "change.none": "belum ada pembanding",
        "change.vs": "vs {period}",
        "age.fetched": "diambil {age}",
        "age.ago": "{span} lalu",
        "age.now": "baru saja",
        "age.stale": "TERLAMBAT",
        "age.unknown": "waktu pengambilan tidak diketahui",
        "health.ok": "{n} sumber OK",
        "health.failing": "{n} gagal",
        "health.never": "{n} belum pernah jalan",
        "health.attention": "{n} terlambat atau tidak stabil",
        "legend": "Keterangan",
        "no_headline": "Belum ada indikator utama",
        # analyst pages (domain, indicator, region, provenance)
        "analyst.not_found": "Tidak ditemukan",
        "analyst.back_home": "Kembali ke ringkasan",
        "store_down": "Basis data tidak dapat dihubungi; coba lagi sebentar lagi.",
        "analyst.unknown_domain": "Domain '{domain}' tidak dikenal.",
        "analyst.unknown_indicator": "Indikator '{code}' tidak ada di katalog.",
        "analyst.unknown_region": "Wilayah '{code}' bukan kabupaten/kota Sulawesi Utara.",
        "analyst.series": "Deret waktu",
        "analyst.series_hint": (
            "Titik kosong: periode belum lengkap · belah ketupat: "
            "dihitung dari kab/kota · klik titik untuk asal-usulnya."
        ),
        "analyst.yoy.title": "Perubahan dibanding tahun sebelumnya",
        "analyst.yoy.pp": "poin persen",
        "analyst.yoy.pct": "%",
        "analyst.yoy.short": "y/y",
        "analyst.map": "Peta wilayah",
        "analyst.map_hint": "Warna terang = lebih baik. Klik petak untuk menambah/menghapus wilayah pembanding.",
        "analyst.ranking": "Peringkat kabupaten/kota",
        "analyst.per_capita": "Jumlah dibandingkan per 100.000 penduduk (jumlah · per 100.000).",
        "analyst.per_100k": "{value} per 100.000 penduduk",
        "analyst.ranking_caption": "{period} · {order}",
        "analyst.order.up": "tertinggi lebih baik",
        "analyst.order.down": "terendah lebih baik",
        "analyst.order.band": "paling dekat rentang sehat lebih baik",
        "analyst.rank_of": "peringkat {rank} dari {total}",
        "analyst.annotations": "Catatan pada sumbu waktu",
        "analyst.annot.date": "Tanggal",
        "analyst.annot.date_format": "hh/bb/tttt",
        "analyst.annot.text": "Catatan",
        "analyst.annot.placeholder": "mis. Festival Bunaken, gempa M6,1, kebijakan baru",
        "analyst.annot.author": "Dicatat atas nama",
        "analyst.annot.all": "Berlaku untuk semua indikator",
        "analyst.annot.add": "Tambah catatan",
        "analyst.annot.saved": "Catatan disimpan.",
        "analyst.annot.none": "Belum ada catatan pada rentang ini.",
        "analyst.annot.global": "semua indikator",
        "analyst.annot.err.date": "Isi tanggal yang masuk akal.",
        "analyst.annot.err.text": "Isi catatannya.",
        "analyst.annot.err.too_long": "Catatan paling banyak 500 karakter.",
        "analyst.annot.err.author": "Isi nama analis (paling banyak 100 karakter).",
        "analyst.provenance": "Asal-usul nilai",
        "analyst.prov.hint": (
            "Klik baris tabel atau titik pada grafik untuk melihat dan "
            "sumber, proses pengambilan, data mentah riwayat revisinya."
        ),
        "analyst.prov.made_of": "{n} nilai tersimpan membentuk angka ini:",
        "analyst.prov.derived": "Provinsi tidak melaporkan nilai ini; angka dihitung dari {n} nilai kab/kota:",
        "analyst.prov.none": "Tidak ada nilai tersimpan untuk periode ini.",
        "analyst.prov.value_id": "Nilai",
        "analyst.prov.run": "Proses",
        "analyst.prov.fetched": "Disimpan",
        "analyst.prov.stored": "Disimpan",
        "analyst.prov.replaced": "Diganti",
        "analyst.prov.now": "berlaku",
        "analyst.prov.status": "Status proses",
        "analyst.prov.payload": "Data mentah",
        "analyst.prov.no_payload": "tidak ada arsip",
        "analyst.prov.title": "Asal-usul nilai #{id}",
        "analyst.prov.unknown": "Nilai #{id} tidak ditemukan.",
        "analyst.prov.history": "Riwayat revisi",
        "analyst.prov.history_hint": (
            "Setiap nilai yang pernah berlaku, dengan proses pengambilan dan data "
            "mentah yang menghasilkannya. Baris yang disorot adalah nilai saat ini."
        ),
        "analyst.prov.run_detail": "{trigger} · {accepted} baris diterima, {changed} berubah",
        "analyst.prov.replay_of": "pemutaran ulang proses #{run}",
        "analyst.prov.rejected": "{n} baris ditolak",
        "analyst.table": "Data",
        "analyst.table_hint": "Urutkan dan saring di kepala kolom; ekspor memuat baris yang tampil.",
        "analyst.target": "Target",
        "analyst.basis": "{n} dari {expected} periode",
        "analyst.derived": "dihitung dari kab/kota",
        "analyst.incomplete": "periode belum lengkap",
        "analyst.no_data_range": "Belum ada nilai provinsi pada rentang ini.",
        "analyst.no_data_period": "Belum ada data untuk {period}.",
        "analyst.compare": "Bandingkan dengan kab/kota (maks. {n})",
        "analyst.compare_placeholder": "Hanya provinsi",
        "analyst.grain": "Satuan waktu",
        "analyst.grain.day": "Hari",
        "analyst.grain.month": "Bulan",
        "analyst.grain.quarter": "Triwulan",
        "analyst.grain.year": "Tahun",
        "analyst.range": "Rentang tahun",
        "analyst.unit": "Satuan",
        "analyst.frequency": "Frekuensi",
        "analyst.freq.daily": "harian",
        "analyst.freq.monthly": "bulanan",
        "analyst.freq.quarterly": "triwulanan",
        "analyst.freq.yearly": "tahunan",
        "analyst.freq.event": "kejadian",
        "analyst.direction": "Arah",
        "analyst.dir.up": "naik lebih baik",
        "analyst.dir.down": "turun lebih baik",
        "analyst.dir.band": "dalam rentang",
        "analyst.rule": "Agregasi",
        "analyst.rule.sum": "provinsi = jumlah kab/kota",
        "analyst.rule.mean": "provinsi = rata-rata kab/kota",
        "analyst.rule.weighted_mean": "provinsi = rata-rata tertimbang penduduk",
        "analyst.rule.none": "provinsi melapor sendiri",
        "analyst.time.sum": "periode dijumlahkan",
        "analyst.time.mean": "periode dirata-rata",
        "analyst.time.last": "nilai akhir periode (kumulatif)",
        "analyst.owner": "Wali data",
        "analyst.class.internal": "Internal",
        "analyst.class.restricted": "Terbatas",
        "analyst.class.public": "Publik",
        "analyst.col.region": "Wilayah",
        "analyst.col.code": "Kode",
        "analyst.col.period": "Periode",
        "analyst.col.value": "Nilai",
        "analyst.col.yoy": "Perubahan y/y",
        "analyst.col.basis": "Basis",
        "analyst.col.note": "Keterangan",
        "analyst.col.revision": "Revisi",
        "analyst.col.source": "Sumber",
        "analyst.col.indicator": "Indikator",
        "analyst.col.province": "Provinsi",
        "analyst.col.rank": "Peringkat",
        "analyst.col.position": "Posisi di antara 15 kab/kota",
        "analyst.col.vs_province": "Dibanding provinsi",
        "analyst.vs.better": "lebih baik",
        "analyst.vs.worse": "lebih buruk",
        "analyst.vs.same": "sama",
        "analyst.worse": "buruk",
        "analyst.better": "baik",
        "analyst.kind.regency": "Kabupaten",
        "analyst.kind.city": "Kota",
        "analyst.kind.province": "Provinsi",
        "analyst.region.sub": "{kind} · penduduk {population} jiwa",
        "analyst.region.how": (
            "Setiap indikator pada periode terakhir yang dilaporkan wilayah ini. Titik abu-abu: "
            "kab/kota lain; belah ketupat: provinsi; titik besar: wilayah ini. Kanan lebih baik."
        ),
        "analyst.region.missing": "{n} indikator belum punya data untuk wilayah ini.",
        "analyst.export.indicator": "Indikator",
        "analyst.export.unit": "Satuan",
        "analyst.export.url": "Tampilan",
        "analyst.summed": "{unit}, dijumlah per {grain}",
        # Plotly.js's own words (mode bar), by its English source text: see plotly_locale.py
        "plotly.download_png": "Unduh grafik sebagai PNG",
        "plotly.download": "Unduh grafik",
        "plotly.zoom": "Perbesar area",
        "plotly.pan": "Geser",
        "plotly.zoom_in": "Perbesar",
        "plotly.zoom_out": "Perkecil",
        "plotly.reset_axes": "Atur ulang sumbu",
        "plotly.autoscale": "Skala otomatis",
        "plotly.reset_view": "Atur ulang tampilan",
        "plotly.reset": "Atur ulang",
        "plotly.spikes": "Garis bantu",
        "plotly.closest": "Tampilkan data terdekat",
        "plotly.compare": "Bandingkan data",
        "plotly.box": "Pilih kotak",
        "plotly.lasso": "Pilih laso",
        "plotly.double_click": "Klik dua kali untuk kembali",
        "plotly.legend_isolate": "Klik dua kali pada legenda untuk menampilkan satu deret saja",
        "plotly.image_error": "Maaf, grafik gagal diunduh.",
    },
    "en": {
        # input refused at the edge (dashboard/store/limits.py, dashboard/edge_limits.py)
        "input.too_long": "{field} is too long: {length} characters, at most {limit}. Shorten it and send it again.",
        "input.field.ack_note": "Acknowledgement note",
        "input.field.silence_reason": "Silence reason",
        "input.field.shift_note": "Shift-log note",
        "input.too_large": "Request too large: at most {mb} MB.",
        "input.heartbeat": "Screen report refused: {problem}",
        "input.upload_source": "Source {source} is unknown or takes no uploads.",
        "input.not_stored": "Not stored: the store or the data folder takes no writes right now. Try again later or call an operator.",
        "readonly.banner": "Read-only mode: the server's data folder cannot be written. Pages show the last data; nothing is stored until an operator fixes it.",
        # a failed collection run, told to a person (dashboard/run_errors.py)
        "run_error.http": "Source {source} is not answering (HTTP {status})",
        "run_error.timeout": "Source {source} did not answer in time",
        "run_error.connection": "Source {source} cannot be reached",
        "run_error.auth": "Source {source} refuses access (key or permission)",
        "run_error.schema": "Data from {source} is not in the expected format",
        "run_error.too_large": "Data from {source} is over the size limit",
        "run_error.deadline": "Collecting from {source} ran past its deadline",
        "run_error.abandoned": "Collecting from {source} was cut off (its scheduler stopped)",
        "run_error.store": "Data from {source} could not be stored",
        "run_error.other": "Collecting from {source} failed",
        "run_error.since": "since {time}",
        "run_error.detail": "Technical detail",
        "run_error.streak": "{n} times in a row",
        "run_error.streak.one": "once",
        "page.loading": "Loading…",
        "run.trigger.schedule": "scheduled",
        "run.trigger.manual": "manual",
        "run.trigger.replay": "replay from the archive",
        "run.trigger.upload": "upload",
        "run.trigger.backfill": "history backfill",
        "run.status.ok": "succeeded",
        "run.status.partial": "partial",
        "run.status.failed": "failed",
        "run.status.running": "running",
        # navigation bar (every desktop page) and its search
        "nav.overview": "Overview",
        "nav.brief": "Exceptions brief",
        "nav.domains": "Domains",
        "nav.alerts": "Alerts",
        "nav.sources": "Data sources",
        "nav.compliance": "SKPD compliance",
        "nav.ops": "Operations",
        "nav.upload": "Upload data",
        "nav.wall": "Video wall",
        "nav.screens": "Video wall screens",
        "nav.audit": "Audit trail",
        "nav.followup": "Follow-ups",
        "nav.signout": "Sign out",
        "nav.switch": "Bahasa Indonesia",
        "nav.menu": "Open or close the menu",
        "nav.main": "Main navigation",
        "nav.search": "Search indicators, regions, SKPD, pages",
        "nav.search.placeholder": "Search… ( / )",
        "nav.search.none": "Nothing matches",
        "nav.search.count": "{n} results; up and down arrows to choose, Enter to open",
        "nav.search.count.one": "{n} result; Enter to open",
        "nav.kind.indicator": "Indicator",
        "nav.kind.region": "Region",
        "nav.kind.skpd": "SKPD",
        "nav.kind.page": "Page",
        "nav.kind.domain": "Domain",
        "wall.title": "Command Centre ODSK — North Sulawesi Province",
        "wall.screen.overview": "Overview",
        "wall.screen.alerts": "Active alerts",
        "wall.screen.disaster": "e-Disaster — Earthquakes",
        "wall.offline": "Connection to the server lost — reconnecting…",
        "wall.store_down": "The data store cannot be reached — figures may be out of date",
        "wall.takeover.resume": "Playlist resumes in {time}",
        "wall.takeover.name": "Emergency",
        "wall.takeover.quake": "EARTHQUAKE",
        "wall.takeover.alert": "CRITICAL ALERT",
        "wall.takeover.more": "+{n} more critical alerts",
        "wall.takeover.more.one": "+{n} more critical alert",
        "wall.quake.latest": "Latest earthquake",
        "wall.quake.magnitude": "Magnitude",
        "wall.quake.depth": "Depth",
        "wall.quake.km": "{km} km",
        "wall.quake.distance": "{km} km from {origin}",
        "wall.quake.at": "Position {lat}, {lon}",
        "wall.quake.tsunami.none": "No tsunami potential",
        "wall.quake.tsunami.possible": "Possible tsunami",
        "wall.quake.tsunami.unknown": "Tsunami potential not known",
        "wall.quake.none": "No earthquakes recorded in the last {days} days",
        "wall.quake.period": "last {days} days",
        "wall.quake.count": "{n} earthquakes",
        "wall.quake.count.one": "{n} earthquake",
        "wall.quake.strong": "{n} of M≥{mag} within {km} km",
        "wall.quake.outside": "{n} outside the map",
        "wall.legend.day": "< 24 h",
        "wall.legend.window": "1–3 days",
        "wall.legend.old": "> 3 days",
        "wall.legend.size": "size = magnitude",
        "wall.legend.rings": "rings = distance from {origin}",
        "wall.alerts.none": "No active alerts",
        "wall.alerts.more": "+{n} more",
        "wall.alerts.acked": "acknowledged by {who}",
        "wall.alerts.period": "alerts open now",
        "wall.alerts.evaluated": "evaluated {age}",
        "wall.alerts.never": "the scheduler has not reported",
        "wall.severity.critical": "Critical",
        "wall.severity.warning": "Warning",
        "wall.severity.info": "Info",
        "wall.grid.title": "Video wall {cols}×{rows}",
        "wall.ops.title": "Video wall screens",
        "wall.ops.intro": "Every wall browser reports every {n} seconds.",
        "wall.ops.screen": "Screen",
        "wall.ops.status": "Status",
        "wall.ops.seen": "Last seen",
        "wall.ops.resolution": "Resolution",
        "wall.ops.playing": "Showing",
        "wall.ops.page": "Page",
        "wall.ops.actions": "Actions",
        "wall.ops.online": "online",
        "wall.ops.offline": "offline",
        "wall.ops.reconnecting": "reconnecting",
        "wall.ops.reload": "Reload",
        "wall.ops.forget": "Forget",
        "wall.ops.pending": "reload pending",
        "wall.ops.reload_sent": "Reload sent to {id}; the screen reloads at its next heartbeat.",
        "wall.ops.forgotten": "{id} removed from the list.",
        "wall.ops.none": "No wall screen has reported yet.",
        "wall.ops.monitors": "Per-monitor addresses",
        "status.on_track": "On track",
        "status.at_risk": "At risk",
        "status.behind": "Behind",
        "status.no_target": "No target",
        "status.no_data": "No data yet",
        "target": "target {value}",
        "target.band": "band {low}–{high}",
        "change.none": "nothing to compare",
        "change.vs": "vs {period}",
        "age.fetched": "fetched {age}",
        "age.ago": "{span} ago",
        "age.now": "just now",
        "age.stale": "STALE",
        "age.unknown": "fetch time unknown",
        "health.ok": "{n} sources OK",
        "health.ok.one": "{n} source OK",
        "health.failing": "{n} failing",
        "health.never": "{n} never run",
        "health.attention": "{n} late or unstable",
        "legend": "Legend",
        "no_headline": "No headline indicators yet",
        # analyst pages (domain, indicator, region, provenance)
        "analyst.not_found": "Not found",
        "analyst.back_home": "Back to the overview",
        "store_down": "The database cannot be reached; try again in a moment.",
        "analyst.unknown_domain": "Domain '{domain}' is unknown.",
        "analyst.unknown_indicator": "Indicator '{code}' is not in the catalogue.",
        "analyst.unknown_region": "Region '{code}' is not a regency or city of North Sulawesi.",
        "analyst.series": "Time series",
        "analyst.series_hint": (
            "Hollow point: incomplete period · diamond: computed "
            "from the regencies · click a point for its provenance."
        ),
        "analyst.yoy.title": "Change on the year before",
        "analyst.yoy.pp": "percentage points",
        "analyst.yoy.pct": "%",
        "analyst.yoy.short": "y/y",
        "analyst.map": "Regional map",
        "analyst.map_hint": "Brighter = better. Click a tile to add or remove it from the comparison.",
        "analyst.ranking": "Regency and city ranking",
        "analyst.per_capita": "Counts compared per 100,000 residents (count · per 100,000).",
        "analyst.per_100k": "{value} per 100,000 residents",
        "analyst.ranking_caption": "{period} · {order}",
        "analyst.order.up": "highest is best",
        "analyst.order.down": "lowest is best",
        "analyst.order.band": "closest to the healthy band is best",
        "analyst.rank_of": "rank {rank} of {total}",
        "analyst.annotations": "Notes on the time axis",
        "analyst.annot.date": "Date",
        "analyst.annot.date_format": "dd/mm/yyyy",
        "analyst.annot.text": "Note",
        "analyst.annot.placeholder": "e.g. Bunaken festival, M6.1 earthquake, new policy",
        "analyst.annot.author": "Recorded as",
        "analyst.annot.all": "Applies to every indicator",
        "analyst.annot.add": "Add note",
        "analyst.annot.saved": "Note saved.",
        "analyst.annot.none": "No notes in this range yet.",
        "analyst.annot.global": "all indicators",
        "analyst.annot.err.date": "Give a plausible date.",
        "analyst.annot.err.text": "Write the note.",
        "analyst.annot.err.too_long": "A note has at most 500 characters.",
        "analyst.annot.err.author": "Give the analyst's name (at most 100 characters).",
        "analyst.provenance": "Provenance",
        "analyst.prov.hint": (
            "Click a table row or a point on the chart to see its "
            "source, collection run, raw data and revision history."
        ),
        "analyst.prov.made_of": "{n} stored values make up this figure:",
        "analyst.prov.made_of.one": "{n} stored value makes up this figure:",
        "analyst.prov.derived": "The province did not report this value; it is computed from {n} regency values:",
        "analyst.prov.derived.one": "The province did not report this value; it is computed from {n} regency value:",
        "analyst.prov.none": "No stored value for this period.",
        "analyst.prov.value_id": "Value",
        "analyst.prov.run": "Run",
        "analyst.prov.fetched": "Stored",
        "analyst.prov.stored": "Stored",
        "analyst.prov.replaced": "Replaced",
        "analyst.prov.now": "current",
        "analyst.prov.status": "Run status",
        "analyst.prov.payload": "Raw data",
        "analyst.prov.no_payload": "not archived",
        "analyst.prov.title": "Provenance of value #{id}",
        "analyst.prov.unknown": "Value #{id} was not found.",
        "analyst.prov.history": "Revision history",
        "analyst.prov.history_hint": (
            "Every value this figure has had, with the collection run and the "
            "raw data that produced it. The highlighted row is the current value."
        ),
        "analyst.prov.run_detail": "{trigger} · {accepted} rows accepted, {changed} changed",
        "analyst.prov.replay_of": "replay of run #{run}",
        "analyst.prov.rejected": "{n} rows rejected",
        "analyst.prov.rejected.one": "{n} row rejected",
        "analyst.table": "Data",
        "analyst.table_hint": "Sort and filter in the column headers; exports hold the rows shown.",
        "analyst.target": "Target",
        "analyst.basis": "{n} of {expected} periods",
        "analyst.derived": "computed from the regencies",
        "analyst.incomplete": "incomplete period",
        "analyst.no_data_range": "No province value in this range yet.",
        "analyst.no_data_period": "No data for {period} yet.",
        "analyst.compare": "Compare with regencies and cities (up to {n})",
        "analyst.compare_placeholder": "Province only",
        "analyst.grain": "Time grain",
        "analyst.grain.day": "Day",
        "analyst.grain.month": "Month",
        "analyst.grain.quarter": "Quarter",
        "analyst.grain.year": "Year",
        "analyst.range": "Years",
        "analyst.unit": "Unit",
        "analyst.frequency": "Frequency",
        "analyst.freq.daily": "daily",
        "analyst.freq.monthly": "monthly",
        "analyst.freq.quarterly": "quarterly",
        "analyst.freq.yearly": "yearly",
        "analyst.freq.event": "per event",
        "analyst.direction": "Direction",
        "analyst.dir.up": "higher is better",
        "analyst.dir.down": "lower is better",
        "analyst.dir.band": "within a band",
        "analyst.rule": "Aggregation",
        "analyst.rule.sum": "province = sum of regencies",
        "analyst.rule.mean": "province = mean of regencies",
        "analyst.rule.weighted_mean": "province = population-weighted mean",
        "analyst.rule.none": "province reports its own",
        "analyst.time.sum": "periods summed",
        "analyst.time.mean": "periods averaged",
        "analyst.time.last": "end-of-period value (cumulative)",
        "analyst.owner": "Data owner",
        "analyst.class.internal": "Internal",
        "analyst.class.restricted": "Restricted",
        "analyst.class.public": "Public",
        "analyst.col.region": "Region",
        "analyst.col.code": "Code",
        "analyst.col.period": "Period",
        "analyst.col.value": "Value",
        "analyst.col.yoy": "Change y/y",
        "analyst.col.basis": "Basis",
        "analyst.col.note": "Note",
        "analyst.col.revision": "Revision",
        "analyst.col.source": "Source",
        "analyst.col.indicator": "Indicator",
        "analyst.col.province": "Province",
        "analyst.col.rank": "Rank",
        "analyst.col.position": "Position among the 15 regencies and cities",
        "analyst.col.vs_province": "Against the province",
        "analyst.vs.better": "better",
        "analyst.vs.worse": "worse",
        "analyst.vs.same": "same",
        "analyst.worse": "worse",
        "analyst.better": "better",
        "analyst.kind.regency": "Regency",
        "analyst.kind.city": "City",
        "analyst.kind.province": "Province",
        "analyst.region.sub": "{kind} · population {population}",
        "analyst.region.how": (
            "Every indicator at the latest period this region reported. Grey dots: the other "
            "regencies and cities; diamond: the province; large dot: this region. Right is better."
        ),
        "analyst.region.missing": "{n} indicators have no data for this region yet.",
        "analyst.region.missing.one": "{n} indicator has no data for this region yet.",
        "analyst.export.indicator": "Indicator",
        "analyst.export.unit": "Unit",
        "analyst.export.url": "View",
        "analyst.summed": "{unit}, summed per {grain}",
        # Plotly.js's own words (mode bar): the English source text it looks up
        "plotly.download_png": "Download plot as a PNG",
        "plotly.download": "Download plot",
        "plotly.zoom": "Zoom",
        "plotly.pan": "Pan",
        "plotly.zoom_in": "Zoom in",
        "plotly.zoom_out": "Zoom out",
        "plotly.reset_axes": "Reset axes",
        "plotly.autoscale": "Autoscale",
        "plotly.reset_view": "Reset view",
        "plotly.reset": "Reset",
        "plotly.spikes": "Toggle Spike Lines",
        "plotly.closest": "Show closest data on hover",
        "plotly.compare": "Compare data on hover",
        "plotly.box": "Box Select",
        "plotly.lasso": "Lasso Select",
        "plotly.double_click": "Double-click to zoom back out",
        "plotly.legend_isolate": "Double-click on legend to isolate one trace",
        "plotly.image_error": "Sorry, there was a problem downloading your image!",
    },
}


def language(value: str | None) -> str:
    """A supported language code from a URL parameter or setting; Indonesian otherwise."""
    value = (value or "").strip().lower()
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def plural_form(count: float, lang: str) -> str:
    """CLDR's plural category of a count: "one" or "other" in English, always "other" in
    Indonesian (which does not inflect for number)."""
    return Locale.parse(language(lang)).plural_form(abs(count))


def lookup(table: dict[str, dict[str, str]], key: str, lang: str, **values) -> str:
    """The label ``key`` in ``lang`` from a {lang: {key: text}} table (this module's or a
    page's own); a missing key is a bug, so it raises KeyError.

    With a count ``n``, a variant ``key.one`` (English "1 event") is used when the count's
    plural category is "one"; ``key`` itself holds the other form ("2 events").
    """
    lang = language(lang)
    n = values.get("n")
    if isinstance(n, int | float) and not isinstance(n, bool):
        form = table[lang].get(f"{key}.{plural_form(n, lang)}")
        if form is not None:
            return form.format(**values)
    text = table[lang][key]
    return text.format(**values) if values else text


def label(key: str, lang: str, **values) -> str:
    """A label shared by several pages (this module's LABELS)."""
    return lookup(LABELS, key, lang, **values)


def number(value: float, lang: str, decimals: int = 1) -> str:
    """1234.5 → "1.234,5" (id) / "1,234.5" (en), always with exactly ``decimals`` digits."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return minus(format_decimal(value, format=pattern, locale=language(lang)))


def minus(text: str) -> str:
    """A formatted number with the typographic minus; "−0,0" (a value that rounds to zero)
    loses its sign."""
    if not text.startswith("-"):
        return text
    if not any(c in "123456789" for c in text):
        return text[1:]
    return MINUS + text[1:]


def period(start: date, grain: str, lang: str) -> str:
    """A data period by its grain: "5 Okt 2026", "Okt 2026", "Triwulan III 2026", "2026"."""
    lang = language(lang)
    if grain == "day":
        return format_date(start, "d MMM y", locale=lang)
    if grain == "month":
        return format_date(start, "MMM y", locale=lang)
    if grain == "quarter":
        quarter = (start.month - 1) // 3 + 1
        if lang == "en":
            return f"Q{quarter} {start.year}"
        return f"Triwulan {_ROMAN[quarter]} {start.year}"
    if grain == "year":
        return str(start.year)
    raise ValueError(f"unknown grain {grain!r}")


JUST_NOW = timedelta(seconds=10)


def age(then: datetime, now: datetime, lang: str) -> str:
    """How long ago: "5 menit lalu" / "5 minutes ago"; "baru saja" under 10 s (or a clock ahead)."""
    span = now - then
    if span < JUST_NOW:
        return label("age.now", lang)
    # threshold=1: 50 minutes stays "50 menit" rather than rounding up to "1 jam".
    text = format_timedelta(span, threshold=1, locale=language(lang))
    return label("age.ago", lang, span=text)


def wita_time(moment: datetime, lang: str, with_seconds: bool = False) -> str:
    """A UTC moment as a 24-hour WITA time: "14.05 WITA" (id) / "14:05 WITA" (en)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # A skeleton lets CLDR pick the separator (dots in Indonesian).
    text = format_skeleton(
        "Hms" if with_seconds else "Hm", moment, tzinfo=WITA, locale=language(lang)
    )
    return f"{text} WITA"


def wita_date(moment: datetime, lang: str) -> str:
    """The WITA calendar day of a UTC moment: "Senin, 5 Oktober 2026" / "Monday, 5 October 2026"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, "EEEE, d MMMM y", tzinfo=WITA, locale=language(lang))


def wita_datetime(moment: datetime, lang: str) -> str:
    """A UTC moment as a full WITA date and time: "Senin, 5 Oktober 2026 14.05 WITA"."""
    return f"{wita_date(moment, lang)} {wita_time(moment, lang)}"


def too_long(exc: Any, lang: str) -> str:
    """The message for a refused text (``dashboard.store.limits.TextTooLong``)."""
    field = label(f"input.field.{exc.field}", lang)
    return label("input.too_long", lang, field=field, length=exc.length, limit=exc.limit)
