"""Responses travel compressed (brotli, gzip for clients without it) and fingerprinted files
are cached for a year; anything else is revalidated."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from access_kit import client_as
from wall_kit import make_app

from dashboard.web_weight import PackageFileCache, is_fingerprinted


@pytest.fixture
def client(sqlite_url, tmp_path):
    # Pages need a signed-in person (issue 12); an analyst sees what most readers see.
    return client_as(make_app(sqlite_url, tmp_path), "analyst")


def _page_urls(client, path: str) -> list[str]:
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/[^"]+)"', html)


def test_pages_and_bundles_are_compressed_with_brotli_or_gzip(client):
    page = client.get("/alerts", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert b"_dash-component-suites" in brotli.decompress(page.data)

    plotly = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    raw = client.get(plotly, headers={"Accept-Encoding": "identity"}).data
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(plotly, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert decode(response.data) == raw
        assert len(response.data) < len(raw) / 2.5  # minified plotly.js: about a third

    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    assert layout.headers["Content-Encoding"] == "br"


def test_every_script_and_stylesheet_of_a_page_is_fingerprinted_and_kept_a_year(client):
    urls = [u for u in _page_urls(client, "/alerts") if not u.startswith("/alerts")]
    assert len(urls) > 10
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, url
        cache = response.cache_control
        assert cache.max_age == 365 * 24 * 3600 and cache.immutable and cache.public, url
        if response.mimetype in ("text/css", "application/javascript", "text/javascript"):
            assert response.headers.get("Content-Encoding") == "br", url


def test_a_signed_in_reader_keeps_the_bundles_when_the_session_cookie_is_renewed(client):
    """The session is read on every request, which makes Flask add "Vary: Cookie": on a
    bundle that would make a browser fetch it again after each renewal of the cookie."""
    urls = [u for u in _page_urls(client, "/alerts") if not u.startswith("/alerts")]
    for url in urls:
        vary = client.get(url).headers.get("Vary", "")
        assert "cookie" not in vary.lower(), (url, vary)
    # The page itself differs by who reads it, and says so.
    assert "cookie" in client.get("/alerts").headers.get("Vary", "").lower()


def test_unversioned_files_are_revalidated_not_kept(client):
    response = client.get("/vendor/bootstrap5/css/bootstrap.min.css")
    assert response.status_code == 200
    assert not response.cache_control.max_age
    assert response.headers.get("ETag")
    assert client.get("/alerts").cache_control.max_age is None


@pytest.mark.parametrize(
    ("path", "args", "expected"),
    [
        ("/_dash-component-suites/dash/dcc/dash_core_components.v4_4_1m179.js", {}, True),
        ("/_dash-component-suites/plotly/package_data/plotly.min.js", {}, False),
        ("/assets/wall.css", {"m": "179.4"}, True),
        ("/assets/wall.css", {}, False),
        ("/vendor/bootstrap5/css/bootstrap.min.css", {"v": "2.6.0"}, True),
        ("/alerts", {"v": "1"}, False),
    ],
)
def test_what_counts_as_fingerprinted(path, args, expected):
    assert is_fingerprinted(path, args) is expected


def test_compressed_bundles_are_kept_within_a_bound():
    cache = PackageFileCache(limit=10)
    cache.set("br;/alerts", b"12345")  # a page: never kept
    assert cache.get("br;/alerts") is None
    cache.set("br;/_dash-component-suites/a.js", b"123456")
    cache.set("br;/_dash-component-suites/b.js", b"123456")  # over the bound: a is dropped
    assert cache.get("br;/_dash-component-suites/a.js") is None
    assert cache.get("br;/_dash-component-suites/b.js") == b"123456"


def test_the_first_html_is_in_the_pages_language(client):
    indonesian = client.get("/alerts").get_data(as_text=True)
    english = client.get("/alerts?lang=en").get_data(as_text=True)
    assert '<html lang="id"' in indonesian and "Memuat…" in indonesian
    assert '<html lang="en"' in english and "Loading…" in english
    assert "Loading..." not in indonesian


def test_requests_for_the_same_bundle_at_once_compress_it_once():
    import threading

    cache = PackageFileCache()
    key = "br;/_dash-component-suites/plotly.min.js"
    assert cache.get(key) is None  # the first request will compress
    seen = []
    waiter = threading.Thread(target=lambda: seen.append(cache.get(key)))
    waiter.start()
    waiter.join(0.1)
    assert waiter.is_alive()  # the second waits for the first instead of compressing again
    cache.set(key, b"compressed")
    waiter.join(5)
    assert seen == [b"compressed"]
