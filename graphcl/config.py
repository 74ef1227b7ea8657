"""Typed configuration: dataclasses loaded from YAML with ``--set key=value`` overrides.

Every config section is a dataclass. :func:`from_dict` builds one from a plain
mapping and rejects unknown keys and ill-typed values with the valid choices in
the message, so a typo in a YAML file fails loudly instead of being ignored.

A run file looks like::

    task: hetero            # hetero | rec
    model: meow             # a name in graphcl.registry.MODELS
    dataset: acm
    seed: 0
    params:                 # validated against the model's params dataclass
      model:                # sections: model, train, eval (rec models also smoke)
        hidden_dim: 64
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml

from graphcl.utils.errors import UserError
from graphcl.utils.strict_yaml import load_unique


class ConfigError(UserError, ValueError):
    """A config file or override is invalid; the message says what and how to fix it."""


class UnknownModelError(ConfigError, KeyError):
    """A model name is not in :data:`graphcl.registry.MODELS` (also a ``KeyError``)."""


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against annotation ``tp``; apply only lossless coercions (int -> float)."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            raise ConfigError(f"{where}: {value!r} is not one of {list(choices)}")
        return value
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(f"{where}: {value!r} matches none of {[_type_name(a) for a in args]}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise ConfigError(f"{where}: expected {len(args)} items, got {len(value)}")
            return tuple(_coerce(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        item_tp = args[0] if args else Any
        items = [_coerce(v, item_tp, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        _, val_tp = get_args(tp) or (Any, Any)
        return {k: _coerce(v, val_tp, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping for {tp.__name__}, got {value!r}")
        return from_dict(tp, value, where)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{where}: {value!r} is not a finite number; give a real value (e.g. 0.001)")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}")
    return value


def from_dict(cls: type, data: dict, where: str = "") -> Any:
    """Build dataclass ``cls`` from ``data``; unknown keys and bad values raise :class:`ConfigError`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or cls.__name__}: expected a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        _refuse_moved_keys(cls, hints, unknown, where)
        raise ConfigError(f"{where or cls.__name__}: unknown key(s) {unknown}; valid keys are {sorted(fields)}")
    kwargs = {}
    for name, value in data.items():
        kwargs[name] = _coerce(value, hints[name], f"{where}.{name}" if where else name)
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where or cls.__name__}: missing required key(s) {missing}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # __post_init__ validation
        raise ConfigError(f"{where or cls.__name__}: {exc}") from exc


def _refuse_moved_keys(cls: type, hints: dict, unknown: list[str], where: str) -> None:
    """A flat key of an old config that now lives in a section of ``cls`` (issue #16 nested the
    model params into ``model``/``train``/``eval``/``smoke``) raises a :class:`ConfigError` that
    names the new key."""
    sections = [f.name for f in dataclasses.fields(cls) if f.init and dataclasses.is_dataclass(hints[f.name])]
    for key in unknown:
        for section in sections:
            if key in {f.name for f in dataclasses.fields(hints[section]) if f.init}:
                prefix = f"{where}." if where else ""
                raise ConfigError(
                    f"{prefix}{key} moved to {prefix}{section}.{key} (issue #16: params are "
                    f"nested into {'/'.join(sections)} sections)"
                )


def to_dict(obj: Any) -> Any:
    """Plain-YAML representation of a config dataclass."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``a.b.c=value``; the value is read as YAML (``1e-3``, ``true``, ``[1, 2]``)."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} must look like key=value, e.g. params.train.lr=0.001")
    key, raw = text.split("=", 1)
    if not key.strip():
        raise ConfigError(f"override {text!r} has an empty key")
    try:
        value = load_unique(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {text!r}: the value is not valid YAML ({exc})") from exc
    # YAML reads 1e-3 as a string; numbers written that way are meant as floats.
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value.lower() for c in ".e") else int(value)
        except ValueError:
            pass
    return key.strip().split("."), value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Return a copy of ``data`` with each ``key.path=value`` override set (new keys included:
    validation happens afterwards, so a misspelt key is still rejected)."""
    import copy

    out = copy.deepcopy(data)
    for text in overrides:
        path, value = parse_override(text)
        node = out
        for part in path[:-1]:
            if node.get(part) is None:
                node[part] = {}
            if not isinstance(node[part], dict):
                raise ConfigError(f"override {text!r}: {part!r} is not a section")
            node = node[part]
        _set_value(node, path[-1], value, text)
    return out


def _set_value(node: dict, key: str, value: Any, text: str) -> None:
    """``node[key] = value``, except that a section is never replaced wholesale: a mapping is
    merged into it and anything else (``params=null``) is refused, since it would silently
    reset every value the file set."""
    current = node.get(key)
    if not isinstance(current, dict):
        node[key] = value
        return
    if not isinstance(value, dict):
        example = next(iter(current), "name")
        raise ConfigError(
            f"override {text!r} would drop every value of section {key!r}; "
            f"set its keys one by one instead (e.g. {key}.{example}=...)"
        )
    for inner, inner_value in value.items():
        _set_value(current, inner, inner_value, text)


def read_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist; `graphcl config list` shows the shipped ones")
    try:
        data = load_unique(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data


DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:[0-9]+)?")


@dataclasses.dataclass
class RunConfig:
    """One training run: which model on which dataset, plus the model's own ``params``.

    Args:
        task: ``"hetero"`` (node embeddings) or ``"rec"`` (sequential recommendation); a config may
            leave it out (it follows from ``model``), and one that names it must name the model's.
        model: model name registered in :data:`graphcl.registry.MODELS`.
        dataset: dataset name from the registry (``graphcl data list``).
        seed: random seed for :func:`graphcl.utils.seed.seed_everything`.
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (cuda when available).
        data_root: dataset folder; ``None`` resolves ``GRAPHCL_DATA`` then the user cache.
        out_dir: parent folder of run folders.
        params: the model's hyperparameters (validated against its params dataclass).
    """

    task: Literal["hetero", "rec"]
    model: str
    dataset: str
    seed: int = 0
    device: str = "auto"
    data_root: str | None = None
    out_dir: str = "runs"
    params: Any = None

    def __post_init__(self) -> None:
        if not DEVICE_PATTERN.fullmatch(self.device):
            raise ValueError(f"device {self.device!r} is not a device; use auto, cpu, cuda or cuda:N (N = 0, 1, ...)")


def load_run_config(source: str | Path | dict, overrides: list[str] | None = None) -> RunConfig:
    """Load a run file (path or mapping), apply overrides and validate ``params`` against the
    model's dataclass from the registry."""
    from graphcl.registry import model_task, params_class

    data = read_yaml(source) if not isinstance(source, dict) else dict(source)
    data = apply_overrides(data, overrides or [])
    params = data.pop("params", None) or {}
    if "task" not in data and isinstance(data.get("model"), str):
        data["task"] = model_task(data["model"])  # the task follows from the model; naming it is optional
    run = from_dict(RunConfig, data)
    task = model_task(run.model)
    if task != run.task:
        raise ConfigError(
            f"task: {run.task!r} does not match model {run.model!r}, which is a {task!r} model; set task: {task}"
        )
    run.params = from_dict(params_class(run.model), params, "params")
    return run
