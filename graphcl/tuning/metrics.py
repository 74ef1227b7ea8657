"""A study's objective must be a validation metric its model reports."""

from __future__ import annotations

from graphcl.config import ConfigError
from graphcl.registry import validation_metrics


def check_objective(objective: str, model: str) -> None:
    """Reject an objective that ``model`` does not report as a validation metric.

    Args:
        objective: the study's ``objective``.
        model: the base run config's model.
    """
    known = sorted(validation_metrics(model))
    if objective not in known:
        raise ConfigError(f"objective {objective!r} is not a validation metric of {model}; use one of {known}")
