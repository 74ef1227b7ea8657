"""A study never runs the same parameters twice: not after a kill and resume, not with two workers."""

from __future__ import annotations

import threading

import optuna
from optuna.trial import TrialState

from graphcl.tuning import commands
from graphcl.tuning.liveness import HOST_ATTR, PID_ATTR
from graphcl.tuning.sampler_spec import SamplerSpec, worker_seed
from graphcl.tuning.worker import run_worker
from tests.tuning.conftest import tune_args, write_study
from tests.tuning.test_workers import dead_pid

RANDOM = {"type": "random", "seed": 0}


def complete_params(study) -> list[tuple]:
    return [tuple(sorted(t.params.items())) for t in study.get_trials(states=(TrialState.COMPLETE,))]


def load(out, name="toy_study"):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{out / name / 'study.db'}")


def leave_a_killed_trial(study) -> None:
    """What a SIGKILL mid-trial leaves behind: a RUNNING trial owned by a process that is gone."""
    import socket

    trial = study.ask()
    trial.set_user_attr(HOST_ATTR, socket.gethostname())
    trial.set_user_attr(PID_ATTR, dead_pid())


def test_no_repeated_parameters_after_kill_and_resume(tmp_path, toy_model):
    path = write_study(tmp_path, sampler=RANDOM, final_seeds=[], pruner={"type": "none"})
    out = tmp_path / "out"
    assert commands.run(tune_args(path, out, n_trials=3)) == 0
    leave_a_killed_trial(load(out))
    assert commands.run(tune_args(path, out, n_trials=6)) == 0  # resume: same command, same seed
    params = complete_params(load(out))
    assert len(params) == 6 and len(set(params)) == 6


def test_a_repeated_proposal_is_skipped_with_a_reason_and_not_counted(tmp_path, toy_model, monkeypatch):
    """Even a sampler that replays its stream (as two processes with one seed would) runs
    every parameter set once; the replays are failed as duplicates and the study still reaches n_trials."""
    monkeypatch.setattr(
        SamplerSpec, "build", lambda self, worker_index=0, stored_trials=0: optuna.samplers.RandomSampler(seed=0)
    )
    path = write_study(tmp_path, sampler=RANDOM, final_seeds=[], pruner={"type": "none"}, enqueue_default=False)
    out = tmp_path / "out"
    assert commands.run(tune_args(path, out, n_trials=2)) == 0
    assert commands.run(tune_args(path, out, n_trials=4)) == 0
    study = load(out)
    params = complete_params(study)
    assert len(params) == 4 and len(set(params)) == 4
    skipped = [t for t in study.trials if t.state == TrialState.FAIL]
    assert len(skipped) == 2
    assert all(t.user_attrs["fail_reason"].startswith("duplicate: same parameters as trial") for t in skipped)


def test_two_workers_started_together_never_share_parameters(tmp_path, toy_model):
    """Two ``graphcl tune`` processes on one SQLite study: both start with worker index 0 on the
    same stored trials, so their samplers may coincide; no parameter set runs twice."""
    path = write_study(
        tmp_path,
        sampler=RANDOM,
        final_seeds=[],
        pruner={"type": "none"},
        enqueue_default=False,
        params={"epochs": 2, "sleep": 0.05},
    )
    out = tmp_path / "out"
    study_cfg, job, _, _ = commands.prepare(tune_args(path, out, n_trials=8))
    commands.create_or_load(study_cfg, job.storage_url)
    start = threading.Barrier(2)

    def worker():
        start.wait()
        run_worker(job)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    params = complete_params(load(out))
    assert len(params) == 8 and len(set(params)) == 8


def test_worker_seed_depends_on_stored_trials_and_worker():
    assert worker_seed(5, 0, 0) == 5 and worker_seed(5, 0, 1) == 6  # a new study reproduces as before
    seeds = {worker_seed(5, stored, worker) for stored in (0, 3, 4) for worker in (0, 1)}
    assert len(seeds) == 6
