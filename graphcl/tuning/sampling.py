"""Sample a trial's values from a search space, honouring conditions."""
from __future__ import annotations

from typing import Any

from graphcl.tuning.param_spec import ParamSpec


def condition_holds(spec: ParamSpec, sampled: dict[str, Any]) -> bool:
    """True when every parent named in ``spec.condition`` was sampled with a wanted value.

    Args:
        spec: the dependent parameter's spec.
        sampled: values sampled so far in this trial, keyed by path.
    """
    for parent, wanted in (spec.condition or {}).items():
        if parent not in sampled:
            return False
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if sampled[parent] not in allowed:
            return False
    return True


def sample_values(trial: Any, space: dict[str, ParamSpec], order: list[str]) -> dict[str, Any]:
    """Ask ``trial`` for every active parameter; inactive conditional ones keep the base value.

    Args:
        trial: an ``optuna.Trial``.
        space: the study's search space.
        order: sampling order with condition parents first (from ``check_search_space``).
    """
    sampled: dict[str, Any] = {}
    for path in order:
        spec = space[path]
        if condition_holds(spec, sampled):
            sampled[path] = spec.suggest(trial, path)
    return sampled


def decode_params(space: dict[str, ParamSpec], stored: dict[str, Any]) -> dict[str, Any]:
    """Config values for a finished trial's ``trial.params`` (list choices are stored as JSON).

    Args:
        space: the study's search space.
        stored: ``trial.params`` as Optuna returns it.
    """
    return {path: space[path].decode(value) if path in space else value for path, value in stored.items()}
