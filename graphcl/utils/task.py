"""What a domain (``graphcl.hetero``, ``rec``) hands the application: its models and entry points.

Each domain's training module defines one :class:`Task`; ``graphcl.registry`` keeps the table
of them and derives the model names from it, so a model is registered in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """A domain's models and entry points.

    Args:
        name: the ``task`` a run config names (``hetero``, ``rec``).
        params: model name -> its params dataclass (the model's only source of defaults).
        train: ``train(run, run_dir, report=None) -> dict`` with at least ``val`` and ``test``
            metrics; ``report(step, value)`` is called after each validation and may raise
            ``graphcl.registry.TrialPruned``.
        evaluate: ``evaluate(run_dir, run) -> dict``: re-evaluate what a finished run saved.
        metrics: the validation metric names ``train`` reports (what a study may optimise).
    """

    name: str
    params: dict[str, type]
    train: Callable[..., dict]
    evaluate: Callable[..., dict]
    metrics: tuple[str, ...]

    @property
    def models(self) -> list[str]:
        return sorted(self.params)
