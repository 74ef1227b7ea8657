"""Conditional parameters are sampled only when their condition holds."""

from __future__ import annotations

import optuna

from graphcl.tuning.param_spec import ParamSpec
from graphcl.tuning.sampling import condition_holds, decode_params, sample_values

SPACE = {
    "params.optim.kind": ParamSpec("categorical", choices=["sgd", "adam"]),
    "params.optim.momentum": ParamSpec("float", low=0.1, high=0.9, condition={"params.optim.kind": "sgd"}),
    "params.hidden_dim": ParamSpec("int", low=16, high=64, step=16),
    "params.lr": ParamSpec("float", low=1e-4, high=1e-1, log=True),
}
ORDER = list(SPACE)


def test_condition_with_one_value_or_a_list():
    spec = ParamSpec("float", low=0, high=1, condition={"a": ["x", "y"], "b": 2})
    assert condition_holds(spec, {"a": "y", "b": 2})
    assert not condition_holds(spec, {"a": "z", "b": 2})
    assert not condition_holds(spec, {"a": "x"})  # parent inactive -> child inactive


def test_conditional_param_present_exactly_when_parent_matches():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    kinds = set()
    for _ in range(30):
        trial = study.ask()
        values = sample_values(trial, SPACE, ORDER)
        kinds.add(values["params.optim.kind"])
        assert ("params.optim.momentum" in values) == (values["params.optim.kind"] == "sgd")
        assert values["params.hidden_dim"] in (16, 32, 48, 64)
        assert 1e-4 <= values["params.lr"] <= 1e-1
        assert trial.params == values  # Optuna records exactly the active parameters
        study.tell(trial, 0.0)
    assert kinds == {"sgd", "adam"}


def test_list_choices_are_stored_as_json_and_decoded():
    space = {
        "params.num_clusters": ParamSpec("categorical", choices=[[50, 150], [100, 300]]),
        "params.lam": ParamSpec("categorical", choices=[0.1, 1.0]),
    }
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen = set()
    for _ in range(10):
        trial = study.ask()
        values = sample_values(trial, space, list(space))
        assert values["params.num_clusters"] in ([50, 150], [100, 300])
        assert trial.params["params.num_clusters"] in ("[50, 150]", "[100, 300]")
        assert decode_params(space, trial.params) == values
        seen.add(tuple(values["params.num_clusters"]))
        study.tell(trial, 0.0)
    assert seen == {(50, 150), (100, 300)}


def test_stored_value_of_base_config_values():
    assert ParamSpec(type="categorical", choices=[[2, 4], [3, 6]]).stored_value([3, 6]) == "[3, 6]"
    assert ParamSpec(type="categorical", choices=[[2, 4]]).stored_value([2, 5]) is None
    assert ParamSpec(type="float", low=1e-4, high=1e-1, log=True).stored_value(1e-3) == 1e-3
    assert ParamSpec(type="float", low=0.0, high=1.0).stored_value(1.5) is None
    assert ParamSpec(type="int", low=16, high=256, step=16).stored_value(64) == 64
    assert ParamSpec(type="int", low=16, high=256, step=16).stored_value(72) is None
    assert ParamSpec(type="float", low=0.1, high=0.5, step=0.1).stored_value(0.3) == 0.3
    assert ParamSpec(type="float", low=0.0, high=1.0).stored_value("0.5") is None


def test_default_trial_skips_inactive_conditional_params():
    from graphcl.tuning.sampling import default_trial

    space = {
        "params.optim.kind": ParamSpec(type="categorical", choices=["adam", "sgd"]),
        "params.optim.momentum": ParamSpec(type="float", low=0.0, high=0.99, condition={"params.optim.kind": "sgd"}),
    }
    order = ["params.optim.kind", "params.optim.momentum"]
    resolved = {"params": {"optim": {"kind": "adam", "momentum": 0.9}}}
    assert default_trial(space, order, resolved) == {"params.optim.kind": "adam"}
    resolved["params"]["optim"]["kind"] = "sgd"
    assert default_trial(space, order, resolved) == {"params.optim.kind": "sgd", "params.optim.momentum": 0.9}
