"""Load and cross-check the catalogue; every problem names its file and key path."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from dashboard.catalogue.freshness import Staleness
from dashboard.catalogue.models import (
    Catalogue,
    DomainsFile,
    Indicator,
    IndicatorsFile,
    Plans,
    RegionsFile,
    SkpdFile,
    SourcesFile,
    normalise_name,
)

# Optional: plan curves of cumulative indicators (see dashboard.scorecard.plans).
PLANS_FILE = "plans.yaml"
# Optional: alert rules; the catalogue reads only its ``staleness:`` limits (see
# dashboard.catalogue.freshness), dashboard.alerts.config validates the rest.
ALERTS_FILE = "alerts.yaml"


class _StalenessSection(BaseModel):
    model_config = ConfigDict(extra="ignore")
    staleness: Staleness = Staleness()


ModelT = TypeVar("ModelT", bound=BaseModel)

# libyaml's loader when PyYAML was built with it: several times faster, same safety.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ConfigIssue:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else f"{self.file}: {self.message}"
        )


@dataclass(frozen=True)
class CoreFiles:
    """The five files every catalogue has, each validated against its own model."""

    domains: DomainsFile
    regions: RegionsFile
    skpd: SkpdFile
    indicators: IndicatorsFile
    sources: SourcesFile


class CatalogueError(Exception):
    """The catalogue is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "must be one of " + ", ".join(expected)
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known key"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][:1].lower() + err["msg"][1:]


def issues_from_validation(
    file: str, exc: ValidationError, prefix: tuple[Any, ...] = ()
) -> list[ConfigIssue]:
    issues = []
    for err in exc.errors():
        # Pydantic appends the tag of a before-validator to the location; hide it.
        loc = tuple(p for p in err["loc"] if p not in ("function-before[_same_in_both(), Text]",))
        issues.append(ConfigIssue(file, format_loc(prefix + loc), _message(err)))
    return issues


def expand_env(value: Any, env: Mapping[str, str] | None = None) -> Any:
    """Replace ``${NAME}`` / ``${NAME:-default}`` in strings (URLs of sources, for one)."""
    names: Mapping[str, str] = os.environ if env is None else env
    if isinstance(value, str):
        return _ENV_REF.sub(lambda m: names.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(v, names) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, names) for k, v in value.items()}
    return value


def _read_yaml(path: Path) -> tuple[Any, list[ConfigIssue]]:
    if not path.exists():
        return None, [ConfigIssue(path.name, "", "file is missing")]
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return None, [
            ConfigIssue(path.name, "", f"{where}not valid YAML ({getattr(exc, 'problem', exc)})")
        ]


def _duplicates(file: str, key: str, values: list[str], field: str) -> list[ConfigIssue]:
    counts = Counter(values)
    return [
        ConfigIssue(file, f"{key}[{i}].{field}", f"'{v}' is defined more than once")
        for i, v in enumerate(values)
        if counts[v] > 1 and values.index(v) != i
    ]


def cross_check(parsed: CoreFiles) -> tuple[list[ConfigIssue], dict[str, Any]]:
    """Check references between files; validate source options with their kind's model."""
    from collectors.registry import get_kind, known_kinds

    issues: list[ConfigIssue] = []
    domains = parsed.domains.domains
    regions = parsed.regions.regions
    skpd = parsed.skpd.skpd
    indicators = parsed.indicators.indicators
    sources = parsed.sources.sources

    issues += _duplicates("domains.yaml", "domains", [d.id for d in domains], "id")
    issues += _duplicates("regions.yaml", "regions", [r.code for r in regions], "code")
    issues += _duplicates("regions.yaml", "regions", [r.bps_code for r in regions], "bps_code")
    issues += _duplicates("skpd.yaml", "skpd", [s.id for s in skpd], "id")
    issues += _duplicates("indicators.yaml", "indicators", [i.code for i in indicators], "code")
    issues += _duplicates("sources.yaml", "sources", [s.id for s in sources], "id")

    provinces = [r for r in regions if r.kind == "province"]
    if len(provinces) != 1:
        issues.append(
            ConfigIssue(
                "regions.yaml", "regions", f"needs exactly one province, found {len(provinces)}"
            )
        )
    names: dict[str, str] = {}
    for i, region in enumerate(regions):
        for j, alias in enumerate([region.name, region.short_name, *region.aliases]):
            key = normalise_name(alias)
            if key in names and names[key] != region.code:
                path = f"regions[{i}]." + (
                    f"aliases[{j - 2}]" if j >= 2 else ("name", "short_name")[j]
                )
                issues.append(
                    ConfigIssue(
                        "regions.yaml", path, f"'{alias}' already names region {names[key]}"
                    )
                )
            names.setdefault(key, region.code)
    grid = Counter((r.grid.row, r.grid.col) for r in regions if r.grid)
    for i, r in enumerate(regions):
        if r.grid and grid[(r.grid.row, r.grid.col)] > 1:
            issues.append(
                ConfigIssue(
                    "regions.yaml",
                    f"regions[{i}].grid",
                    "another region has the same grid position",
                )
            )

    apps = {d.id: {a.id for a in d.applications} for d in domains}
    skpd_ids = {s.id for s in skpd}
    for i, ind in enumerate(indicators):
        if ind.domain not in apps:
            issues.append(
                ConfigIssue(
                    "indicators.yaml",
                    f"indicators[{i}].domain",
                    f"domain '{ind.domain}' is not in domains.yaml",
                )
            )
        elif ind.application not in apps[ind.domain]:
            issues.append(
                ConfigIssue(
                    "indicators.yaml",
                    f"indicators[{i}].application",
                    f"application '{ind.application}' is not an application of domain '{ind.domain}'",
                )
            )
        if ind.skpd not in skpd_ids:
            issues.append(
                ConfigIssue(
                    "indicators.yaml",
                    f"indicators[{i}].skpd",
                    f"SKPD '{ind.skpd}' is not in skpd.yaml",
                )
            )

    codes = {i.code for i in indicators}
    options: dict[str, Any] = {}
    for i, src in enumerate(sources):
        if src.skpd not in skpd_ids:
            issues.append(
                ConfigIssue(
                    "sources.yaml", f"sources[{i}].skpd", f"SKPD '{src.skpd}' is not in skpd.yaml"
                )
            )
        for j, code in enumerate(src.indicators):
            if code not in codes:
                issues.append(
                    ConfigIssue(
                        "sources.yaml",
                        f"sources[{i}].indicators[{j}]",
                        f"indicator '{code}' is not in indicators.yaml",
                    )
                )
        if src.kind not in known_kinds():
            issues.append(
                ConfigIssue(
                    "sources.yaml",
                    f"sources[{i}].kind",
                    f"unknown kind '{src.kind}'; known kinds: {', '.join(sorted(known_kinds()))}",
                )
            )
            continue
        try:
            options[src.id] = get_kind(src.kind).options_model.model_validate(src.options)
        except ValidationError as exc:
            issues += issues_from_validation("sources.yaml", exc, ("sources", i, "options"))
    return issues, options


