"""The registry of collector kinds.

Built-in kinds join it exactly as a third-party kind would: through the
``odsk.kinds`` entry-point group (see pyproject.toml), or ``register_kind`` at run time.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from collectors.base import Kind

_ENTRY_POINT_GROUP = "odsk.kinds"
_registered: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    if kind.name in _registered and _registered[kind.name] is not kind:
        raise ValueError(f"collector kind '{kind.name}' is already registered")
    _registered[kind.name] = kind
    return kind


def _discover() -> None:
    for ep in entry_points(group=_ENTRY_POINT_GROUP):
        if ep.name not in _registered:
            register_kind(ep.load())


def known_kinds() -> set[str]:
    _discover()
    return set(_registered)


def get_kind(name: str) -> Kind:
    if name not in _registered:
        _discover()
    try:
        return _registered[name]
    except KeyError:
        raise KeyError(f"unknown collector kind '{name}'") from None
