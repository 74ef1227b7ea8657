"""Typed configs: unknown keys, bad values and overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from graphcl.config import (
    ConfigError,
    apply_overrides,
    from_dict,
    load_run_config,
    parse_override,
    to_dict,
)
from graphcl.utils.task import Task


@dataclass
class Inner:
    k: int = 2
    rates: list[float] = field(default_factory=lambda: [0.1, 0.2])


@dataclass
class Params:
    lr: float = 1e-3
    hidden_dim: int = 64
    act: Literal["relu", "elu"] = "elu"
    use_bias: bool = True
    name: str | None = None
    inner: Inner = field(default_factory=Inner)

    def __post_init__(self):
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")


def test_defaults_and_nested():
    p = from_dict(Params, {"inner": {"k": 5}})
    assert p.inner.k == 5 and p.inner.rates == [0.1, 0.2] and p.lr == 1e-3


def test_int_is_accepted_as_float_but_not_the_reverse():
    assert from_dict(Params, {"lr": 1}).lr == 1.0
    with pytest.raises(ConfigError, match="hidden_dim: expected an integer"):
        from_dict(Params, {"hidden_dim": 1.5})


def test_unknown_key_lists_valid_keys():
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['hiden_dim'\].*'hidden_dim'"):
        from_dict(Params, {"hiden_dim": 3})


def test_nested_unknown_key_names_the_path():
    with pytest.raises(ConfigError, match=r"inner: unknown key\(s\) \['kk'\]"):
        from_dict(Params, {"inner": {"kk": 1}})


def test_literal_lists_choices():
    with pytest.raises(ConfigError, match=r"act: 'gelu' is not one of \['relu', 'elu'\]"):
        from_dict(Params, {"act": "gelu"})


def test_bool_is_not_an_int_and_strings_are_not_bools():
    with pytest.raises(ConfigError):
        from_dict(Params, {"hidden_dim": True})
    with pytest.raises(ConfigError, match="use_bias: expected true or false"):
        from_dict(Params, {"use_bias": "yes"})


def test_post_init_validation_becomes_config_error():
    with pytest.raises(ConfigError, match="lr must be > 0"):
        from_dict(Params, {"lr": -1.0})


def test_optional_and_list_items_checked():
    assert from_dict(Params, {"name": None}).name is None
    with pytest.raises(ConfigError, match=r"inner.rates\[1\]: expected a number"):
        from_dict(Params, {"inner": {"rates": [0.1, "x"]}})


def test_to_dict_round_trip():
    p = from_dict(Params, {"lr": 0.01, "inner": {"k": 3}})
    assert from_dict(Params, to_dict(p)) == p


@pytest.mark.parametrize(
    "text,path,value",
    [
        ("params.lr=1e-3", ["params", "lr"], 1e-3),
        ("seed=3", ["seed"], 3),
        ("params.flag=true", ["params", "flag"], True),
        ("params.xs=[1, 2]", ["params", "xs"], [1, 2]),
        ("model=meow", ["model"], "meow"),
    ],
)
def test_parse_override(text, path, value):
    assert parse_override(text) == (path, value)


def test_override_without_equals_is_an_error():
    with pytest.raises(ConfigError, match="key=value"):
        parse_override("params.lr")


def test_apply_overrides_does_not_mutate_input():
    data = {"params": {"lr": 0.1}}
    out = apply_overrides(data, ["params.lr=0.2", "params.inner.k=4"])
    assert data == {"params": {"lr": 0.1}}
    assert out == {"params": {"lr": 0.2, "inner": {"k": 4}}}


def test_load_run_config_validates_params_against_the_model(monkeypatch):
    import graphcl.registry as registry

    monkeypatch.setitem(registry.MODELS, "toy", Task("hetero", {"toy": Params}, Params, Params, ()))
    run = load_run_config({"task": "hetero", "model": "toy", "dataset": "acm"}, ["params.hidden_dim=8"])
    assert run.params.hidden_dim == 8 and run.seed == 0
    with pytest.raises(ConfigError, match=r"params: unknown key\(s\) \['oops'\]"):
        load_run_config({"task": "hetero", "model": "toy", "dataset": "acm"}, ["params.oops=1"])
    with pytest.raises(ConfigError, match=r"task: 'graph' is not one of"):
        load_run_config({"task": "graph", "model": "toy", "dataset": "acm"})


def test_missing_required_key():
    with pytest.raises(ConfigError, match=r"missing required key\(s\) \['dataset'\]"):
        load_run_config({"task": "rec", "model": "sasrec"})


def test_unknown_model_lists_known_models():
    with pytest.raises(KeyError, match="known models"):
        load_run_config({"task": "rec", "model": "nope", "dataset": "x"})


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_run_config(tmp_path / "absent.yaml")


def test_a_section_override_merges_and_never_drops_the_section():
    data = {"params": {"lr": 0.1, "tau": 0.5}}
    assert apply_overrides(data, ["params={lr: 0.2}"]) == {"params": {"lr": 0.2, "tau": 0.5}}
    with pytest.raises(ConfigError, match="would drop every value of section 'params'"):
        apply_overrides(data, ["params=null"])


def test_non_finite_numbers_are_refused():
    @dataclass
    class P:
        lr: float = 0.1

    with pytest.raises(ConfigError, match="lr: nan is not a finite number"):
        from_dict(P, {"lr": float("nan")})


@pytest.mark.parametrize(
    "model, key, section",
    [
        ("sasrec", "learning_rate", "train"),
        ("cl4srec", "hidden_size", "model"),
        ("mclrec", "eval_batch_size", "eval"),
        ("sracl", "max_train_batches", "smoke"),
    ],
)
def test_an_old_flat_params_key_names_its_new_section(model, key, section):
    with pytest.raises(
        ConfigError,
        match=rf"^params\.{key} moved to params\.{section}\.{key} \(issue #16: params "
        r"are nested into model/train/eval/smoke sections\)$",
    ):
        load_run_config({"task": "rec", "model": model, "dataset": "beauty", "params": {key: 1}})
    with pytest.raises(ConfigError, match=rf"params\.{key} moved to params\.{section}\.{key}"):
        load_run_config({"task": "rec", "model": model, "dataset": "beauty"}, [f"params.{key}=1"])
    run = load_run_config({"task": "rec", "model": model, "dataset": "beauty"}, [f"params.{section}.{key}=2"])
    assert getattr(getattr(run.params, section), key) == 2


def test_the_task_follows_from_the_model():
    run = load_run_config({"model": "sasrec", "dataset": "ml-100k"})
    assert run.task == "rec"
    with pytest.raises(ConfigError, match="does not match model 'meow'"):
        load_run_config({"task": "rec", "model": "meow", "dataset": "acm"})
