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
        seed: study seed. Each worker process derives its sampler's seed from it, the number of
            trials already stored and its local worker index (:func:`worker_seed`), so parallel
            workers and resumed studies do not replay the same proposals; a proposal that still
            repeats a finished trial is skipped (``graphcl.tuning.objective``).
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

    def build(self, worker_index: int = 0, stored_trials: int = 0) -> Any:
        """The Optuna sampler of local worker ``worker_index`` joining a study that holds
        ``stored_trials`` trials (seed: :func:`worker_seed`).

        Args:
            worker_index: 0 for the first (or only) worker of this invocation.
            stored_trials: trials in the storage when the worker starts (0: a new study).
        """
        seed = None if self.seed is None else worker_seed(self.seed, stored_trials, worker_index)
        try:
            return self.sampler_class()(seed=seed, **self.args)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sampler {self.type} with args {self.args}: {exc}") from exc


def worker_seed(seed: int, stored_trials: int, worker_index: int) -> int:
    """Sampler seed of one worker process: ``seed + worker_index`` on a new study (as before, so
    fresh studies reproduce), else a hash of all three, so a resumed study does not restart the
    sampler's random stream at the trials it already ran."""
    if stored_trials == 0:
        return seed + worker_index
    import numpy as np

    return int(np.random.SeedSequence([seed, stored_trials, worker_index]).generate_state(1)[0])
