"""Check a study's search space against the model's params dataclass before any trial runs."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, Union

from graphcl.config import ConfigError
from graphcl.tuning.param_spec import ParamSpec
from graphcl.tuning.run_configs import build_run_config


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def field_annotation(params_cls: type, dotted: str) -> Any:
    """Type annotation of ``params.a.b`` in ``params_cls`` (nested dataclasses are sections).

    Args:
        params_cls: the model's params dataclass.
        dotted: a path starting with ``params.``.
    """
    parts = dotted.split(".")
    if parts[0] != "params" or len(parts) < 2:
        raise ConfigError(
            f"search_space: {dotted!r} is not a model parameter; paths start with 'params.' "
            "(e.g. params.train.lr); seeds are set by the study's `seeds`"
        )
    cls, walked = params_cls, "params"
    for i, part in enumerate(parts[1:]):
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        if part not in fields:
            raise ConfigError(
                f"search_space: unknown parameter path {dotted!r}: {cls.__name__} ({walked}) has no "
                f"field {part!r}; valid fields: {sorted(fields)}"
            )
        tp = _strip_optional(typing.get_type_hints(cls)[part])
        walked = f"{walked}.{part}"
        last = i == len(parts) - 2
        if dataclasses.is_dataclass(tp):
            if last:
                raise ConfigError(f"search_space: {dotted!r} is a section ({tp.__name__}); tune one of its fields")
            cls = tp
        elif not last:
            raise ConfigError(f"search_space: {dotted!r}: {walked} is a value, not a section")
    return tp


def _check_type(path: str, spec: ParamSpec, tp: Any) -> None:
    numeric = tp in (int, float)
    if spec.type == "float" and tp is not float:
        raise ConfigError(
            f"search_space: {path} is {_name(tp)} in the params dataclass but the spec says type: float; "
            + ("use type: int" if tp is int else "use type: categorical with choices")
        )
    if spec.type == "int" and not numeric:
        raise ConfigError(
            f"search_space: {path} is {_name(tp)} but the spec says type: int; use type: categorical with choices"
        )


def _name(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return f"one of {list(typing.get_args(tp))}"
    return getattr(tp, "__name__", str(tp))


def _check_conditions(space: dict[str, ParamSpec]) -> list[str]:
    """Check conditions and return the paths in an order where parents come first."""
    for path, spec in space.items():
        for parent, value in (spec.condition or {}).items():
            if parent == path:
                raise ConfigError(f"search_space: {path} has a condition on itself")
            if parent not in space:
                raise ConfigError(
                    f"search_space: {path} has a condition on {parent!r}, which is not in the search space; "
                    f"conditions refer to other tuned parameters: {sorted(space)}"
                )
            wanted = value if isinstance(value, list) else [value]
            parent_spec = space[parent]
            if parent_spec.type == "categorical":
                missing = [v for v in wanted if v not in parent_spec.choices]
                if missing:
                    raise ConfigError(
                        f"search_space: condition of {path} needs {parent}={missing}, which is not among "
                        f"its choices {parent_spec.choices}; the parameter would never be sampled"
                    )
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(path: str, stack: list[str]) -> None:
        if state.get(path) == "done":
            return
        if state.get(path) == "visiting":
            raise ConfigError(f"search_space: conditions form a cycle: {' -> '.join(stack + [path])}")
        state[path] = "visiting"
        for parent in space[path].condition or {}:
            visit(parent, stack + [path])
        state[path] = "done"
        order.append(path)

    for path in space:
        visit(path, [])
    return order


def check_search_space(space: dict[str, ParamSpec], params_cls: type, base: dict) -> list[str]:
    """Raise :class:`ConfigError` naming the first problem; return the sampling order.

    Checks: every path is a field of the model's params (nested sections included), the spec
    type fits the field type, every range end / choice is accepted by the params dataclass
    (its ``__post_init__`` ranges), and conditions refer to tuned parameters without cycles.

    Args:
        space: the study's search space.
        params_cls: the model's params dataclass.
        base: base run-config mapping (the values are tried on it one at a time).
    """
    for path, spec in space.items():
        tp = field_annotation(params_cls, path)
        _check_type(path, spec, tp)
        for value in spec.values_to_check():
            try:
                build_run_config(base, {path: value})
            except ConfigError as exc:
                raise ConfigError(f"search_space: {path}={value!r} is rejected by the model: {exc}") from exc
    return _check_conditions(space)
