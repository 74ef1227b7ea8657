"""Study-file schema: every malformed entry fails with a message that names the problem."""

from __future__ import annotations

import pytest

from graphcl.config import ConfigError
from graphcl.tuning.study_config import load_study_config
from graphcl.tuning.yaml_io import load_yaml_text


def study(**changes):
    data = {
        "base_config": "toy_base.yaml",
        "study_name": "s",
        "search_space": {"params.lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": True}},
    }
    data.update(changes)
    return data


def space(**spec):
    return study(search_space={"params.x": spec})


def test_valid_study_gets_defaults():
    cfg, folder = load_study_config(study())
    assert folder is None
    assert (cfg.direction, cfg.objective, cfg.seeds, cfg.sampler.type, cfg.sampler.seed, cfg.pruner.type) == (
        "maximize",
        "macro_f1_20",
        [0],
        "tpe",
        0,
        "median",
    )
    assert cfg.search_space["params.lr"].log is True


def test_study_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "my_study.yaml"
    path.write_text("base_config: x\nsearch_space:\n  params.lr: {type: float, low: 1e-4, high: 1e-2}\n")
    cfg, folder = load_study_config(path)
    assert cfg.study_name == "my_study" and folder == tmp_path.resolve()
    assert cfg.search_space["params.lr"].low == 1e-4  # YAML 1.1 would read "1e-4" as a string


def test_a_key_written_twice_is_refused():
    with pytest.raises(ConfigError, match=r"duplicate key 'n_trials' \(lines 2 and 4\)"):
        load_yaml_text("base_config: x\nn_trials: 5\nseeds: [0]\nn_trials: 50\n")
    with pytest.raises(ConfigError, match=r"duplicate key 'low'"):
        load_yaml_text("search_space:\n  params.lr: {type: float, low: 0.1, high: 1, low: 0.2}\n")


def test_yaml_reads_exponent_numbers_as_floats():
    assert load_yaml_text("a: 1e-4\nb: [3E2, x]\nc: 7") == {"a": 1e-4, "b": [300.0, "x"], "c": 7}


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"type": "float", "low": 1.0, "high": 0.1}, "empty or inverted range"),
        ({"type": "int", "low": 4, "high": 4}, "empty or inverted range"),
        ({"type": "float", "low": 0.0, "high": 1.0, "log": True}, "log: true needs low > 0"),
        ({"type": "float", "low": -1.0, "high": 1.0, "log": True}, "log: true needs low > 0"),
        ({"type": "float", "low": 1e-4, "high": 1.0, "log": True, "step": 0.1}, "cannot be combined with step"),
        ({"type": "categorical"}, "needs a non-empty `choices`"),
        ({"type": "categorical", "choices": []}, "needs a non-empty `choices`"),
        ({"type": "categorical", "choices": [1, 2], "low": 0}, "takes `choices` only"),
        ({"type": "categorical", "choices": [{"a": 1}, 3]}, "must be numbers, strings"),
        ({"type": "categorical", "choices": [[1, [2]], 3]}, "flat lists of them"),
        ({"type": "categorical", "choices": [1, 1]}, "duplicates"),
        ({"type": "float", "low": 0.1}, "needs both `low` and `high`"),
        ({"type": "float", "low": "a", "high": 1.0}, "matches none of"),
        ({"type": "int", "low": 0.5, "high": 4}, "whole numbers"),
        ({"type": "int", "low": 1, "high": 9, "step": 0}, "step must be a positive number"),
        ({"type": "float", "low": 0, "high": 1, "choices": [1]}, "`choices` is for type: categorical"),
        ({"type": "gaussian", "low": 0, "high": 1}, "is not one of ['float', 'int', 'categorical']"),
        ({"type": "float", "low": 0, "high": 1, "hi": 2}, "unknown key(s) ['hi']"),
    ],
)
def test_bad_param_specs_name_the_problem(spec, message):
    with pytest.raises(ConfigError, match="params.x") as info:
        load_study_config(space(**spec))
    assert message in str(info.value)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"objective": "test_macro_f1_20"}, "is a test metric"),
        ({"objective": "TEST/ndcg@20"}, "is a test metric"),
        ({"direction": "up"}, "is not one of ['maximize', 'minimize']"),
        ({"direction": "minimize"}, "cannot use a pruner"),
        ({"seeds": []}, "seeds is empty"),
        ({"seeds": [1, 1]}, "duplicates"),
        ({"n_trials": 0}, "n_trials must be >= 1"),
        ({"timeout": -5}, "timeout must be a positive"),
        ({"search_space": {}}, "search_space is empty"),
        ({"search_space": ["params.lr"]}, "search_space must map"),
        ({"sampler": {"type": "annealing"}}, "is not one of"),
        ({"sampler": {"type": "tpe", "args": {"n_startup": 3}}}, "unknown args ['n_startup']"),
        ({"pruner": {"type": "median", "args": {"warmup": 3}}}, "unknown args ['warmup']"),
        ({"pruner": {"type": "percentile", "args": {"percentile": 150}}}, "between 0 and 100"),
        ({"unknown_key": 1}, "unknown key(s) ['unknown_key']"),
        ({"study_name": None, "base_config": "x"}, "study_name is required"),
    ],
)
def test_bad_study_fields_name_the_problem(changes, message):
    with pytest.raises(ConfigError) as info:
        load_study_config(study(**changes))
    assert message in str(info.value)


def test_val_prefix_is_accepted_and_overrides_apply():
    cfg, _ = load_study_config(
        study(objective="val.ndcg@20"), ["n_trials=7", "sampler.seed=3", "overrides.params.epochs=2"]
    )
    assert (cfg.objective, cfg.n_trials, cfg.sampler.seed, cfg.overrides) == (
        "ndcg@20",
        7,
        3,
        {"params": {"epochs": 2}},
    )


def test_minimize_without_pruner_is_allowed():
    cfg, _ = load_study_config(study(direction="minimize", pruner={"type": "none"}))
    assert cfg.direction == "minimize"


def test_sampler_seed_is_offset_per_worker():
    import optuna

    cfg, _ = load_study_config(study(sampler={"type": "random", "seed": 5}))
    draws = []
    for worker in (0, 1, 0):
        s = optuna.create_study(sampler=cfg.sampler.build(worker))
        draws.append(s.ask().suggest_float("x", 0, 1))
    assert draws[0] == draws[2] and draws[0] != draws[1]


def test_search_space_entries_can_be_overridden_despite_dotted_keys():
    original = study()
    cfg, _ = load_study_config(original, ["search_space.params.lr.high=0.1", "n_trials=3"])
    assert cfg.search_space["params.lr"].high == 0.1 and cfg.n_trials == 3
    assert original["search_space"]["params.lr"]["high"] == 1e-2  # input left alone
    with pytest.raises(ConfigError, match="empty or inverted range"):
        load_study_config(study(), ["search_space.params.lr.low=1.0"])
    with pytest.raises(ConfigError, match="no search_space entry is a prefix"):
        load_study_config(study(), ["search_space.params.tau.low=0.1"])
