"""The model of ``config/alerts.yaml``: rules, their defaults, and where notifications go.

Every section has defaults, so a missing file means "the built-in rules, no channels".
Secrets (webhook tokens, SMTP passwords) never live in the file: URLs may use
``${ENV}`` references and the SMTP password is named by ``password_env``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from dashboard.alerts.rule_types import CustomRule
from dashboard.alerts.rule_types.base import RegionScope, Strict
from dashboard.catalogue.freshness import Severity, Staleness
from dashboard.catalogue.loader import CatalogueError, ConfigIssue, load_optional_file
from dashboard.catalogue.models import Catalogue

FILE = "alerts.yaml"
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")
# Rule ids the built-in rules use; custom rules may not take them.
CATALOGUE_THRESHOLD = "catalogue-threshold"
SOURCE_STALE = "source-stale"
SOURCE_FAILING = "source-failing"
BUILTIN_RULES = (CATALOGUE_THRESHOLD, SOURCE_STALE, SOURCE_FAILING)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


class CatalogueThresholds(Strict):
    """Alerts from the catalogue's own targets and bands (``dashboard.status``)."""

    enabled: bool = True
    regions: RegionScope = "province"
    behind: Severity | None = "warning"
    at_risk: Severity | None = None


class Failing(Strict):
    """A collector whose last ``consecutive`` finished runs all failed."""

    enabled: bool = True
    consecutive: int = Field(default=3, ge=1, le=100)
    severity: Severity = "warning"


class Origin(Strict):
    """The point earthquake distances are measured from (Manado, the provincial capital)."""

    name: str = "Manado"
    lat: float = Field(default=1.4748, ge=-90, le=90)
    lon: float = Field(default=124.8421, ge=-180, le=180)


class QuakeLevel(Strict):
    min_magnitude: float = Field(ge=0, le=10)
    max_distance_km: float = Field(gt=0)
    severity: Severity


class Earthquakes(Strict):
    """One alert per felt earthquake, at the most severe level it reaches; it resolves
    once the quake is older than ``within_hours``."""

    enabled: bool = True
    id: str = "earthquake"
    event_kinds: list[str] = ["earthquake"]
    within_hours: float = Field(default=24, gt=0)
    levels: list[QuakeLevel] = [
        QuakeLevel(min_magnitude=6.0, max_distance_km=300, severity="critical"),
        QuakeLevel(min_magnitude=5.0, max_distance_km=300, severity="warning"),
    ]


class Webhook(Strict):
    id: str
    # Empty (an unset ${ENV} reference) switches the webhook off.
    url: str = ""
    min_severity: Severity = "warning"
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @property
    def enabled(self) -> bool:
        return bool(self.url.strip())


class Email(Strict):
    # Empty host switches email off.
    host: str = ""
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "odsk-command-centre@localhost"
    recipients: list[str] = []
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    min_severity: Severity = "warning"
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("recipients", mode="before")
    @classmethod
    def _comma_separated(cls, v: Any) -> Any:
        # "${ODSK_ALERT_EMAIL_TO}" expands to one string: "a@x, b@y".
        if isinstance(v, str):
            return [part.strip() for part in v.split(",") if part.strip()]
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.host.strip()) and bool(self.recipients)


class Delivery(Strict):
    """Retries: ``attempts`` quick tries with exponential backoff inside one delivery,
    then again at later evaluations until ``give_up_after`` tries in all."""

    attempts: int = Field(default=4, ge=1, le=20)
    wait_initial_seconds: float = Field(default=1.0, ge=0)
    wait_max_seconds: float = Field(default=30.0, ge=0)
    give_up_after: int = Field(default=20, ge=1)


class BriefRecipient(Strict):
    address: str = Field(min_length=3, max_length=100)
    # The language of the mail and of the PDF attached.
    lang: Literal["id", "en"] = "id"


class BriefDelivery(Strict):
    """Who gets the Monday brief: by e-mail (through ``email``'s server), PDF attached in
    the recipient's language; and webhooks (ids from ``webhooks``) that get a link to it."""

    recipients: list[BriefRecipient] = []
    webhooks: list[str] = []
    # Where the web app is reached from the recipients' side (the link in mails and hooks).
    base_url: str = "http://127.0.0.1:8050"


class Notify(Strict):
    webhooks: list[Webhook] = []
    email: Email = Email()
    delivery: Delivery = Delivery()
    on_resolved: bool = True
    brief: BriefDelivery = BriefDelivery()


