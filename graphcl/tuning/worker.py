"""One tuning worker: load the shared study and run trials until it has ``n_trials``.

Several workers (local processes, or ``graphcl tune`` on several machines) can run this on one
storage. A worker stops when the study's finished trials plus those still running elsewhere
reach ``n_trials``, at its timeout, or after too many failed trials.
"""

from __future__ import annotations

import gc
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphcl.tuning.liveness import fail_orphaned_trials, process_alive
from graphcl.tuning.objective import SKIPPED_REASONS, TrialObjective
from graphcl.tuning.storage import open_storage
from graphcl.tuning.study_config import StudyConfig
from graphcl.tuning.trial_errors import InvalidTrialConfig, RepeatedTrial, SurplusTrial
from graphcl.utils.signals import DeferredInterrupt
from graphcl.utils.task import Task

log = logging.getLogger(__name__)
MAX_REPEATS_IN_A_ROW = 20  # proposals of already-run parameters before the space counts as exhausted
INTERRUPTED = 130  # exit status of a worker process stopped by SIGINT/SIGTERM or its parent's death


@dataclass
class WorkerJob:
    """Everything a worker process needs (picklable, so ``spawn`` children get it).

    Args:
        study: the checked study config.
        base: base run-config mapping with the study's overrides merged in.
        order: sampling order of the search space.
        storage_url: where the study lives.
        trials_dir: parent folder of the trials' run folders.
        data_root: dataset folder for the runs (None: default resolution).
        deadline: ``time.time()`` after which no new trial starts (None: no limit).
        worker_index: 0..K-1 among this invocation's local workers (offsets the sampler seed).
        registry_entry: the model's ``graphcl.registry.MODELS`` entry in the parent, so models
            registered at run time (plugins, tests) exist in spawned children too.
        threads: torch threads of this worker (``None``: leave torch's default).
        parent_pid: the ``graphcl tune`` process of a spawned worker: the worker stops when it dies.
    """

    study: StudyConfig
    base: dict
    order: list[str]
    storage_url: str
    trials_dir: Path
    data_root: str | None = None
    deadline: float | None = None
    worker_index: int = 0
    registry_entry: Task | None = None
    threads: int | None = None
    parent_pid: int | None = None


def _counts(study: Any) -> dict[str, int]:
    from optuna.trial import TrialState

    counts = {state.name: 0 for state in TrialState}
    skipped = 0
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name] += 1
        skipped += trial.state == TrialState.FAIL and str(trial.user_attrs.get("fail_reason", "")).startswith(
            SKIPPED_REASONS
        )
    counts["FAIL_COUNTED"] = counts["FAIL"] - skipped
    return counts


