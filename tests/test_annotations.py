"""Annotations on the time axis: stored, checked, shared between indicators when global, and drawn."""

from datetime import date

import pytest
from access_kit import client_as
from analyst_kit import SERIES_OUTPUTS, call, text_of

from dashboard.settings import Settings
from dashboard.store.annotations import AnnotationError, add_annotation, annotations_for
from dashboard.store.catalogue_sync import sync_catalogue
from dashboard.webapp import create_app

TODAY = date(2026, 11, 28)


def test_notes_are_stored_and_read_back_per_indicator_and_globally(engine):
    add_annotation(
        engine,
        indicator_code="BRD.WISMAN",
        region_code=None,
        on_date=date(2026, 7, 14),
        text="Festival Pesona Selat Lembeh",
        author="Rina",
        today=TODAY,
    )
    add_annotation(
        engine,
        indicator_code=None,
        region_code=None,
        on_date=date(2026, 3, 2),
        text="Gempa M6,1 Talaud",
        author="Yohanes",
        today=TODAY,
    )
    add_annotation(
        engine,
        indicator_code="LIV.STUNTING",
        region_code=None,
        on_date=date(2026, 5, 1),
        text="Other indicator",
        author="Rina",
        today=TODAY,
    )
    add_annotation(
        engine,
        indicator_code="BRD.WISMAN",
        region_code="71.72",
        on_date=date(2026, 8, 1),
        text="Bitung only",
        author="Rina",
        today=TODAY,
    )
    with engine.connect() as conn:
        notes = annotations_for(conn, "BRD.WISMAN", date(2026, 1, 1), date(2027, 1, 1))
        for_manado = annotations_for(
            conn, "BRD.WISMAN", date(2026, 1, 1), date(2027, 1, 1), regions=("71", "71.71")
        )
        early = annotations_for(conn, "BRD.WISMAN", date(2026, 1, 1), date(2026, 7, 1))
    assert [n.text for n in notes] == [
        "Gempa M6,1 Talaud",
        "Festival Pesona Selat Lembeh",
        "Bitung only",
    ]
    assert [n.text for n in for_manado] == ["Gempa M6,1 Talaud", "Festival Pesona Selat Lembeh"]
    assert [n.text for n in early] == ["Gempa M6,1 Talaud"]
    assert notes[0].indicator_code is None and notes[1].author == "Rina"


@pytest.mark.parametrize(
    "text, author, on_date, key",
    [
        ("", "Rina", date(2026, 1, 1), "text"),
        ("   ", "Rina", date(2026, 1, 1), "text"),
        ("x" * 501, "Rina", date(2026, 1, 1), "too_long"),
        ("ok", "", date(2026, 1, 1), "author"),
        ("ok", "Rina", date(1990, 1, 1), "date"),
        ("ok", "Rina", date(2031, 1, 1), "date"),
    ],
)
def test_bad_notes_are_refused_with_a_reason(engine, text, author, on_date, key):
    with pytest.raises(AnnotationError) as caught:
        add_annotation(
            engine,
            indicator_code="BRD.WISMAN",
            region_code=None,
            on_date=on_date,
            text=text,
            author=author,
            today=TODAY,
        )
    assert caught.value.key == key


def test_an_analyst_adds_a_note_and_the_chart_shows_it(settings_env, sqlite_url, catalogue):
    from dashboard.store.engine import make_engine

    engine = make_engine(sqlite_url)
    sync_catalogue(engine, catalogue)
    app = create_app(Settings())
    # The author is the signed-in account, not a name typed into the form.
    clients = {
        "Rina": client_as(app, "analyst", username="rina"),
        "Yohanes": client_as(app, "analyst", username="yohanes"),
    }
    client = clients["Rina"]
    page = {"code": "BRD.WISMAN", "lang": "en"}
    add = lambda on, text, author, everywhere=False: call(  # noqa: E731
        clients[author],
        [("ind-note-feedback", "children"), ("ind-notes-rev", "data"), ("ind-note-text", "value")],
        inputs=[("ind-note-add", "n_clicks", 1)],
        state=[
            ("ind-note-date", "value", on),
            ("ind-note-text", "value", text),
            ("ind-note-all", "value", everywhere),
            ("ind-notes-rev", "data", 0),
            ("ind-page", "data", page),
        ],
        changed="ind-note-add.n_clicks",
    )
    refused = add("2026-07-14", "", "Rina").json["response"]
    assert text_of(refused["ind-note-feedback"]["children"]) == "Write the note."
    assert "ind-notes-rev" not in refused
    # Typed as the page writes dates (day/month/year); the US order is not a date.
    us_order = add("07/14/2026", "Festival Pesona Selat Lembeh", "Rina").json["response"]
    assert text_of(us_order["ind-note-feedback"]["children"]) == "Give a plausible date."
    saved = add("14/07/2026", "Festival Pesona Selat Lembeh", "Rina").json["response"]
    assert text_of(saved["ind-note-feedback"]["children"]) == "Note saved."
    assert saved["ind-notes-rev"]["data"] == 1 and saved["ind-note-text"]["value"] == ""
    add("2026-03-02", "Gempa M6,1", "Yohanes", everywhere=True)
    # Text reaching Plotly's hover labels is text, never a link or a style.
    add(
        "2026-05-01", '<a href="https://evil.example">x</a><span style="color:red">y</span>', "Rina"
    )

    response = call(
        client,
        SERIES_OUTPUTS,
        inputs=[
            ("ind-regions", "value", []),
            ("ind-grain", "value", "month"),
            ("ind-range", "value", [2026, 2026]),
            ("ind-notes-rev", "data", 3),
        ],
        state=[("ind-period", "value", "2026-10-01"), ("ind-page", "data", page)],
        changed="ind-notes-rev.data",
    )
    assert response.status_code == 200
    out = response.json["response"]
    figure = out["ind-series"]["figure"]
    marks = next(t for t in figure["data"] if t.get("yaxis") == "y2")
    assert marks["x"] == ["2026-03-02", "2026-05-01", "2026-07-14"]
    assert marks["text"] == [
        "2 Mar 2026: Gempa M6,1",
        "1 May 2026: &lt;a href=&quot;https://evil.example&quot;&gt;x&lt;/a&gt;"
        "&lt;span style=&quot;color:red&quot;&gt;y&lt;/span&gt;",
        "14 Jul 2026: Festival Pesona Selat Lembeh",
    ]
    lines = [s for s in figure["layout"]["shapes"] if s["type"] == "line"]
    assert [s["x0"] for s in lines] == ["2026-03-02", "2026-05-01", "2026-07-14"]
    listed = " ".join(text_of(out["ind-notes-list"]["children"]).split())
    assert (
        "Festival Pesona Selat Lembeh — rina" in listed
        and "Gempa M6,1 — yohanes · all indicators" in listed
    )
    # A global note shows on every indicator's chart.
    other = call(
        client,
        SERIES_OUTPUTS,
        inputs=[
            ("ind-regions", "value", []),
            ("ind-grain", "value", "month"),
            ("ind-range", "value", [2026, 2026]),
            ("ind-notes-rev", "data", 0),
        ],
        state=[
            ("ind-period", "value", None),
            ("ind-page", "data", {"code": "LIV.STUNTING", "lang": "en"}),
        ],
    )
    assert "Gempa M6,1" in text_of(other.json["response"]["ind-notes-list"]["children"])
