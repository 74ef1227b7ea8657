"""The ``sampler`` section of a study file and the Optuna sampler it builds."""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Literal

_CLASSES = {
    "tpe": "TPESampler",
    "random": "RandomSampler",
    "qmc": "QMCSampler",
    "gp": "GPSampler",
    "cmaes": "CmaEsSampler",
}


@dataclass
class SamplerSpec:
    """Which Optuna sampler proposes the trials' parameters.

    Args:
        type: ``tpe`` (default: ``TPESampler``), ``random``, ``qmc`` (quasi-random Sobol),
            ``gp`` (Gaussian process) or ``cmaes`` (needs the ``cmaes`` package).
        seed: sampler seed; local worker ``k`` uses ``seed + k`` so parallel workers do not
            propose the same parameters. Give each machine its own seed (``--set sampler.seed=N``).
        args: further keyword arguments of the Optuna sampler class (checked against its
            signature), e.g. ``{n_startup_trials: 10, multivariate: true}`` for TPE.
    """

    type: Literal["tpe", "random", "qmc", "gp", "cmaes"] = "tpe"
    seed: int | None = 0
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cls = self.sampler_class()
        accepted = set(inspect.signature(cls).parameters) - {"seed"}
        unknown = sorted(set(self.args) - accepted)
        if unknown:
            raise ValueError(f"sampler {self.type}: unknown args {unknown}; {cls.__name__} accepts {sorted(accepted)}")
        if self.type == "cmaes":
            try:
                import cmaes  # noqa: F401
            except ImportError as exc:
                raise ValueError("sampler cmaes needs the `cmaes` package: pip install cmaes") from exc

    def sampler_class(self) -> type:
        import optuna

        return getattr(optuna.samplers, _CLASSES[self.type])

    def build(self, worker_index: int = 0) -> Any:
        """The Optuna sampler for local worker ``worker_index`` (its seed is ``seed + worker_index``).

        Args:
            worker_index: 0 for the first (or only) worker of this invocation.
        """
        seed = None if self.seed is None else self.seed + worker_index
        try:
            return self.sampler_class()(seed=seed, **self.args)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sampler {self.type} with args {self.args}: {exc}") from exc
