"""Texts of sign-in, denials and the audit page, in Bahasa Indonesia and English."""

from __future__ import annotations

from dashboard import i18n

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "signin.title": "Masuk ke Command Centre ODSK",
        "signin.username": "Nama pengguna",
        "signin.password": "Kata sandi",
        "signin.submit": "Masuk",
        "signin.sso": "Masuk dengan SSO Pemerintah Provinsi",
        "signin.or": "atau",
        "signin.failed": "Nama pengguna atau kata sandi salah.",
        "signin.throttled": "Terlalu banyak percobaan masuk. Coba lagi dalam beberapa menit.",
        "signin.ended": "Sesi Anda telah berakhir. Silakan masuk kembali.",
        "signin.signed_out": "Anda telah keluar.",
        "signin.csrf": "Formulir kedaluwarsa. Silakan coba lagi.",
        "signin.sso_failed": "Masuk lewat SSO gagal. Silakan coba lagi atau hubungi admin.",
        "signin.switch": "English",
        "signout": "Keluar",
        "norole.title": "Belum ada peran",
        "norole.text": "Akun SSO Anda ({who}) tidak termasuk grup yang diberi peran di Command Centre ODSK. Minta admin (Diskominfo) untuk menambahkan grup Anda.",
        "denied.title": "Akses ditolak",
        "denied.text": "Peran Anda ({role}) tidak mengizinkan halaman atau tindakan ini.",
        "denied.home": "Kembali ke ringkasan",
        "denied.callback": "Ditolak: peran Anda ({role}) tidak mengizinkan tindakan ini. Tidak ada yang diubah.",
        "denied.signin": "Sesi Anda berakhir atau Anda belum masuk. Muat ulang halaman untuk masuk kembali.",
        "denied.csrf": "Halaman ini sudah usang (token keamanan tidak cocok). Muat ulang halaman.",
        "denied.origin": "Permintaan dari situs lain ditolak.",
        "unenrolled.title": "Layar tidak terdaftar",
        "unenrolled.text": "Token layar ini tidak dikenal atau telah dicabut. Daftarkan layar di /ops/screens.",
        "who": "Masuk sebagai {name} · {role}",
    },
    "en": {
        "signin.title": "Sign in to the Command Centre ODSK",
        "signin.username": "Username",
        "signin.password": "Password",
        "signin.submit": "Sign in",
        "signin.sso": "Sign in with the province's SSO",
        "signin.or": "or",
        "signin.failed": "Wrong username or password.",
        "signin.throttled": "Too many sign-in attempts. Try again in a few minutes.",
        "signin.ended": "Your session has ended. Please sign in again.",
        "signin.signed_out": "You have signed out.",
        "signin.csrf": "The form had expired. Please try again.",
        "signin.sso_failed": "Single sign-on failed. Try again or contact the admin.",
        "signin.switch": "Bahasa Indonesia",
        "signout": "Sign out",
        "norole.title": "No role assigned",
        "norole.text": "Your SSO account ({who}) is in no group that has a role in the Command Centre ODSK. Ask the admin (Diskominfo) to add your group.",
        "denied.title": "Access denied",
        "denied.text": "Your role ({role}) does not allow this page or action.",
        "denied.home": "Back to the overview",
        "denied.callback": "Denied: your role ({role}) does not allow this action. Nothing was changed.",
        "denied.signin": "Your session has ended or you are not signed in. Reload the page to sign in again.",
        "denied.csrf": "This page is out of date (security token mismatch). Reload the page.",
        "denied.origin": "Requests from another site are refused.",
        "unenrolled.title": "Screen not enrolled",
        "unenrolled.text": "This screen's token is unknown or has been revoked. Enrol the screen on /ops/screens.",
        "who": "Signed in as {name} · {role}",
    },
}


def label(key: str, lang: str, **values) -> str:
    return i18n.lookup(LABELS, key, lang, **values)


def both(key: str, **values) -> dict[str, str]:
    """The label in both languages (a callback's denial: the page picks its own)."""
    return {lang: label(key, lang, **values) for lang in i18n.LANGUAGES}
