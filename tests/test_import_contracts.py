"""The import contracts' module lists stay whole.

The store and collector contracts (pyproject.toml, [tool.importlinter]) forbid every module of
dashboard/ except the few they may use; import-linter cannot say "all but these", so the lists
name them one by one. A module added to dashboard/ without being added there would slip past
the contract: this test says which list to extend.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest

import dashboard

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _contract(contract_id: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["id"] == contract_id)


def _dashboard_modules() -> set[str]:
    return {f"dashboard.{m.name}" for m in pkgutil.iter_modules(dashboard.__path__)}


@pytest.mark.parametrize(
    ("contract_id", "allowed"),
    [
        ("store-below", {"dashboard.store", "dashboard.catalogue"}),
        ("collectors-apart", {"dashboard.catalogue", "dashboard.regions"}),
    ],
)
def test_forbidden_lists_name_every_other_dashboard_module(contract_id, allowed):
    forbidden = {
        m for m in _contract(contract_id)["forbidden_modules"] if m.startswith("dashboard")
    }
    expected = _dashboard_modules() - allowed
    assert not expected - forbidden, f"add to {contract_id}'s forbidden_modules in pyproject.toml"
    assert not forbidden - expected, f"{contract_id} forbids modules that are gone or allowed"
