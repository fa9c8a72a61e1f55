"""``/data/catalog.jsonld``: the public catalogue as DCAT-AP (JSON-LD), for harvesters.

Catalog → Dataset (title and description in Bahasa Indonesia and English, keywords, theme,
publisher = the producing SKPD, contact point = the walidata, accrual periodicity, spatial
coverage by Kemendagri and BPS code, modified, landing page) → Distributions (CSV, JSON,
Excel from the API).
"""

from __future__ import annotations

import json
from typing import Any

import flask

from dashboard.access import Permission
from dashboard.access.rules import Rule, route
from dashboard.opendata import api, conditional
from dashboard.opendata.render import CSV_TYPE, XLSX_TYPE
from dashboard.views import opendata as view

ROUTE = "/data/catalog.jsonld"
MEDIA_TYPE = "application/ld+json"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# EU/Dublin Core frequency vocabulary
FREQUENCY = {
    "daily": "http://purl.org/cld/freq/daily",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "yearly": "http://purl.org/cld/freq/annual",
    "event": "http://purl.org/cld/freq/irregular",
}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def _both(text: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text[lang], "@language": lang} for lang in ("id", "en") if text.get(lang)]


def dataset_node(meta: dict[str, Any], keywords: list[str], base: str) -> dict[str, Any]:
    observations = meta["links"]["observations"]
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dct:title": f"{meta['id']} ({fmt.upper()})",
            "dcat:accessURL": {"@id": observations},
            "dcat:downloadURL": {"@id": f"{observations}?format={fmt}&page_size=10000"},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
            "dct:format": fmt.upper(),
            "dct:license": {"@id": LICENSE},
        }
        for fmt, media in (("csv", CSV_TYPE), ("json", "application/json"), ("xlsx", XLSX_TYPE))
    ]
    node: dict[str, Any] = {
        "@id": meta["links"]["page"],
        "@type": "dcat:Dataset",
        "dct:identifier": meta["id"],
        "dct:title": _both(meta["title"]),
        "dct:description": _both(meta["description"]) or _both(meta["title"]),
        "dcat:keyword": keywords,
        "dcat:theme": _both(meta["domain"]["name"]),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": meta["producer"]["name"]},
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": meta["walidata"]["name"]},
        "dct:accrualPeriodicity": {"@id": FREQUENCY[meta["frequency"]]},
        "dct:spatial": [
            {
                "@type": "dct:Location",
                "dct:identifier": [r["code"], r["bps_code"]],
                "foaf:name": r["name"],
            }
            for r in meta["regions"]
        ],
        "dcat:landingPage": {"@id": meta["links"]["page"]},
        "dct:accessRights": "PUBLIC",
        "dct:language": ["id", "en"],
        "dcat:distribution": distributions,
    }
    if meta["last_update"]:
        node["dct:modified"] = {"@value": meta["last_update"], "@type": "xsd:dateTime"}
    return node


def catalog() -> flask.Response:
    ctx = api.context()
    base = flask.request.host_url.rstrip("/")

    def make() -> flask.Response:
        facts = view.dataset_facts(ctx.engine, ctx.catalogue)
        datasets = [
            dataset_node(
                view.dataset(ctx.catalogue, i, facts[i.code], base), [i.code, *i.synonyms], base
            )
            for i in ctx.catalogue.indicators
        ]
        body = {
            "@context": CONTEXT,
            "@id": base + ROUTE,
            "@type": "dcat:Catalog",
            "dct:title": _both(
                {
                    "id": "Katalog Data Terbuka Provinsi Sulawesi Utara",
                    "en": "North Sulawesi Province Open Data Catalogue",
                }
            ),
            "dct:description": _both(
                {
                    "id": "Data terbuka Command Centre ODSK Pemerintah Provinsi Sulawesi Utara (Satu Data Indonesia).",
                    "en": "Open data of the ODSK Command Centre of the Provincial Government of North Sulawesi (One Data Indonesia).",
                }
            ),
            "dct:publisher": {
                "@type": "foaf:Organization",
                "foaf:name": "Pemerintah Provinsi Sulawesi Utara",
            },
            "dct:language": ["id", "en"],
            "dct:license": {"@id": LICENSE},
            "foaf:homepage": {"@id": base + "/data"},
            "dcat:dataset": datasets,
        }
        return flask.Response(json.dumps(body, ensure_ascii=False), mimetype=MEDIA_TYPE)

    return conditional.answer(ctx.engine, ctx.catalogue, "id", "jsonld", make)


def register(server: flask.Flask) -> None:
    route(
        server,
        Rule(Permission.PUBLIC),
        ROUTE,
        "dcat_catalog",
        api.api_view(catalog),
        methods=["GET"],
    )
