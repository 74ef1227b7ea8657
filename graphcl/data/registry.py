"""Read ``datasets/registry.yaml``: one entry per dataset (files, sources, sha256, statistics).

The format is described in ``docs/data.md``. Functions accept an injected ``registry`` mapping
(``{"datasets": {...}}``) so that tests can describe synthetic datasets served from a temporary
folder without touching the shipped file.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from graphcl.data.errors import UnknownDatasetError
from graphcl.utils.strict_yaml import load_unique

KINDS = ("hetero", "sequences", "recbole_builtin", "item_metadata")


@functools.lru_cache(maxsize=1)
def _shipped_registry() -> dict:
    from graphcl.utils.resources import datasets_dir

    path = datasets_dir() / "registry.yaml"
    with open(path, encoding="utf-8") as fh:
        data = load_unique(fh.read())
    return validate_registry(data, str(path))


def validate_registry(data: Any, where: str = "registry") -> dict:
    """Check the top-level shape of a registry mapping and return it."""
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict):
        raise ValueError(f"{where}: expected a mapping with a 'datasets' mapping at the top level")
    for name, entry in data["datasets"].items():
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise ValueError(f"{where}: dataset {name!r} needs 'kind' set to one of {list(KINDS)}")
        if not isinstance(entry.get("files"), dict) or not entry["files"]:
            raise ValueError(f"{where}: dataset {name!r} needs a non-empty 'files' mapping")
    return data


def load_registry(registry: dict | None = None) -> dict:
    """The registry mapping: ``registry`` if given (validated), else the shipped file.

    Args:
        registry: optional mapping ``{"datasets": {name: entry}}`` to use instead (tests).
    """
    if registry is None:
        return _shipped_registry()
    return validate_registry(registry)


def dataset_names(registry: dict | None = None) -> list[str]:
    """Sorted names of the registered datasets (``registry``: as in :func:`load_registry`)."""
    return sorted(load_registry(registry)["datasets"])


def dataset_info(name: str, registry: dict | None = None) -> dict:
    """A copy of the registry entry of dataset ``name`` (raises :class:`UnknownDatasetError` listing the
    known names otherwise).

    Args:
        name: dataset name, e.g. ``"acm"`` or ``"beauty"``.
        registry: optional registry mapping to use instead of the shipped one (tests).
    """
    datasets = load_registry(registry)["datasets"]
    if name not in datasets:
        raise UnknownDatasetError(
            f"unknown dataset {name!r}; known datasets: {sorted(datasets)} (see `graphcl data list`)"
        )
    return copy.deepcopy(datasets[name])  # callers may edit their copy, never the cached registry
