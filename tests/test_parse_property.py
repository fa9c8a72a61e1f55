"""Whatever arrives, parse raises nothing but the project's own errors (hypothesis)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from payloads import kit

from collectors.base import CollectorError, Payload
from collectors.registry import get_kind

# One source per kind and format; BMKG twice (JSON and XML).
SOURCES = [
    ("dinkes-stunting-xlsx", {}),
    ("dispar-tpk-xlsx", {}),
    ("dinkes-bor-csv", {}),
    ("biro-eoffice-csv", {}),
    ("naker-ckan", {}),
    ("bps-inflasi", {}),
    ("bps-ipm", {}),
    ("bmkg-gempa", {}),
    ("bmkg-gempa", {"format": "xml"}),
    ("eoffice-sql", {}),
]
CONTEXTS = {f"{s}{o}": kit.context(s, o or None) for s, o in SOURCES}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_quietly(name: str, content: bytes) -> None:
    ctx = CONTEXTS[name]
    try:
        get_kind(ctx.source.kind).parse(Payload(content), ctx)
    except CollectorError:
        pass  # a clean, classified failure is fine; anything else fails the test


@pytest.mark.parametrize("name", list(CONTEXTS))
@FUZZ
@given(content=st.binary(max_size=2048))
def test_arbitrary_bytes(name, content):
    parse_quietly(name, content)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
# Documents that look like the real ones, with any value in any place.
shaped = st.one_of(
    json_values,
    st.fixed_dictionaries({"Infogempa": st.fixed_dictionaries({"gempa": json_values})}),
    st.lists(
        st.fixed_dictionaries(
            {
                "success": st.booleans(),
                "result": st.fixed_dictionaries(
                    {
                        "records": st.lists(
                            st.dictionaries(
                                st.sampled_from(
                                    ["kode_kabupaten_kota", "tahun", "bulan", "jumlah_penempatan"]
                                ),
                                json_values,
                            ),
                            max_size=4,
                        ),
                        "total": json_values,
                    }
                ),
            }
        ),
        max_size=2,
    ),
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["OK", "Error"]),
            "data-availability": st.sampled_from(["available", "list-not-available"]),
            "var": json_values,
            "turvar": json_values,
            "vervar": json_values,
            "tahun": json_values,
            "turtahun": json_values,
            "datacontent": json_values,
        }
    ),
    st.fixed_dictionaries(
        {
            "columns": st.just(["kode_wilayah", "bulan", "persen_digital", "diperbarui"]),
            "rows": st.lists(st.lists(json_values, min_size=4, max_size=4), max_size=4),
        }
    ),
)


@pytest.mark.parametrize(
    "name", ["naker-ckan{}", "bps-inflasi{}", "bps-ipm{}", "bmkg-gempa{}", "eoffice-sql{}"]
)
@FUZZ
@given(document=shaped)
def test_arbitrary_json_documents(name, document):
    parse_quietly(name, json.dumps(document).encode())


cell = st.one_of(
    st.text(alphabet='71.0123456789,-;"\n aJMarsumbTotal()…', max_size=12),
    st.sampled_from(
        [
            "Kode Wilayah",
            "Indikator",
            "Periode",
            "Nilai",
            "BOR",
            "Maret 2026",
            "Triwulan I 2026",
            "Jumlah",
            "Sumber: x",
            "(1)",
            "-",
            "n.a.",
            "1.234,5",
        ]
    ),
)


@pytest.mark.parametrize("name", ["dinkes-bor-csv{}", "biro-eoffice-csv{}"])
@FUZZ
@given(rows=st.lists(st.lists(cell, max_size=6), max_size=12))
def test_arbitrary_tables(name, rows):
    text = "Kode Wilayah;Indikator;Periode;Nilai\n" + "\n".join(";".join(r) for r in rows)
    parse_quietly(name, text.encode("cp1252", errors="replace"))


@pytest.mark.parametrize("name", ["dinkes-stunting-xlsx{}", "dispar-tpk-xlsx{}"])
@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(
            [
                "[Content_Types].xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
                "xl/_rels/workbook.xml.rels",
                "_rels/.rels",
                "xl/sharedStrings.xml",
            ]
        ),
        st.binary(max_size=300),
        max_size=6,
    )
)
def test_arbitrary_zip_files(name, members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    parse_quietly(name, out.getvalue())
