"""alerts.yaml: defaults, ${ENV} references, every problem reported with its path;
the migration adding the alert workflow goes up and down."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dashboard.alerts.config import AlertsConfig, load_alerts_config
from dashboard.catalogue import CatalogueError, load_catalogue
from dashboard.settings import PROJECT_ROOT
from dashboard.store.engine import make_engine
from dashboard.store.migrate import alembic_config, upgrade

SMALL = Path(__file__).parent / "catalogue_small"


def test_the_shipped_alerts_yaml_is_valid_against_the_shipped_catalogue(catalogue):
    config = load_alerts_config(PROJECT_ROOT / "config", catalogue, env={})
    assert {
        "catalogue-threshold",
        "source-stale",
        "source-failing",
        "earthquake",
    } <= config.rule_ids()
    assert {r.type for r in config.rules} == {"comparison", "rate_of_change", "anomaly", "seasonal"}
    # Channels stay off until their environment variables are set.
    assert not config.notify.email.enabled and not any(w.enabled for w in config.notify.webhooks)


def test_channels_come_from_the_environment(catalogue):
    config = load_alerts_config(
        PROJECT_ROOT / "config",
        catalogue,
        env={
            "ODSK_ALERT_WEBHOOK_URL": "http://chat.local/hook",
            "ODSK_SMTP_HOST": "mail.local",
            "ODSK_SMTP_PORT": "2525",
            "ODSK_ALERT_EMAIL_TO": "piket@x.go.id, kadis@x.go.id",
        },
    )
    assert (
        config.notify.webhooks[0].enabled
        and config.notify.webhooks[0].url == "http://chat.local/hook"
    )
    email = config.notify.email
    assert (
        email.enabled
        and email.port == 2525
        and email.recipients == ["piket@x.go.id", "kadis@x.go.id"]
    )


def test_a_missing_file_means_the_defaults(tmp_path):
    assert load_alerts_config(tmp_path) == AlertsConfig()
    assert AlertsConfig().rule_ids() == {
        "catalogue-threshold",
        "source-stale",
        "source-failing",
        "earthquake",
    }


def test_every_problem_is_reported_with_its_path(tmp_path):
    for f in SMALL.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "alerts.yaml").write_text("""
rules:
  - {id: a, type: comparison, indicator: NOPE, op: ">", value: 1}
  - {id: a, type: seasonal, indicator: LIV.BOR, regions: ["71", "99.99"]}
  - {id: source-stale, type: anomaly, indicator: LIV.BOR}
notify:
  webhooks: [{id: x, url: "http://a"}, {id: x, url: "http://b"}]
""")
    with pytest.raises(CatalogueError) as caught:
        load_alerts_config(tmp_path, load_catalogue(tmp_path))
    assert [str(i) for i in caught.value.issues] == [
        "alerts.yaml: rules[0].indicator: indicator 'NOPE' is not in indicators.yaml",
        "alerts.yaml: rules[1].id: 'a' is already a rule id",
        "alerts.yaml: rules[1].regions[1]: region '99.99' is not in regions.yaml",
        "alerts.yaml: rules[2].id: 'source-stale' is already a rule id",
        "alerts.yaml: notify.webhooks[1].id: 'x' is defined more than once",
    ]


def test_shape_errors_are_reported_too(tmp_path):
    (tmp_path / "alerts.yaml").write_text("""
rules:
  - {id: r, type: rate_of_change, indicator: LIV.BOR}
  - {id: s, type: sideways, indicator: LIV.BOR}
failing: {consecutive: 0}
""")
    with pytest.raises(CatalogueError) as caught:
        load_alerts_config(tmp_path)
    text = str(caught.value)
    assert "give exactly one of max_change_pct or max_change" in text
    assert "rules[1]" in text and "failing.consecutive" in text


def test_the_migration_goes_up_and_down(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    assert {"alert_notification", "shift_note"} <= set(inspect(engine).get_table_names())
    assert "uq_alert_open_rule_subject" in {i["name"] for i in inspect(engine).get_indexes("alert")}
    command.downgrade(alembic_config(url), "0001")
    engine.dispose()
    engine = make_engine(url)
    assert not {"alert_notification", "shift_note"} & set(inspect(engine).get_table_names())
    engine.dispose()
    upgrade(url)
