"""Workers: resume after a killed worker (SQLite), several processes on one journal file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
import sqlalchemy
from optuna.trial import TrialState

from graphcl.tuning import commands
from graphcl.tuning.liveness import HOST_ATTR, PID_ATTR, fail_orphaned_trials, process_alive
from graphcl.tuning.objective import TrialObjective
from graphcl.tuning.study_config import load_study_config
from graphcl.tuning.trial_errors import SurplusTrial
from tests.tuning.conftest import REPO, tune_args, write_study

CLI = [sys.executable, str(REPO / "tests" / "tuning" / "tune_toy_cli.py"), "tune"]


def cli_env():
    return {**os.environ, "PYTHONPATH": str(REPO)}


def states(study):
    out = {}
    for t in study.get_trials(deepcopy=False):
        out[t.state] = out.get(t.state, 0) + 1
    return out


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_resume_after_sigkill_mid_study(tmp_path):
    path = write_study(
        tmp_path, n_trials=6, final_seeds=[], pruner={"type": "none"}, params={"epochs": 3, "sleep": 0.4}
    )  # trials of ~1.2 s: a loaded machine's polls (each loads the study) still land inside one
    out = tmp_path / "out"
    db = out / "toy_study" / "study.db"
    proc = subprocess.Popen(
        CLI + [str(path), "--out-dir", str(out)], env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(db.exists, 60, "the study database")
        storage = f"sqlite:///{db}"

        def mid_trial():
            try:
                s = states(optuna.load_study(study_name="toy_study", storage=storage))
            except (KeyError, sqlalchemy.exc.SQLAlchemyError):  # tables / study row not written yet
                return False
            return s.get(TrialState.COMPLETE, 0) >= 2 and s.get(TrialState.RUNNING, 0) == 1

        wait_for(mid_trial, 90, "2 complete trials and one running")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    before = optuna.load_study(study_name="toy_study", storage=storage).trials
    killed = [t.number for t in before if t.state == TrialState.RUNNING]
    # (the kill lands mid-trial unless that trial ended in the milliseconds after the last poll)
    assert len(killed) <= 1 and sum(t.state == TrialState.COMPLETE for t in before) < 6

    done = subprocess.run(
        CLI + [str(path), "--out-dir", str(out)], env=cli_env(), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = optuna.load_study(study_name="toy_study", storage=storage).trials
    assert [t.number for t in after[: len(before)]] == [t.number for t in before]  # history kept
    assert sum(t.state == TrialState.COMPLETE for t in after) == 6
    failed = [t for t in after if t.state == TrialState.FAIL]
    assert [t.number for t in failed] == killed
    assert all("died" in t.user_attrs["fail_reason"] for t in failed)
    assert len(after) == 6 + len(killed)  # numbering continued past the killed trial
    assert (out / "toy_study" / "best.yaml").is_file()


def test_journal_storage_two_workers_total_n_trials(tmp_path, toy_model):
    path = write_study(
        tmp_path, n_trials=6, final_seeds=[], pruner={"type": "none"}, params={"epochs": 2, "sleep": 0.25}
    )
    log = tmp_path / "journal" / "study.log"
    commands.run(tune_args(path, tmp_path / "out", storage=f"journal://{log}", workers=2))
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(log)))
    trials = optuna.load_study(study_name="toy_study", storage=storage).trials
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 6
    assert all(t.state in (TrialState.COMPLETE, TrialState.FAIL) for t in trials)
    # surplus trials (a race at the very end) are failed, never run, and never counted
    assert all(t.user_attrs.get("fail_reason", "").startswith("surplus") for t in trials if t.state == TrialState.FAIL)
    assert len({t.user_attrs[PID_ATTR] for t in trials}) == 2  # both processes ran trials
    spans = sorted((t.datetime_start, t.datetime_complete) for t in trials if t.state == TrialState.COMPLETE)
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:])), "trials never overlapped: workers were not parallel"


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_orphaned_trials_of_dead_local_workers_are_failed():
    import socket

    study = optuna.create_study()
    orphan, alive, remote = study.ask(), study.ask(), study.ask()
    pid = dead_pid()
    assert not process_alive(pid) and process_alive(os.getpid())
    for trial, host, owner in (
        (orphan, socket.gethostname(), pid),
        (alive, socket.gethostname(), os.getppid()),
        (remote, "another-machine", pid),
    ):
        trial.set_user_attr(HOST_ATTR, host)
        trial.set_user_attr(PID_ATTR, owner)
    assert fail_orphaned_trials(study) == [orphan.number]
    by_number = {t.number: t for t in study.trials}
    assert by_number[orphan.number].state == TrialState.FAIL
    assert by_number[alive.number].state == TrialState.RUNNING
    assert by_number[remote.number].state == TrialState.RUNNING  # other hosts: the heartbeat's job


def test_trial_beyond_n_trials_is_not_run(tmp_path, toy_model):
    path = write_study(tmp_path, n_trials=2)
    cfg, _ = load_study_config(path)
    study = optuna.create_study(direction="maximize")
    for _ in range(2):
        study.add_trial(optuna.trial.create_trial(value=0.5, params={}, distributions={}))
    objective = TrialObjective(cfg, {}, [], tmp_path / "trials")
    trial = study.ask()
    with pytest.raises(SurplusTrial):
        objective(trial)
    assert not (tmp_path / "trials").exists()