def load_optional_file(
    config_dir: Path | str,
    name: str,
    model: type[ModelT],
    *,
    expand: bool = False,
    env: Mapping[str, str] | None = None,
) -> ModelT:
    """A catalogue file that may be absent (wall.yaml, alerts.yaml): the model's defaults
    then; otherwise validated, with every problem reported as the core files' are."""
    path = Path(config_dir) / name
    raw: Any = {}
    if path.exists():
        raw, issues = _read_yaml(path)
        if issues:
            raise CatalogueError(issues)
    raw = raw or {}
    try:
        return model.model_validate(expand_env(raw, env) if expand else raw)
    except ValidationError as exc:
        raise CatalogueError(issues_from_validation(name, exc)) from exc


def with_plans(indicators: list[Indicator], plans: Plans) -> list[Indicator]:
    """Each cumulative indicator with its plan curve from plans.yaml; a plan for an unknown or
    non-cumulative indicator is an error (it would silently judge nothing)."""
    by_code = {i.code: i for i in indicators}
    issues = []
    for code in plans.plans:
        if code not in by_code:
            issues.append(
                ConfigIssue(
                    PLANS_FILE, f"plans.{code}", f"indicator '{code}' is not in indicators.yaml"
                )
            )
        elif not by_code[code].cumulative:
            issues.append(
                ConfigIssue(
                    PLANS_FILE,
                    f"plans.{code}",
                    f"indicator '{code}' is not cumulative; a plan curve only applies to one that is",
                )
            )
    if issues:
        raise CatalogueError(issues)
    return [
        i.model_copy(update={"plan": plans.get(i.code)}) if plans.get(i.code) else i
        for i in indicators
    ]


def _parse_file(
    config_dir: Path,
    name: str,
    model: type[ModelT],
    issues: list[ConfigIssue],
    *,
    expand: bool = False,
    env: Mapping[str, str] | None = None,
) -> ModelT | None:
    """One core file validated, or None with its problems added to ``issues``."""
    raw, read_issues = _read_yaml(config_dir / name)
    issues += read_issues
    if read_issues:
        return None
    if expand:
        raw = expand_env(raw, env)
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        issues += issues_from_validation(name, exc)
        return None


def load_catalogue(config_dir: Path | str, env: Mapping[str, str] | None = None) -> Catalogue:
    """Read every catalogue file; raise CatalogueError listing all problems at once."""
    config_dir = Path(config_dir)
    issues: list[ConfigIssue] = []
    domains = _parse_file(config_dir, "domains.yaml", DomainsFile, issues)
    regions = _parse_file(config_dir, "regions.yaml", RegionsFile, issues)
    skpd = _parse_file(config_dir, "skpd.yaml", SkpdFile, issues)
    indicators = _parse_file(config_dir, "indicators.yaml", IndicatorsFile, issues)
    sources = _parse_file(config_dir, "sources.yaml", SourcesFile, issues, expand=True, env=env)
    if domains is None or regions is None or skpd is None or indicators is None or sources is None:
        raise CatalogueError(issues)  # a file that did not parse has added its problems
    more, options = cross_check(CoreFiles(domains, regions, skpd, indicators, sources))
    issues += more
    if issues:
        raise CatalogueError(issues)
    return Catalogue(
        domains=domains.domains,
        regions=regions.regions,
        skpd=skpd.skpd,
        indicators=with_plans(
            indicators.indicators, load_optional_file(config_dir, PLANS_FILE, Plans)
        ),
        sources=sources.sources,
        source_options=options,
        environment=sources.environment,
        staleness=load_optional_file(config_dir, ALERTS_FILE, _StalenessSection).staleness,
    )
