"""`graphcl tune` end to end on the toy model: trials, best YAML, summary, plots, resume."""

from __future__ import annotations

import json

import optuna
import pytest

from graphcl.config import ConfigError, load_run_config
from graphcl.tuning import commands
from graphcl.tuning.results import format_summary, mean_std
from tests.tuning.conftest import tune_args, write_study
from tests.tuning.toy_model import ToyParams, quality


def load(out, name="toy_study"):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{out / name / 'study.db'}")


def test_toy_study_runs_and_writes_best_config_summary_and_plots(tmp_path, toy_model, capsys):
    path = write_study(
        tmp_path,
        n_trials=3,
        seeds=[0, 1],
        overrides={"params": {"epochs": 3}},
        search_space={
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
            "params.activation": {"type": "categorical", "choices": ["relu", "elu"]},
        },
    )
    assert commands.run(tune_args(path, tmp_path / "out")) == 0
    study_dir = tmp_path / "out" / "toy_study"
    study = load(tmp_path / "out")
    complete = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    assert len(complete) == 3
    for trial in complete:
        assert len(trial.user_attrs["run_dirs"]) == 2  # one run folder per seed
        assert all(
            (study_dir / "trials").exists() and __import__("pathlib").Path(d, "metrics.json").is_file()
            for d in trial.user_attrs["run_dirs"]
        )
        assert trial.value == pytest.approx(sum(trial.user_attrs["seed_values"]) / 2)

    best = load_run_config(study_dir / "best.yaml")  # runnable: validates as a run config
    assert best.params.lr == pytest.approx(study.best_params["params.lr"])
    assert best.params.activation == study.best_params["params.activation"]
    assert best.params.epochs == 3  # the study's overrides are part of the best config

    summary = json.loads((study_dir / "summary.json").read_text())
    assert summary["best"]["trial"] == study.best_trial.number
    assert summary["trials"] == {"complete": 3}
    tuned = summary["final"]["tuned"]["test"]["macro_f1_20"]
    assert len(tuned["values"]) == 2 and tuned["mean"] == pytest.approx(sum(tuned["values"]) / 2)
    assert "default" in summary["final"]
    for name in ("optimization_history", "param_importances", "parallel_coordinate"):
        assert (study_dir / "plots" / f"{name}.html").stat().st_size > 1000
        assert (study_dir / "plots" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    out = capsys.readouterr().out
    assert "test macro_f1_20" in out and "tuned (2 seeds)" in out


def test_tuning_beats_default_on_toy(tmp_path, toy_model):
    # default lr=1e-3, hidden 64, relu; 12 TPE trials find something better
    path = write_study(
        tmp_path,
        n_trials=12,
        final_seeds=[0],
        search_space={
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
            "params.hidden_dim": {"type": "int", "low": 16, "high": 256},
        },
    )
    commands.run(tune_args(path, tmp_path / "out"))
    summary = json.loads((tmp_path / "out" / "toy_study" / "summary.json").read_text())
    final = summary["final"]
    assert final["tuned"]["val"]["macro_f1_20"]["mean"] > final["default"]["val"]["macro_f1_20"]["mean"]
    assert summary["best"]["value"] > quality(ToyParams()) * (1 - 0.5**4)


def test_resume_continues_to_the_new_target(tmp_path, toy_model):
    path = write_study(tmp_path, n_trials=3, final_seeds=[])
    commands.run(tune_args(path, tmp_path / "out"))
    assert len(load(tmp_path / "out").trials) == 3
    commands.run(tune_args(path, tmp_path / "out", n_trials=5))
    numbers = [t.number for t in load(tmp_path / "out").trials]
    assert numbers == [0, 1, 2, 3, 4]
    commands.run(tune_args(path, tmp_path / "out", n_trials=5))  # already done: no new trial
    assert len(load(tmp_path / "out").trials) == 5


def test_direction_mismatch_with_existing_study_is_an_error(tmp_path, toy_model):
    path = write_study(tmp_path, n_trials=1, final_seeds=[])
    commands.run(tune_args(path, tmp_path / "out"))
    from graphcl.config import ConfigError

    with pytest.raises(ConfigError, match="was created to maximize"):
        commands.run(tune_args(path, tmp_path / "out", set=["direction=minimize", "pruner.type=none"]))


def test_invalid_combination_fails_the_trial_not_the_study(tmp_path, toy_model):
    # relu + sgd + hidden_dim > 1000 is rejected by ToyParams.__post_init__ only in combination
    # (each value alone passes the pre-check against the base config: relu + adam + 64)
    path = write_study(
        tmp_path,
        n_trials=3,
        final_seeds=[],
        params={"activation": "relu"},
        search_space={
            "params.hidden_dim": {"type": "categorical", "choices": [1001, 64]},
            "params.optim.kind": {"type": "categorical", "choices": ["sgd", "adam"]},
        },
        sampler={"type": "random", "seed": 0},
        enqueue_default=False,
    )
    commands.run(tune_args(path, tmp_path / "out", set=["max_failed_trials=20"]))
    trials = load(tmp_path / "out").trials
    failed = [t for t in trials if t.state == optuna.trial.TrialState.FAIL]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == 3
    assert all(t.params["params.optim.kind"] == "adam" or t.params["params.hidden_dim"] == 64 for t in complete)
    # the space holds 3 valid combinations: later proposals of them are skipped as duplicates
    invalid = [t for t in failed if "invalid combination" in t.user_attrs["fail_reason"]]
    assert invalid and all(t.params == {"params.hidden_dim": 1001, "params.optim.kind": "sgd"} for t in invalid)
    assert all(t.user_attrs["fail_reason"].startswith("duplicate") for t in failed if t not in invalid)


def test_mean_std_and_table():
    stat = mean_std([1.0, 2.0, 3.0])
    assert stat["mean"] == 2.0 and stat["std"] == pytest.approx(1.0)
    assert mean_std([4.0])["std"] == 0.0
    summary = {
        "study_name": "s",
        "trials": {"complete": 2},
        "objective": "ndcg@20",
        "best": {"trial": 1, "value": 0.5, "params": {"params.lr": 0.001}},
        "best_config": "b.yaml",
        "final_seeds": [0, 1],
        "final": {"tuned": {"val": {}, "test": {"ndcg@20": mean_std([0.3, 0.5])}}},
    }
    table = format_summary(summary)
    assert "test ndcg@20" in table and "0.4000 ± 0.1414" in table and "params.lr=0.001" in table


def test_study_stops_after_max_failed_trials(tmp_path, toy_model, capsys):
    # every sampled combination (relu + sgd + 1001) is invalid, although each value alone is fine
    path = write_study(
        tmp_path,
        n_trials=5,
        final_seeds=[],
        params={"activation": "relu"},
        max_failed_trials=2,
        search_space={
            "params.hidden_dim": {"type": "categorical", "choices": [1001]},
            "params.optim.kind": {"type": "categorical", "choices": ["sgd"]},
        },
        enqueue_default=False,
    )
    assert commands.run(tune_args(path, tmp_path / "out")) == 1
    trials = load(tmp_path / "out").trials
    assert [t.state for t in trials] == [optuna.trial.TrialState.FAIL] * 3
    assert "no complete trial" in capsys.readouterr().err


def test_seeded_sampler_reproduces_the_same_trials(tmp_path, toy_model):
    params = []
    for run in ("a", "b"):
        folder = tmp_path / run
        folder.mkdir()
        path = write_study(
            folder, n_trials=4, final_seeds=[], sampler={"type": "tpe", "seed": 7, "args": {"n_startup_trials": 2}}
        )
        commands.run(tune_args(path, folder / "out"))
        params.append([t.params for t in load(folder / "out").trials])
    assert params[0] == params[1] and len(params[0]) == 4


def test_a_diverged_trial_fails_alone(tmp_path, toy_model, monkeypatch):
    import tests.tuning.toy_model as toy

    real_train = toy.train

    def diverging(run, run_dir, report=None):
        if run.params.hidden_dim == 1000:
            raise FloatingPointError("training loss is nan at epoch 1; lower learning_rate")
        return real_train(run, run_dir, report)

    import dataclasses

    from graphcl import registry

    monkeypatch.setitem(registry.MODELS, "toy", dataclasses.replace(toy.ENTRY, train=diverging))
    path = write_study(
        tmp_path,
        n_trials=4,
        final_seeds=[],
        max_failed_trials=10,
        search_space={
            "params.hidden_dim": {"type": "categorical", "choices": [1000, 64]},
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
        },
        sampler={"type": "random", "seed": 0},
    )
    commands.run(tune_args(path, tmp_path / "out"))
    states = [t.state for t in load(tmp_path / "out").trials]
    assert states.count(optuna.trial.TrialState.COMPLETE) == 4
    assert optuna.trial.TrialState.FAIL in states


def test_first_trial_is_the_base_config(tmp_path, toy_model):
    path = write_study(
        tmp_path,
        n_trials=3,
        final_seeds=[],
        params={"lr": 0.01, "hidden_dim": 64, "activation": "elu"},
        search_space={
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
            "params.hidden_dim": {"type": "int", "low": 16, "high": 256, "step": 16},
            "params.activation": {"type": "categorical", "choices": ["relu", "elu"]},
        },
        sampler={"type": "random", "seed": 0},
    )
    commands.run(tune_args(path, tmp_path / "out"))
    trials = load(tmp_path / "out").trials
    assert trials[0].params == {"params.lr": 0.01, "params.hidden_dim": 64, "params.activation": "elu"}
    assert trials[0].user_attrs["base_config_values"] is True
    assert all("base_config_values" not in t.user_attrs for t in trials[1:])
    # resuming does not enqueue the defaults again
    commands.run(tune_args(path, tmp_path / "out", n_trials=5))
    trials = load(tmp_path / "out").trials
    assert sum("base_config_values" in t.user_attrs for t in trials) == 1 and len(trials) == 5


def test_base_value_outside_the_space_is_named(tmp_path, toy_model):
    path = write_study(
        tmp_path,
        params={"hidden_dim": 72},
        search_space={"params.hidden_dim": {"type": "int", "low": 16, "high": 256, "step": 16}},
    )
    with pytest.raises(ConfigError, match=r"params.hidden_dim=72 is outside range 16..256.*enqueue_default: false"):
        commands.run(tune_args(path, tmp_path / "out"))
    path = write_study(
        tmp_path,
        params={"hidden_dim": 64},
        search_space={"params.hidden_dim": {"type": "categorical", "choices": [32, 128]}},
    )
    with pytest.raises(ConfigError, match=r"outside choices \[32, 128\]"):
        commands.run(tune_args(path, tmp_path / "out"))


def test_resuming_with_other_choices_is_refused_before_any_trial(tmp_path, toy_model):
    space = {"params.activation": {"type": "categorical", "choices": ["relu", "elu"]}}
    path = write_study(tmp_path, n_trials=1, final_seeds=[], search_space=space)
    commands.run(tune_args(path, tmp_path / "out"))
    path = write_study(
        tmp_path,
        n_trials=3,
        final_seeds=[],
        search_space={"params.activation": {"type": "categorical", "choices": ["elu", "relu"]}},
    )
    with pytest.raises(ConfigError, match="search_space.params.activation differs from the stored study"):
        commands.run(tune_args(path, tmp_path / "out"))
    assert len(load(tmp_path / "out").trials) == 1
    # a wider float range is compatible: the study resumes
    path = write_study(
        tmp_path,
        n_trials=2,
        final_seeds=[],
        search_space={**space, "params.lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True}},
    )
    commands.run(tune_args(path, tmp_path / "out"))
    assert len(load(tmp_path / "out").trials) == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"dataset": "beauty"}, "dataset 'beauty' is a sequences dataset"),
        ({"device": "gpu0"}, "device 'gpu0' is not a device"),
        pytest.param(
            {"device": "cuda"},
            "CUDA is not available",
            marks=pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA"),
        ),
    ],
)
def test_pre_check_refuses_what_train_would_refuse(tmp_path, toy_model, overrides, message):
    from graphcl.utils.errors import UserError

    path = write_study(tmp_path, overrides=overrides)
    with pytest.raises(UserError, match=message):
        commands.prepare(tune_args(path, tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_data_root_flag_and_study_override_conflict(tmp_path, toy_model):
    path = write_study(tmp_path, overrides={"data_root": "/a"})
    with pytest.raises(ConfigError, match="--data-root /b and the study's overrides.data_root /a"):
        commands.prepare(tune_args(path, tmp_path / "out", data_root="/b"))
