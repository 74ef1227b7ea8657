"""Ctrl-C of ``graphcl tune`` keeps what finished; workers die with their parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import optuna
from optuna.trial import TrialState

from graphcl.tuning.liveness import PID_ATTR, process_alive
from tests.tuning.conftest import write_study
from tests.tuning.test_workers import CLI, cli_env, states, wait_for


def study_states(storage: str) -> dict:
    import sqlalchemy

    try:
        return states(optuna.load_study(study_name="toy_study", storage=storage))
    except (KeyError, sqlalchemy.exc.SQLAlchemyError):  # tables or the study row not written yet
        return {}


def start_study(tmp_path, *extra: str, n_trials: int = 30) -> tuple[subprocess.Popen, str]:
    path = write_study(
        tmp_path, n_trials=n_trials, final_seeds=[0], pruner={"type": "none"}, params={"epochs": 4, "sleep": 0.25}
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        CLI + [str(path), "--out-dir", str(out), *extra],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for((out / "toy_study" / "study.db").exists, 90, "the study database")
    return proc, f"sqlite:///{out / 'toy_study' / 'study.db'}"


def test_ctrl_c_writes_summary_and_best_of_the_finished_trials(tmp_path):
    proc, storage = start_study(tmp_path)
    try:
        wait_for(
            lambda: (
                study_states(storage).get(TrialState.COMPLETE, 0) >= 2
                and study_states(storage).get(TrialState.RUNNING, 0) == 1
            ),
            120,
            "2 complete trials, one running",
        )
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert "graphcl: interrupted" in err
    study_dir = tmp_path / "out" / "toy_study"
    summary = json.loads((study_dir / "summary.json").read_text())
    assert summary["final_skipped"] is True and summary["trials"]["complete"] >= 2
    assert (study_dir / "best.yaml").is_file()
    trials = optuna.load_study(study_name="toy_study", storage=storage).trials
    assert not [t.number for t in trials if t.state == TrialState.RUNNING]
    interrupted = [t for t in trials if t.state == TrialState.FAIL]
    assert all(t.user_attrs["fail_reason"].startswith("interrupted") for t in interrupted)


def test_workers_die_with_a_killed_parent_and_leave_no_running_trial(tmp_path):
    proc, storage = start_study(tmp_path, "--workers", "2", n_trials=500)  # hours of trials left
    try:
        wait_for(lambda: study_states(storage).get(TrialState.RUNNING, 0) == 2, 180, "both workers in a trial")
        workers = {
            t.user_attrs[PID_ATTR]
            for t in optuna.load_study(study_name="toy_study", storage=storage).trials
            if PID_ATTR in t.user_attrs
        }
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    try:
        wait_for(lambda: not any(process_alive(pid) for pid in workers), 30, "the workers to stop")
    finally:
        for pid in filter(process_alive, workers):  # a failed test leaves no orphans behind
            os.kill(pid, signal.SIGKILL)
    wait_for(lambda: study_states(storage).get(TrialState.RUNNING, 0) == 0, 30, "no RUNNING trial")


def test_progress_note_names_trials_still_running_elsewhere():
    from graphcl.tuning.commands import progress_note
    from graphcl.tuning.study_config import load_study_config
    from tests.tuning.test_study_config import study

    cfg, _ = load_study_config(study(n_trials=5))
    assert progress_note(cfg, {"complete": 5}) is None
    assert "run the same command to continue" in progress_note(cfg, {"complete": 3})
    busy = progress_note(cfg, {"complete": 3, "running": 1})
    assert "1 still run in other processes" in busy and "run the same command to continue" not in busy