class _NoTracebackForSkippedTrials(logging.Filter):
    """Optuna logs every failed trial with its traceback; an interrupted, surplus or repeated
    trial is no error, so its log line keeps only the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (KeyboardInterrupt, SurplusTrial, RepeatedTrial)):
            record.exc_info, record.exc_text = None, None
        return True


_SKIPPED_TRIAL_FILTER = _NoTracebackForSkippedTrials()


def run_worker(job: WorkerJob, interrupts: DeferredInterrupt | None = None) -> int:
    """Run trials of ``job.study`` until done; return how many this worker started.

    Args:
        job: the worker's job description.
        interrupts: the worker process's signal handler (see :func:`worker_process_main`);
            None in-process, where Ctrl-C interrupts wherever it lands.
    """
    import optuna
    import torch

    from graphcl import registry

    logging.getLogger("optuna.study._optimize").addFilter(_SKIPPED_TRIAL_FILTER)  # added once: same object
    if job.threads is not None:
        torch.set_num_threads(job.threads)
    if job.registry_entry is not None:
        registry.MODELS[job.base["model"]] = job.registry_entry
    storage = open_storage(job.storage_url, job.study.heartbeat_interval)
    study = optuna.load_study(study_name=job.study.study_name, storage=storage, pruner=job.study.pruner.build())
    stored = len(study.get_trials(deepcopy=False))
    study.sampler = job.study.sampler.build(job.worker_index, stored)
    objective = TrialObjective(job.study, job.base, job.order, job.trials_dir, job.data_root, interrupts)
    # Everything imported so far (torch, optuna, ...) lives as long as the worker: move it out of
    # the collector's reach so the gc.collect() after each run scans only what the run created
    # (a full collection over torch's objects takes ~0.3 s per trial otherwise).
    gc.collect()
    gc.freeze()
    try:
        return _trial_loop(job, study, objective)
    finally:
        gc.unfreeze()  # in-process use (tests, notebooks): give the objects back to the collector


def _trial_loop(job: WorkerJob, study: Any, objective: TrialObjective) -> int:
    import optuna

    started = 0
    while True:
        fail_orphaned_trials(study)
        with warnings.catch_warnings():  # fail_stale_trials is marked experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        c = _counts(study)
        finished = c["COMPLETE"] + c["PRUNED"]
        # WAITING (enqueued) trials do not count: optimize() runs them first
        if finished + c["RUNNING"] >= job.study.n_trials:
            break
        if c["FAIL_COUNTED"] > job.study.failure_limit:
            log.error("stopping: %d failed trials (max_failed_trials=%d)", c["FAIL_COUNTED"], job.study.failure_limit)
            break
        if job.deadline is not None and time.time() >= job.deadline:
            break
        if job.parent_pid is not None and not process_alive(job.parent_pid):
            log.warning("stopping: the graphcl tune process %d that started this worker is gone", job.parent_pid)
            break
        if objective.interrupts is not None and objective.interrupts.requested:
            raise KeyboardInterrupt("a stop was requested between trials")
        # memory is freed after every run inside the objective (gc + CUDA cache)
        # a diverged configuration (NaN loss or scores: FloatingPointError) fails its trial, not the study
        study.optimize(
            objective,
            n_trials=1,
            catch=(InvalidTrialConfig, SurplusTrial, RepeatedTrial, FloatingPointError, _oom_error()),
        )
        started += 1
        if objective.repeats_in_a_row >= MAX_REPEATS_IN_A_ROW:
            log.warning(
                "stopping: the sampler proposed %d already-run parameter sets in a row; the search "
                "space looks exhausted (widen it or lower n_trials)",
                objective.repeats_in_a_row,
            )
            break
    return started


def _oom_error() -> type:
    """Out-of-memory fails the trial (too big a config), not the study."""
    try:
        import torch

        return torch.OutOfMemoryError
    except (ImportError, AttributeError):
        return MemoryError


def worker_process_main(job: WorkerJob) -> None:
    """Entry point of a spawned worker process: it dies with its parent, and SIGINT/SIGTERM
    fail its running trial and end it with status :data:`INTERRUPTED` (no traceback).

    Args:
        job: the worker's job description.
    """
    import signal
    import sys

    logging.basicConfig(level=logging.INFO, format=f"[worker {job.worker_index}] %(message)s")
    # a signal interrupts a trial's training at once, Optuna's storage writes never (raised
    # anywhere, it left a killed parent's workers asleep with the SQLite journal open)
    interrupts = DeferredInterrupt()
    signal.signal(signal.SIGTERM, interrupts)
    signal.signal(signal.SIGINT, interrupts)
    try:
        die_with_parent(job.parent_pid)
        run_worker(job, interrupts)
    except KeyboardInterrupt:
        log.warning("interrupted: the running trial is marked failed")
        sys.exit(INTERRUPTED)


def die_with_parent(parent_pid: int | None) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere the trial loop's parent check stops the worker between trials."""
    import ctypes
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):
        return  # no prctl (unusual libc): the trial loop's check remains
    if parent_pid is not None and os.getppid() != parent_pid:
        raise KeyboardInterrupt("the parent died before the worker started")
