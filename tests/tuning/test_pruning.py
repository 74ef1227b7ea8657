"""Per-epoch reports reach the pruner: clearly bad trials are stopped early."""

from __future__ import annotations

import optuna
import pytest

from graphcl.tuning import commands
from tests.tuning.conftest import tune_args, write_study


@pytest.mark.filterwarnings("ignore:Fixed parameter")  # the enqueued lr lies below the range on purpose
def test_median_pruner_prunes_bad_trials(tmp_path, toy_model):
    # Trials 0-1 (enqueued, lr=1e-3 and 1.1e-3, validation ~0.92) set the median. Later trials draw lr in
    # 2e-3..4e-3 (~0.98) or bad=true (~0.01 every epoch): the bad ones must be pruned after the
    # warm-up step, the good ones never.
    path = write_study(
        tmp_path,
        n_trials=8,
        final_seeds=[],
        params={"epochs": 6},
        sampler={"type": "random", "seed": 1},
        enqueue_default=False,  # the test enqueues its own
        pruner={"type": "median", "args": {"n_startup_trials": 2, "n_warmup_steps": 1}},
        search_space={
            "params.bad": {"type": "categorical", "choices": [True, False]},
            "params.lr": {"type": "float", "low": 2e-3, "high": 4e-3},
        },
    )
    storage = f"sqlite:///{tmp_path / 'p.db'}"
    args = tune_args(path, tmp_path / "out", storage=storage)
    commands.create_or_load(commands.prepare(args)[0], storage)
    study = optuna.load_study(study_name="toy_study", storage=storage)
    for lr in (1e-3, 1.1e-3):  # two settings: a repeated one would be skipped as a duplicate
        study.enqueue_trial({"params.bad": False, "params.lr": lr})
    commands.run(args)

    trials = optuna.load_study(study_name="toy_study", storage=storage).trials
    pruned = [t for t in trials if t.state == optuna.trial.TrialState.PRUNED]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(pruned) + len(complete) == 8
    assert pruned, "no trial was pruned"
    assert all(t.params["params.bad"] for t in pruned)
    assert all(not t.params["params.bad"] for t in complete[2:])
    # stopped early: after the warm-up step, not all 6 epochs
    assert all(len(t.intermediate_values) == 2 for t in pruned)
    assert all(len(t.intermediate_values) == 6 for t in complete)


def test_no_pruner_lets_bad_trials_finish(tmp_path, toy_model):
    path = write_study(
        tmp_path,
        n_trials=4,
        final_seeds=[],
        pruner={"type": "none"},
        search_space={
            "params.bad": {"type": "categorical", "choices": [True, False]},
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
        },
    )
    commands.run(tune_args(path, tmp_path / "out"))
    trials = optuna.load_study(
        study_name="toy_study", storage=f"sqlite:///{tmp_path / 'out/toy_study/study.db'}"
    ).trials
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials) and len(trials) == 4
