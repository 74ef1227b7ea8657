"""benchmarks/adameow_weight_stats.py: the pair-weight matrix and its class statistics."""

import pytest
import torch
import torch.nn.functional as F

from graphcl.hetero.params import AdaMEOWModel, AdaMEOWParams, AdaMEOWTrain
from graphcl.hetero.train import build
from tests.benchmark_scripts import load_benchmark
from tests.hetero.synthetic import make_planted_hetero


def test_pair_weight_matrix_is_the_models_pair_weights_over_all_pairs():
    mod = load_benchmark("adameow_weight_stats")
    data = make_planted_hetero(num_papers=40)
    params = AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10]), train=AdaMEOWTrain(chunk_size=16))
    model, inputs = build("adameow", data, params, seed=0)
    w = mod.pair_weight_matrix(model, inputs)
    fine, coarse, _ = model._views(inputs)
    expected = model.pair_weights(F.linear(fine, model.w1.weight), model.w1(coarse))
    assert w.shape == (40, 40)
    torch.testing.assert_close(w, expected.detach())


def test_weight_stats_auc_and_class_means():
    mod = load_benchmark("adameow_weight_stats")
    labels = torch.tensor([0, 0, 1, 1, 2, 2])
    same = labels[:, None] == labels[None, :]
    w = torch.where(same, 0.2, 0.8)  # every same-class pair lower: AUC 1
    stats = mod.weight_stats(w, labels)
    assert stats["auc_lower_weight_same_class"] == pytest.approx(1.0)
    assert stats["mean_same_class"] == pytest.approx(0.2) and stats["mean_other_class"] == pytest.approx(0.8)
    assert mod.weight_stats(torch.full((6, 6), 0.5), labels)["auc_lower_weight_same_class"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"must be \[N, N\]"):
        mod.weight_stats(torch.ones(5, 6), labels)
