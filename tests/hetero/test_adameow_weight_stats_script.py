"""benchmarks/adameow_weight_stats.py: the class statistics of a pair-weight matrix."""

import pytest
import torch

from tests.benchmark_scripts import load_benchmark


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
