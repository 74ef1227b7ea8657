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


def default_trial(space: dict[str, ParamSpec], order: list[str], resolved: dict) -> dict[str, Any]:
    """The base config's own values as Optuna would store them (``enqueue_default``).

    Conditional parameters whose condition the defaults do not meet are left out, as sampling
    would. Raises :class:`~graphcl.config.ConfigError` when a default lies outside its spec.

    Args:
        space: the study's search space.
        order: sampling order (parents first).
        resolved: the base run config with every default filled in (``to_dict(RunConfig)``).
    """
    from graphcl.config import ConfigError

    values: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for path in order:
        spec = space[path]
        if not condition_holds(spec, values):
            continue
        node = resolved
        for part in path.split("."):
            node = node[part]
        label = spec.stored_value(node)
        if label is None:
            where = f"choices {spec.choices}" if spec.type == "categorical" else f"range {spec.low}..{spec.high}"
            raise ConfigError(
                f"search_space: the base config's {path}={node!r} is outside {where}; "
                "add it to the search space or set enqueue_default: false"
            )
        values[path], stored[path] = node, label
    return stored
