"""Options that reproduce the official MEOW/AdaMEOW code reach the modules that use them."""

from unittest import mock

import pytest

from graphcl.config import ConfigError, from_dict
from graphcl.hetero.params import AdaMEOWModel, AdaMEOWParams, MEOWModel, MEOWParams
from graphcl.hetero.train import build
from tests.hetero.synthetic import make_planted_hetero


def test_adameow_official_weighted_positive_is_an_option():
    data = make_planted_hetero()
    official, _ = build(
        "adameow", data, AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10], weigh_positives=True)), seed=0
    )
    plain, _ = build("adameow", data, AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10])), seed=0)
    assert official.info.weigh_positives and not plain.info.weigh_positives


def test_meow_runs_kmeans_with_the_configured_restarts():
    import graphcl.hetero.meow as meow_module

    data = make_planted_hetero()
    model, inputs = build(
        "meow", data, MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5], kmeans_restarts=3)), seed=0
    )
    with mock.patch.object(meow_module, "kmeans", wraps=meow_module.kmeans) as spy:
        model.loss(inputs)
    assert [c.kwargs["n_init"] for c in spy.call_args_list] == [3, 3]


def test_kmeans_restarts_must_be_positive():
    with pytest.raises(ConfigError, match="kmeans_restarts must be >= 1"):
        from_dict(MEOWParams, {"model": {"kmeans_restarts": 0}})
