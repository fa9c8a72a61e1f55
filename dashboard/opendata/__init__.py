"""Public open data: the REST API (/api/v1), its OpenAPI document, the catalogue pages
(/data), harvestable metadata (DCAT, a CKAN read subset) and embeddable panels (/embed)."""
