import math

import torch

from rec.evaluation import rank_metrics, target_ranks


def test_hand_computed_example():
    # 3 users, items 0..5 (0 = padding, never ranked even with the top score)
    scores = torch.tensor(
        [
            [9.0, 0.1, 0.9, 0.5, 0.3, 0.2],  # target 2 is best            -> rank 0
            [9.0, 0.8, 0.1, 0.7, 0.9, 0.6],  # target 3 below items 4, 1   -> rank 2
            [9.0, 0.1, 0.2, 0.3, 0.4, 0.5],  # target 1 below 4 items     -> rank 4
        ]
    )
    targets = torch.tensor([2, 3, 1])
    ranks = target_ranks(scores, targets)
    assert ranks.tolist() == [0, 2, 4]
    m = rank_metrics(ranks, ks=(1, 3, 5))
    assert math.isclose(m["hr@1"], 1 / 3)
    assert math.isclose(m["hr@3"], 2 / 3)
    assert math.isclose(m["hr@5"], 1.0)
    assert math.isclose(m["ndcg@3"], (1.0 + 1 / math.log2(4)) / 3)
    assert math.isclose(m["ndcg@5"], (1.0 + 1 / math.log2(4) + 1 / math.log2(6)) / 3)


def test_matches_topk_position():
    g = torch.Generator().manual_seed(0)
    scores = torch.randn(50, 200, generator=g)
    targets = torch.randint(1, 200, (50,), generator=g)
    ranks = target_ranks(scores, targets)
    masked = scores.clone()
    masked[:, 0] = float("-inf")
    order = masked.argsort(dim=1, descending=True)
    expected = (order == targets.unsqueeze(1)).float().argmax(dim=1)
    assert torch.equal(ranks, expected)


def test_history_exclusion_keeps_target_and_removes_history():
    scores = torch.tensor([[0.0, 0.9, 0.8, 0.5, 0.1]])
    target = torch.tensor([3])
    assert target_ranks(scores, target).item() == 2
    # items 1, 2 are history, 3 also appears in history (repeat) but stays ranked
    assert target_ranks(scores, target, exclude=torch.tensor([[1, 2, 3, 0]])).item() == 0
    assert torch.equal(scores, torch.tensor([[0.0, 0.9, 0.8, 0.5, 0.1]]))  # input untouched


def test_nan_scores_raise_instead_of_ranking_first():
    # `nan > x` and `x > nan` are both False: without a check a NaN target (or a model whose
    # scores are all NaN) counted no item above it and got rank 0, i.e. HR@k = NDCG@k = 1.
    import pytest

    scores = torch.tensor([[0.0, 0.9, 0.8, float("nan"), 0.1]])
    with pytest.raises(FloatingPointError, match="NaN"):
        target_ranks(scores, torch.tensor([3]))
    with pytest.raises(FloatingPointError, match="NaN"):
        target_ranks(torch.full((2, 5), float("nan")), torch.tensor([1, 2]))
    # a NaN in another item's column is an error too (it would silently never rank above)
    with pytest.raises(FloatingPointError, match="NaN"):
        target_ranks(scores, torch.tensor([4]))
    # the padding column is not ranked: a NaN there is harmless
    ok = torch.tensor([[float("nan"), 0.9, 0.8, 0.5, 0.1]])
    assert target_ranks(ok, torch.tensor([3])).item() == 2


def test_ties_are_counted_in_the_targets_favour():
    # Documented policy: rank = number of items scoring strictly higher (optimistic on ties).
    scores = torch.tensor([[0.0, 0.5, 0.5, 0.5, 0.1]])
    assert target_ranks(scores, torch.tensor([3])).item() == 0
    assert target_ranks(scores, torch.tensor([4])).item() == 3
