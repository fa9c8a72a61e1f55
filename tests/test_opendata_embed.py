"""Embeddable panels (/embed/…): the wall's tiles (same status rule) as a small page with no
script, cacheable for 60 s, framed only by the configured origins, setting no cookie."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

ORIGIN = "https://sulutprov.go.id"


@pytest.fixture
def embed_app(database_url, tmp_path):
    from analyst_kit import seed_store

    from dashboard.settings import Settings
    from dashboard.webapp import context_of, create_app

    settings = Settings(database_url=database_url, data_dir=tmp_path, embed_origins=[ORIGIN])
    seed_store(database_url, settings.payload_dir, since=2025, today=date(2026, 10, 20))
    app = create_app(settings)
    yield app, context_of(app)
    context_of(app).engine.dispose()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_domain_panel_shows_the_walls_tiles(embed_app, lang):
    from dashboard.store.schema import utcnow
    from dashboard.views.wall_screens import load_parts
    from dashboard.wall_config import WallConfig

    app, context = embed_app
    reply = app.server.test_client().get(f"/embed/domain/living?lang={lang}")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert "<script" not in page and "plotly" not in page.lower()
    with context.engine.connect() as conn:
        views = load_parts(
            conn, context.catalogue, WallConfig(), ["overview/living"], utcnow(), lang
        )
    wall = views["overview/living"]
    text = _text(page)
    assert len(wall.tiles) == 3
    for tile in wall.tiles:
        assert tile.name in text and tile.value in text and tile.status_label in text
        assert f"status-{tile.status}" in page and tile.period in text
    assert page.count("<svg") == 3
    assert ("fetched" if lang == "en" else "diambil") in text


def test_an_indicator_panel_in_either_region_code_and_what_is_refused(embed_app):
    app, _context = embed_app
    client = app.server.test_client()
    by_bps = client.get("/embed/indicator/LIV.STUNTING?region=7109").get_data(as_text=True)
    by_kemendagri = client.get("/embed/indicator/LIV.STUNTING?region=71.07").get_data(as_text=True)
    assert "Minahasa Tenggara" in by_bps and _text(by_bps) == _text(by_kemendagri)
    assert client.get("/embed/indicator/LIV.KEMATIAN-IBU").status_code == 404  # internal
    assert client.get("/embed/indicator/LIV.STUNTING?region=71.99").status_code == 404
    assert client.get("/embed/domain/nowhere").status_code == 404
    assert client.get("/embed/indicator/LIV.STUNTING?region=%3Cscript%3E").status_code == 400


def test_headers_cache_for_a_minute_and_frame_only_from_configured_origins(embed_app):
    app, _context = embed_app
    client = app.server.test_client()
    reply = client.get("/embed/indicator/LIV.STUNTING")
    assert reply.headers["Cache-Control"] == "public, max-age=60"
    policy = reply.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {ORIGIN}" in policy and policy.count("frame-ancestors") == 1
    assert "X-Frame-Options" not in reply.headers
    assert "Set-Cookie" not in reply.headers
    again = client.get(
        "/embed/indicator/LIV.STUNTING", headers={"If-None-Match": reply.headers["ETag"]}
    )
    assert again.status_code == 304
    # Every other page keeps its own frame rule.
    other = client.get("/login")
    assert "frame-ancestors 'self'" in other.headers["Content-Security-Policy"]
    assert ORIGIN not in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "SAMEORIGIN"
