"""The navigation bar's search index: what a word finds, in both languages and both code systems."""

from __future__ import annotations

import json

import pytest
from access_kit import client_as
from wall_kit import make_app

from dashboard.search import build_index, fold, index_url, matches
from dashboard.webapp import context_of


def _first(catalogue, query: str, lang: str = "id"):
    found = matches(build_index(catalogue, lang), query)
    assert found, query
    return found[0]


@pytest.mark.parametrize(
    ("query", "href"),
    [
        ("stunting", "/indicator/LIV.STUNTING"),
        ("LIV.STUNTING", "/indicator/LIV.STUNTING"),
        ("tengkes", "/indicator/LIV.STUNTING"),  # a synonym
        ("HDI", "/indicator/SOC.IPM"),  # the English abbreviation, on the Indonesian page
        ("human development", "/indicator/SOC.IPM"),
        ("pm2.5", "/indicator/ENV.PM25"),
        ("Kabupaten Minahasa Utara", "/region/71.06"),
        ("Kab. Minahasa Utara", "/region/71.06"),
        ("minahasa utara", "/region/71.06"),
        ("minut", "/region/71.06"),  # an alias from the registry
        ("71.07", "/region/71.07"),  # Kemendagri code
        ("7109", "/region/71.07"),  # BPS code of the same regency
        ("kota manado", "/region/71.71"),
        ("manado", "/region/71.71"),
        ("dinkes", "/ops/compliance#skpd-dinkes"),
        ("dinas kesehatan", "/ops/compliance#skpd-dinkes"),
        ("peringatan", "/alerts"),
        ("kepatuhan", "/ops/compliance"),
        ("smart environment", "/domain/environment"),
    ],
)
def test_a_word_finds_the_right_page(catalogue, query, href):
    assert _first(catalogue, query).href == href


def test_english_labels_and_links_keep_the_language(catalogue):
    entry = _first(catalogue, "IPM", "en")
    assert entry.label.startswith("Human Development Index")
    assert entry.href == "/indicator/SOC.IPM?lang=en"
    assert _first(catalogue, "north sulawesi", "en").label == "North Sulawesi Province"
    assert _first(catalogue, "alerts", "en").href == "/alerts?lang=en"


def test_nothing_found_and_folding():
    assert fold("Kab. Minahasa-Utara  (Minut)") == "kab minahasa utara minut"
    assert fold("µg/m³") == "μg m3"  # as the browser folds it (NFKD)


def test_unknown_words_find_nothing(catalogue):
    assert matches(build_index(catalogue, "id"), "zzzz qqqq") == []
    assert matches(build_index(catalogue, "id"), "   ") == []


def test_the_index_is_served_versioned_and_kept_a_year(sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path)
    client = client_as(app, "viewer")
    with app.server.test_request_context("/"):
        url = index_url("en", context_of(app).catalogue)
    assert url.startswith("/_odsk/search-en.json?v=")
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    data = json.loads(response.get_data(as_text=True))
    assert data["labels"]["kinds"]["region"] == "Region"
    assert len(data["entries"]) > 44 + 16
    assert client.get("/_odsk/search-fr.json").status_code == 404


def test_the_index_lists_only_what_the_reader_may_read(sqlite_url, tmp_path):
    """A restricted indicator (readers: viewer) is in a viewer's index, never an analyst's."""
    app = make_app(sqlite_url, tmp_path)
    restricted = "GOV.DISIPLIN-ASN"
    assert context_of(app).catalogue.indicator(restricted).classification == "restricted"

    def codes(role: str) -> set[str]:
        client = client_as(app, role)
        entries = json.loads(client.get("/_odsk/search-en.json").get_data(as_text=True))["entries"]
        return {e["hint"].split(" · ")[0] for e in entries if e["kind"] == "indicator"}

    assert restricted in codes("viewer")
    assert restricted not in codes("analyst")
    assert app.server.test_client().get("/_odsk/search-en.json").status_code in (302, 401, 403)
