"""The ``pruner`` section of a study file and the Optuna pruner it builds."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Literal

_CLASSES = {
    "median": "MedianPruner",
    "hyperband": "HyperbandPruner",
    "successive_halving": "SuccessiveHalvingPruner",
    "percentile": "PercentilePruner",
    "none": "NopPruner",
}


@dataclass
class PrunerSpec:
    """Which Optuna pruner stops unpromising trials from their per-epoch validation reports.

    Args:
        type: ``median`` (default), ``hyperband``, ``successive_halving``, ``percentile`` or
            ``none`` (never prune).
        args: keyword arguments of the Optuna pruner class (checked against its signature),
            e.g. ``{n_startup_trials: 5, n_warmup_steps: 10}`` for ``median`` or
            ``{min_resource: 5, max_resource: 200, reduction_factor: 3}`` for ``hyperband``.
    """

    type: Literal["median", "hyperband", "successive_halving", "percentile", "none"] = "median"
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cls = self.pruner_class()
        accepted = set(inspect.signature(cls).parameters)
        unknown = sorted(set(self.args) - accepted)
        if unknown:
            raise ValueError(f"pruner {self.type}: unknown args {unknown}; {cls.__name__} accepts {sorted(accepted)}")
        self.build()  # the pruner's own range checks (e.g. percentile in 0..100) fail here, early

    def pruner_class(self) -> type:
        import optuna

        return getattr(optuna.pruners, _CLASSES[self.type])

    def build(self) -> Any:
        """The Optuna pruner."""
        try:
            return self.pruner_class()(**self.args)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"pruner {self.type} with args {self.args}: {exc}") from exc
