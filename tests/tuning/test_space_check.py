"""Search spaces are checked against the model's params dataclass before any trial runs."""

from __future__ import annotations

import pytest

from graphcl.config import ConfigError
from graphcl.tuning import commands
from graphcl.tuning.run_configs import base_mapping
from graphcl.tuning.space_check import check_search_space
from graphcl.tuning.study_config import load_study_config
from tests.tuning.conftest import tune_args, write_study
from tests.tuning.toy_model import ToyParams


def check(tmp_path, space):
    path = write_study(tmp_path, search_space=space)
    cfg, folder = load_study_config(path)
    return check_search_space(cfg.search_space, ToyParams, base_mapping(cfg.base_config, folder, cfg.overrides))


@pytest.mark.parametrize(
    "space, message",
    [
        (
            {"params.learning_rate": {"type": "float", "low": 1e-4, "high": 1e-2}},
            "unknown parameter path 'params.learning_rate'",
        ),
        (
            {"params.optim.beta": {"type": "float", "low": 0.1, "high": 0.9}},
            "ToyOptim (params.optim) has no field 'beta'",
        ),
        ({"params.lr.x": {"type": "float", "low": 0.1, "high": 0.9}}, "params.lr is a value, not a section"),
        ({"params.optim": {"type": "categorical", "choices": ["a"]}}, "is a section (ToyOptim)"),
        ({"lr": {"type": "float", "low": 1e-4, "high": 1e-2}}, "paths start with 'params.'"),
        ({"seed": {"type": "int", "low": 0, "high": 9}}, "paths start with 'params.'"),
        ({"params.hidden_dim": {"type": "float", "low": 16, "high": 64}}, "use type: int"),
        ({"params.activation": {"type": "int", "low": 0, "high": 1}}, "use type: categorical"),
        ({"params.bad": {"type": "float", "low": 0, "high": 1}}, "use type: categorical"),
        (
            {"params.activation": {"type": "categorical", "choices": ["relu", "gelu"]}},
            "params.activation='gelu' is rejected by the model",
        ),
        ({"params.hidden_dim": {"type": "categorical", "choices": [64, 0.5]}}, "params.hidden_dim=0.5 is rejected"),
        (
            {"params.optim.momentum": {"type": "float", "low": 0.5, "high": 1.5}},
            "params.optim.momentum=1.5 is rejected by the model: params.optim: momentum must be in [0, 1)",
        ),
        (
            {"params.lr": {"type": "float", "low": 1e-3, "high": 1e-2, "condition": {"params.optim.kind": "adam"}}},
            "which is not in the search space",
        ),
        (
            {
                "params.optim.kind": {"type": "categorical", "choices": ["sgd", "adam"]},
                "params.optim.momentum": {
                    "type": "float",
                    "low": 0.1,
                    "high": 0.9,
                    "condition": {"params.optim.kind": "rmsprop"},
                },
            },
            "needs params.optim.kind=['rmsprop'], which is not among its choices",
        ),
        (
            {
                "params.activation": {
                    "type": "categorical",
                    "choices": ["relu", "elu"],
                    "condition": {"params.bad": False},
                },
                "params.bad": {
                    "type": "categorical",
                    "choices": [True, False],
                    "condition": {"params.activation": "elu"},
                },
            },
            "conditions form a cycle",
        ),
        (
            {"params.bad": {"type": "categorical", "choices": [True, False], "condition": {"params.bad": True}}},
            "condition on itself",
        ),
    ],
)
def test_bad_search_spaces_name_the_problem(tmp_path, toy_model, space, message):
    with pytest.raises(ConfigError) as info:
        check(tmp_path, space)
    assert message in str(info.value)


def test_order_puts_condition_parents_first(tmp_path, toy_model):
    order = check(
        tmp_path,
        {
            "params.optim.momentum": {
                "type": "float",
                "low": 0.1,
                "high": 0.9,
                "condition": {"params.optim.kind": "sgd"},
            },
            "params.optim.kind": {"type": "categorical", "choices": ["sgd", "adam"]},
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
        },
    )
    assert order.index("params.optim.kind") < order.index("params.optim.momentum")
    assert sorted(order) == ["params.lr", "params.optim.kind", "params.optim.momentum"]


def test_int_range_on_float_field_is_fine(tmp_path, toy_model):
    assert check(tmp_path, {"params.lr": {"type": "int", "low": 1, "high": 3}}) == ["params.lr"]


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if any trial trains: errors must come before."""

    def boom(*args, **kwargs):
        raise AssertionError("a trial ran although the study file is invalid")

    monkeypatch.setattr("tests.tuning.toy_model.train", boom)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"search_space": {"params.nope": {"type": "float", "low": 0.1, "high": 0.2}}}, "unknown parameter path"),
        ({"objective": "ndcg@20"}, "is not a validation metric of toy"),
        ({"base_config": "no/such_config"}, "base_config 'no/such_config' not found"),
        ({"storage": "redis://localhost"}, "is not supported"),
        ({"overrides": {"params": {"epochs_typo": 3}}}, "unknown key(s) ['epochs_typo']"),
    ],
)
def test_tune_fails_before_any_trial(tmp_path, toy_model, no_training, changes, message):
    path = write_study(tmp_path, **changes)
    with pytest.raises(ConfigError) as info:
        commands.run(tune_args(path, tmp_path / "out"))
    assert message in str(info.value)
    assert not (tmp_path / "out" / "toy_study" / "study.db").exists()


def test_bad_cli_numbers_fail_before_any_trial(tmp_path, toy_model, no_training):
    path = write_study(tmp_path)
    with pytest.raises(ConfigError, match="--workers must be >= 1"):
        commands.run(tune_args(path, tmp_path / "out", workers=0))
    with pytest.raises(ConfigError, match="--n-trials must be >= 1"):
        commands.run(tune_args(path, tmp_path / "out", n_trials=0))


def test_unknown_study_name_lists_shipped_studies():
    with pytest.raises(ConfigError, match="no study file 'nope_study'"):
        commands.study_file("nope_study")


def test_cli_reports_a_bad_study_with_exit_code_2(tmp_path, toy_model, no_training, capsys):
    from graphcl.cli import main

    path = write_study(tmp_path, search_space={"params.hidden_dim": {"type": "int", "low": 64, "high": 16}})
    assert main(["tune", str(path), "--out-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "graphcl: error:" in err and "params.hidden_dim: empty or inverted range: low=64" in err
