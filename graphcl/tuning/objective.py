"""The function Optuna calls for each trial: train the sampled config on every seed."""

from __future__ import annotations

import contextlib
import gc
import logging
from pathlib import Path
from typing import Any

from graphcl.config import ConfigError
from graphcl.tuning.liveness import mark_worker
from graphcl.tuning.run_configs import build_run_config
from graphcl.tuning.sampling import sample_values
from graphcl.tuning.study_config import StudyConfig
from graphcl.tuning.trial_errors import InvalidTrialConfig, RepeatedTrial, SurplusTrial
from graphcl.utils.signals import DeferredInterrupt
from graphcl.validation import validate_run

log = logging.getLogger(__name__)
# fail_reason prefixes of trials that were never run: they count neither as finished nor as failures
SKIPPED_REASONS = ("surplus", "duplicate", "interrupted")


def free_memory() -> None:
    """Release what a finished run held (Python objects, then cached CUDA blocks)."""
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


class TrialObjective:
    """Callable for ``study.optimize``: sample values, train on each seed, return the mean.

    Args:
        study: the study config (search space, seeds, objective key, n_trials).
        base: base run-config mapping with the study's overrides merged in.
        order: sampling order from ``check_search_space``.
        trials_dir: folder of the trials' run folders (``trial-00012/seed-0``).
        data_root: dataset folder for the runs (None: the run config's / default).
        interrupts: a worker process's signal handler: signals interrupt a trial only while it
            trains, never in the middle of a storage write (None: no such guard).
    """

    def __init__(
        self,
        study: StudyConfig,
        base: dict,
        order: list[str],
        trials_dir: Path,
        data_root: str | None = None,
        interrupts: DeferredInterrupt | None = None,
    ) -> None:
        self.study, self.base, self.order = study, base, order
        self.trials_dir, self.data_root = Path(trials_dir), data_root
        self.interrupts = interrupts
        self.repeats_in_a_row = 0

    def _check_surplus(self, trial: Any) -> None:
        from optuna.trial import TrialState

        # Trial numbers are handed out by the storage in order: if n_trials live or finished
        # trials have lower numbers, this one would overshoot the study's budget.
        states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
        earlier = sum(t.number < trial.number for t in trial.study.get_trials(deepcopy=False, states=states))
        if earlier >= self.study.n_trials:
            trial.set_user_attr("fail_reason", "surplus: the study already had n_trials trials")
            raise SurplusTrial(f"trial {trial.number} not run: {earlier} earlier trials already reach n_trials")

    def _refuse_repeat(self, trial: Any) -> None:
        """Skip parameters a complete or running trial already has (a resumed or parallel sampler
        may propose them again): the trial is failed with a reason and not counted."""
        from optuna.trial import TrialState

        states = (TrialState.COMPLETE, TrialState.RUNNING)
        for other in trial.study.get_trials(deepcopy=False, states=states):
            if other.number != trial.number and other.params == trial.params:
                reason = f"duplicate: same parameters as trial {other.number} ({other.state.name.lower()})"
                trial.set_user_attr("fail_reason", reason)
                self.repeats_in_a_row += 1
                log.info("trial %d not run: %s", trial.number, reason)
                raise RepeatedTrial(reason)
        self.repeats_in_a_row = 0

    def __call__(self, trial: Any) -> float:
        mark_worker(trial)
        self._check_surplus(trial)
        values = sample_values(trial, self.study.search_space, self.order)
        self._refuse_repeat(trial)
        trial_dir = self.trials_dir / f"trial-{trial.number:05d}"
        trial.set_user_attr("run_dirs", [str(trial_dir / f"seed-{seed}") for seed in self.study.seeds])
        scores, val_sums = [], {}
        for i, seed in enumerate(self.study.seeds):
            try:
                # pruning follows the first seed's curve; later seeds only add to the mean
                metrics = self._run_seed(trial, values, trial_dir, seed, prune=i == 0)
            except KeyboardInterrupt:
                trial.set_user_attr("fail_reason", "interrupted: Ctrl-C or SIGTERM stopped the trial")
                raise
            scores.append(self._objective_value(metrics))
            for key, value in metrics.get("val", {}).items():
                if isinstance(value, (int, float)):
                    val_sums[key] = val_sums.get(key, 0.0) + float(value)
        trial.set_user_attr("seed_values", scores)
        trial.set_user_attr("val_metrics", {k: v / len(scores) for k, v in val_sums.items()})
        return sum(scores) / len(scores)

    def _run_seed(self, trial: Any, values: dict[str, Any], trial_dir: Path, seed: int, prune: bool) -> dict:
        """Train the sampled values with ``seed``; return the run's metrics."""
        import optuna

        from graphcl.registry import TrialPruned
        from graphcl.runner import run_training

        try:
            run = build_run_config(self.base, values, seed=seed, out_dir=str(trial_dir), data_root=self.data_root)
            validate_run(run)  # e.g. a sampled nei_max list too long for the dataset's meta-paths
        except ConfigError as exc:
            trial.set_user_attr("fail_reason", f"invalid combination: {exc}")
            raise InvalidTrialConfig(str(exc)) from exc

        def report(step: int, value: float) -> None:
            with self._allow_interrupts(False):  # storage writes
                trial.report(float(value), int(step))
                prune_now = trial.should_prune()
            if prune_now:
                raise TrialPruned(f"trial {trial.number} pruned at step {step}")

        try:
            with self._allow_interrupts(True):
                _, metrics = run_training(run, report if prune else None, trial_dir / f"seed-{seed}")
        except TrialPruned as exc:
            raise optuna.TrialPruned(str(exc)) from exc
        finally:
            free_memory()
        if metrics.get("interrupted_at_epoch") is not None:
            # a hetero run keeps what it has after Ctrl-C: that is no trial result
            raise KeyboardInterrupt(f"trial {trial.number} interrupted at epoch {metrics['interrupted_at_epoch']}")
        return metrics

    def _allow_interrupts(self, armed: bool):
        return self.interrupts.allow(armed) if self.interrupts is not None else contextlib.nullcontext()

    def _objective_value(self, metrics: dict) -> float:
        val = metrics.get("val") or {}
        if self.study.objective not in val:
            raise ConfigError(
                f"objective {self.study.objective!r} is not among the validation metrics the model "
                f"returned: {sorted(val)}; set `objective` to one of them"
            )
        return float(val[self.study.objective])
