"""Validation metric keys each task's training functions return (docs/architecture.md)."""
from __future__ import annotations

from graphcl.config import ConfigError

VALIDATION_METRICS = {
    "hetero": sorted(
        [f"{m}_{n}" for m in ("macro_f1", "micro_f1", "auc") for n in (20, 40, 60)] + ["nmi", "ari"]
    ),
    "rec": sorted(f"{m}@{k}" for m in ("hr", "ndcg") for k in (5, 10, 20)),
}


def check_objective(objective: str, task: str) -> None:
    """Reject an objective that the task's models do not report as a validation metric.

    Args:
        objective: the study's ``objective``.
        task: ``hetero`` or ``rec`` (from the base run config).
    """
    known = VALIDATION_METRICS.get(task)
    if known is not None and objective not in known:
        raise ConfigError(f"objective {objective!r} is not a {task} validation metric; use one of {known}")