class AlertsConfig(Strict):
    evaluation_interval_seconds: int = Field(default=60, ge=5, le=3600)
    # An alert whose condition clears resolves only after it has stayed clear this long; if
    # it comes back meanwhile the alert simply goes on (a flapping source or value makes one
    # alert, not a fired/resolved pair every few minutes). 0: resolve at once.
    resolve_after_seconds: int = Field(default=0, ge=0, le=24 * 3600)
    catalogue_thresholds: CatalogueThresholds = CatalogueThresholds()
    staleness: Staleness = Staleness()
    failing: Failing = Failing()
    origin: Origin = Origin()
    earthquakes: Earthquakes = Earthquakes()
    rules: list[CustomRule] = []
    notify: Notify = Notify()

    def rule_ids(self) -> set[str]:
        """Every rule id this configuration evaluates (open alerts of others get resolved)."""
        ids = set()
        if self.catalogue_thresholds.enabled:
            ids.add(CATALOGUE_THRESHOLD)
        if self.staleness.enabled:
            ids.add(SOURCE_STALE)
        if self.failing.enabled:
            ids.add(SOURCE_FAILING)
        if self.earthquakes.enabled:
            ids.add(self.earthquakes.id)
        return ids | {r.id for r in self.rules}


def channels_for(config: AlertsConfig) -> Callable[[str, str], list[tuple[str, str]]]:
    """The channels that want a transition of this severity (resolutions per ``on_resolved``)."""
    notify = config.notify

    def wanted(severity: str, event: str) -> list[tuple[str, str]]:
        if event == "resolved" and not notify.on_resolved:
            return []
        out = [
            ("webhook", w.id)
            for w in notify.webhooks
            if w.enabled and severity_rank(severity) >= severity_rank(w.min_severity)
        ]
        if notify.email.enabled and severity_rank(severity) >= severity_rank(
            notify.email.min_severity
        ):
            out.append(("email", "email"))
        return out

    return wanted


def load_alerts_config(
    config_dir: Path | str, catalogue: Catalogue | None = None, env: dict[str, str] | None = None
) -> AlertsConfig:
    """Read ``alerts.yaml`` (defaults when absent); raise ``CatalogueError`` listing every problem."""
    config = load_optional_file(config_dir, FILE, AlertsConfig, expand=True, env=env)
    issues = check_against(config, catalogue) if catalogue is not None else []
    if issues:
        raise CatalogueError(issues)
    return config


def check_against(config: AlertsConfig, catalogue: Catalogue) -> list[ConfigIssue]:
    """References to the catalogue, and rule ids that would collide."""
    issues = []
    regions = set(catalogue.regions_by_code)
    indicators = catalogue.indicators_by_code
    seen: set[str] = set(BUILTIN_RULES) | {config.earthquakes.id}
    for i, rule in enumerate(config.rules):
        where = f"rules[{i}]"
        if rule.id in seen:
            issues.append(ConfigIssue(FILE, f"{where}.id", f"'{rule.id}' is already a rule id"))
        seen.add(rule.id)
        indicator = indicators.get(rule.indicator)
        if indicator is None:
            issues.append(
                ConfigIssue(
                    FILE,
                    f"{where}.indicator",
                    f"indicator '{rule.indicator}' is not in indicators.yaml",
                )
            )
        elif (why := rule.indicator_issue(indicator)) is not None:
            issues.append(ConfigIssue(FILE, f"{where}.type", why))
        issues += _region_issues(rule.regions, regions, f"{where}.regions")
    issues += _region_issues(
        config.catalogue_thresholds.regions, regions, "catalogue_thresholds.regions"
    )
    ids = [w.id for w in config.notify.webhooks]
    for i, hook in enumerate(ids):
        if ids.index(hook) != i:
            issues.append(
                ConfigIssue(FILE, f"notify.webhooks[{i}].id", f"'{hook}' is defined more than once")
            )
    return issues


def _region_issues(scope: RegionScope, known: set[str], where: str) -> list[ConfigIssue]:
    if isinstance(scope, str):
        return []
    return [
        ConfigIssue(FILE, f"{where}[{j}]", f"region '{code}' is not in regions.yaml")
        for j, code in enumerate(scope)
        if code not in known
    ]


def regions_of(scope: RegionScope, catalogue: Catalogue) -> list[str]:
    if scope == "province":
        return [catalogue.province.code]
    if scope == "all":
        return [r.code for r in catalogue.regions]
    return list(scope)
