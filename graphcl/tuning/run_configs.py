"""Build the run configs of trials: base config + study overrides + sampled values."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from graphcl.config import ConfigError, RunConfig, load_run_config, read_yaml


def base_config_path(name: str, study_folder: Path | None) -> Path:
    """Find the study's ``base_config``: a path (relative to the study file, then the working
    directory) or a shipped name such as ``hetero/meow_acm``.

    Args:
        name: the ``base_config`` value.
        study_folder: folder of the study file (None when the study came from a mapping).
    """
    from graphcl.utils.resources import configs_dir

    candidates = []
    if study_folder is not None:
        candidates.append(study_folder / name)
    candidates += [Path(name), configs_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")]
    for path in candidates:
        if path.is_file():
            return path
    shipped = sorted(str(p.relative_to(configs_dir()).with_suffix("")) for p in configs_dir().glob("*/*.yaml"))
    raise ConfigError(
        f"base_config {name!r} not found (looked at {[str(c) for c in candidates]}); "
        f"give a run-config path or a shipped name: {shipped}"
    )


def _deep_merge(into: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


def set_path(data: dict, dotted: str, value: Any) -> None:
    """Set ``data[a][b][c] = value`` for ``dotted = "a.b.c"``, creating sections as needed.

    Args:
        data: nested mapping, changed in place.
        dotted: the dotted path.
        value: the value to set.
    """
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        if node.get(part) is None:
            node[part] = {}
        if not isinstance(node[part], dict):
            raise ConfigError(f"{dotted}: {part!r} is a value, not a section")
        node = node[part]
    node[parts[-1]] = value


def base_mapping(name: str, study_folder: Path | None, overrides: dict) -> dict:
    """The base run config as a plain mapping, with the study's ``overrides`` merged in.

    Args:
        name: the study's ``base_config``.
        study_folder: folder of the study file, for relative paths.
        overrides: the study's nested ``overrides`` mapping.
    """
    data = read_yaml(base_config_path(name, study_folder))
    return _deep_merge(data, overrides or {})


def build_run_config(base: dict, values: dict[str, Any], **top_level: Any) -> RunConfig:
    """Validated run config for a trial: ``base`` with each ``dotted.path: value`` applied.

    Args:
        base: base run-config mapping (see :func:`base_mapping`); not modified.
        values: sampled values keyed by dotted path (``params.train.lr``).
        top_level: run-config fields to set as well (``seed``, ``out_dir``, ``data_root``);
            ``None`` values are skipped.
    """
    data = copy.deepcopy(base)
    for path, value in values.items():
        set_path(data, path, value)
    for key, value in top_level.items():
        if value is not None:
            data[key] = value
    return load_run_config(data)
