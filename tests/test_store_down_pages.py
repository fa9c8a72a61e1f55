"""A page whose store cannot be reached says so, with the one message in the reader's language,
instead of an error or an empty page that reads as "nothing to report"."""

import sys

import pytest

from dashboard import i18n
from dashboard.access.principal import Principal, set_principal
from dashboard.settings import PROJECT_ROOT, Settings
from dashboard.webapp import context_of, create_app

PAGES = [
    ("layouts.alerts", {}),
    ("layouts.brief", {}),
    ("layouts.data", {}),
    ("layouts.data_dataset", {"code": "{indicator}"}),
    ("layouts.domain", {"domain_id": "living"}),
    ("layouts.followup", {}),
    ("layouts.indicator", {"code": "{indicator}"}),
    ("layouts.ops_audit", {}),
    ("layouts.ops_compliance", {}),
    ("layouts.ops_screens", {}),
    ("layouts.ops_sources", {}),
    ("layouts.overview", {}),
    ("layouts.provenance", {"obs_id": "1"}),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("store-down")
    # A store that refuses every connection: its folder does not exist.
    url = f"sqlite:///{data / 'missing' / 'odsk.db'}"
    return create_app(Settings(database_url=url, data_dir=data, config_dir=PROJECT_ROOT / "config"))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("module", "query"), PAGES, ids=[m for m, _ in PAGES])
def test_the_page_says_the_store_is_down(app, module, query, lang):
    context = context_of(app)
    indicator = context.catalogue.indicators[0].code
    query = {k: v.format(indicator=indicator) for k, v in query.items()}
    with app.server.test_request_context(f"/?lang={lang}"):
        set_principal(Principal("account", 0, "admin-page", "admin", clearance="restricted"))
        page = str(sys.modules[module].layout(lang=lang, **query))
    assert i18n.label("store_down", lang) in page
