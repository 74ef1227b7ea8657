import pytest

from graphcl.config import ConfigError, from_dict, load_run_config
from graphcl.hetero.params import AdaMEOWParams, HeCoParams, MEOWParams

SECTION = {
    "tau": "model",
    "feat_mask": "model",
    "num_clusters": "model",
    "adj_mask": "model",
    "weight_reg": "model",
    "lam": "model",
    "sample_rate": "model",
    "chunk_size": "train",
    "epochs": "train",
}


def test_defaults_are_official_acm_values():
    m = MEOWParams()
    assert (m.train.lr, m.model.tau, m.train.patience, m.model.nei_max, m.model.num_clusters) == (
        7e-4,
        0.4,
        20,
        [110, 700],
        [100, 300],
    )
    assert (m.train.epochs, m.train.restore_best, m.train.chunk_size, m.eval.eval_lr) == (10000, False, None, 0.03)
    a = AdaMEOWParams()
    assert (a.train.lr, a.model.tau, a.train.weight_decay, a.model.nei_max) == (5e-5, 1.0, 1e-5, [690, 690])
    assert (a.train.epochs, a.train.patience, a.train.chunk_size) == (1200, 10, 512)
    h = HeCoParams()
    assert (h.train.lr, h.model.tau, h.train.patience, h.model.sample_rate, h.eval.eval_lr) == (
        8e-4,
        0.8,
        5,
        [7, 1],
        0.05,
    )
    assert h.train.restore_best and h.train.epochs == 10000


def test_a_partial_section_keeps_the_models_other_defaults():
    a = from_dict(AdaMEOWParams, {"train": {"epochs": 5}})
    assert (a.train.epochs, a.train.lr, a.train.patience, a.train.weight_decay) == (5, 5e-5, 10, 1e-5)
    h = from_dict(HeCoParams, {"eval": {"final_eval_repeats": 2}})
    assert (h.eval.final_eval_repeats, h.eval.eval_lr) == (2, 0.05)


@pytest.mark.parametrize("key, section", [("lr", "train"), ("eval_lr", "eval"), ("tau", "model")])
def test_an_old_flat_key_names_its_new_place(key, section):
    with pytest.raises(ConfigError, match=rf"params\.{key} moved to params\.{section}\.{key} \(issue #16"):
        load_run_config({"task": "hetero", "model": "meow", "dataset": "acm", "params": {key: 0.5}})


@pytest.mark.parametrize(
    "cls, field, bad",
    [
        (MEOWParams, "tau", 0.0),
        (MEOWParams, "feat_mask", 1.0),
        (MEOWParams, "num_clusters", [1]),
        (MEOWParams, "adj_mask", [1.5]),
        (AdaMEOWParams, "weight_reg", -1.0),
        (HeCoParams, "lam", 1.5),
        (HeCoParams, "sample_rate", [0]),
        (MEOWParams, "chunk_size", 0),
        (HeCoParams, "epochs", 0),
    ],
)
def test_invalid_values_are_rejected_with_the_field_name(cls, field, bad):
    with pytest.raises(ConfigError, match=field):
        from_dict(cls, {SECTION[field]: {field: bad}})


def test_unknown_key_is_rejected():
    with pytest.raises(ConfigError, match="unknown key"):
        from_dict(MEOWParams, {"lamda_proto": 1.0})
    with pytest.raises(ConfigError, match="unknown key"):
        from_dict(MEOWParams, {"model": {"lamda_proto": 1.0}})


@pytest.mark.parametrize("model", ["meow", "adameow", "heco"])
@pytest.mark.parametrize("dataset", ["acm", "dblp", "aminer"])
def test_shipped_configs_load(model, dataset):
    from graphcl.utils.resources import configs_dir

    run = load_run_config(configs_dir() / "hetero" / f"{model}_{dataset}.yaml")
    assert run.model == model and run.dataset == dataset


def changed_settings(official, variant) -> set[tuple[str, str]]:
    """``(section, key)`` of every model/train/eval setting where ``variant`` differs from ``official``."""
    from dataclasses import asdict

    return {
        (section, key)
        for section in ("model", "train", "eval")
        for key, value in asdict(getattr(variant, section)).items()
        if value != asdict(getattr(official, section))[key]
    }


def test_meow_acm_cluster_config_differs_from_the_official_one_in_three_settings():
    """docs/hetero.md, "MEOW clustering on ACM": no ProtoNCE, HeCo's positives, validation-chosen epoch."""
    from graphcl.utils.resources import configs_dir

    official = load_run_config(configs_dir() / "hetero" / "meow_acm.yaml").params
    cluster = load_run_config(configs_dir() / "hetero" / "meow_acm_cluster.yaml").params
    assert (official.model.lam_proto, official.model.positives, official.train.select) == (1.0, "self", "loss")
    changed = changed_settings(official, cluster)
    assert changed == {
        ("model", "lam_proto"),
        ("model", "positives"),
        ("train", "select"),
        ("train", "patience"),
        ("eval", "eval_every"),
    }
    assert (cluster.model.lam_proto, cluster.model.positives, cluster.model.embedding) == (0.0, "heco", "fused")
    assert (cluster.train.select, cluster.train.patience, cluster.eval.eval_every) == ("validation", 10, 10)


def test_adameow_acm_cluster_config_differs_from_the_official_one_in_positives_and_selection():
    """docs/hetero.md, "Goal table": HeCo's positives and a validation-chosen epoch, nothing else."""
    from graphcl.utils.resources import configs_dir

    official = load_run_config(configs_dir() / "hetero" / "adameow_acm.yaml").params
    cluster = load_run_config(configs_dir() / "hetero" / "adameow_acm_cluster.yaml").params
    changed = changed_settings(official, cluster)
    assert changed == {("model", "positives"), ("train", "select"), ("train", "patience"), ("eval", "eval_every")}
    assert (official.model.positives, official.train.select) == ("self", "loss")
    assert (cluster.model.positives, cluster.train.select, cluster.train.patience) == ("heco", "validation", 10)
    assert cluster.eval.eval_every == 10
