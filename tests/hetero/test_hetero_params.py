import pytest

from graphcl.config import ConfigError, from_dict, load_run_config
from graphcl.hetero.params import AdaMEOWParams, HeCoParams, MEOWParams


def test_defaults_are_official_acm_values():
    m = MEOWParams()
    assert (m.lr, m.tau, m.patience, m.nei_max, m.num_clusters) == (7e-4, 0.4, 20, [110, 700], [100, 300])
    a = AdaMEOWParams()
    assert (a.lr, a.tau, a.weight_decay, a.nei_max) == (5e-5, 1.0, 1e-5, [690, 690])
    h = HeCoParams()
    assert (h.lr, h.tau, h.patience, h.sample_rate, h.eval_lr) == (8e-4, 0.8, 5, [7, 1], 0.05)


@pytest.mark.parametrize("cls, field, bad", [
    (MEOWParams, "tau", 0.0), (MEOWParams, "feat_mask", 1.0), (MEOWParams, "num_clusters", [1]),
    (MEOWParams, "adj_mask", [1.5]), (AdaMEOWParams, "weight_reg", -1.0), (HeCoParams, "lam", 1.5),
    (HeCoParams, "sample_rate", [0]), (MEOWParams, "chunk_size", 0), (HeCoParams, "epochs", 0),
])
def test_invalid_values_are_rejected_with_the_field_name(cls, field, bad):
    with pytest.raises(ValueError, match=field):
        cls(**{field: bad})


def test_unknown_key_is_rejected():
    with pytest.raises(ConfigError, match="unknown key"):
        from_dict(MEOWParams, {"lamda_proto": 1.0})


@pytest.mark.parametrize("model", ["meow", "adameow", "heco"])
@pytest.mark.parametrize("dataset", ["acm", "dblp", "aminer"])
def test_shipped_configs_load(model, dataset):
    from graphcl.utils.resources import configs_dir

    run = load_run_config(configs_dir() / "hetero" / f"{model}_{dataset}.yaml")
    assert run.model == model and run.dataset == dataset
