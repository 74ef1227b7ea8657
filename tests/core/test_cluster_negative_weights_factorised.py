"""ClusterNegativeWeights: InfoNCE's factorised sum of MEOW's cluster weights vs the dense weights."""

import math

import pytest
import torch

from graphcl.core import ClusterNegativeWeights, InfoNCE, cluster_negative_weights
from tests.core import reference as ref


def _case(n=11, d=4, ks=(2, 3), seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, d, generator=g, dtype=dtype, requires_grad=True)
    c = torch.randn(n, d, generator=g, dtype=dtype, requires_grad=True)
    assign = [torch.randint(k, (n,), generator=g) for k in ks]
    pos = torch.rand(n, n, generator=g) < 0.2
    pos.fill_diagonal_(True)
    return a, c, assign, pos


def _value_and_grads(loss, a, c, **kwargs):
    value = loss(a, c, **kwargs)
    return value.detach(), torch.autograd.grad(value, (a, c))


def _assert_same(x, y):
    torch.testing.assert_close(x[0], y[0])
    for gx, gy in zip(x[1], y[1]):
        torch.testing.assert_close(gx, gy)


@pytest.mark.parametrize("ks", [(3,), (2, 4), (2, 3, 2)])
@pytest.mark.parametrize("chunk_size", [None, 4])
@pytest.mark.parametrize("pos_in_den", [False, True])
@pytest.mark.parametrize("multi_pos", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_dense_weights_and_loop_reference(ks, chunk_size, pos_in_den, multi_pos, seed):
    a, c, assign, pos = _case(ks=ks, seed=seed)
    pos_mask = pos if multi_pos else None
    loss = InfoNCE(0.5, "cosine", positives_in_denominator=pos_in_den, chunk_size=chunk_size, reduction="none")
    fast = _value_and_grads(
        lambda *x, **kw: loss(*x, **kw).sum(), a, c, pos_mask=pos_mask, neg_weights=ClusterNegativeWeights(assign)
    )
    dense = cluster_negative_weights(assign, dtype=torch.float64)
    _assert_same(
        fast, _value_and_grads(lambda *x, **kw: loss(*x, **kw).sum(), a, c, pos_mask=pos_mask, neg_weights=dense)
    )
    eye = torch.eye(a.shape[0], dtype=torch.bool)
    slow = ref.infonce(
        a, c, eye if pos_mask is None else pos_mask, ref.cluster_weights(assign), 0.5, "cosine", pos_in_den
    ).sum()
    _assert_same(fast, (slow.detach(), torch.autograd.grad(slow, (a, c))))


@pytest.mark.parametrize("chunk_size", [None, 3])
@pytest.mark.parametrize("checkpoint", [True, False])
def test_symmetric_and_weigh_positives_match_dense(chunk_size, checkpoint):
    a, c, assign, pos = _case(ks=(2, 3), seed=3)
    dense = cluster_negative_weights(assign, dtype=torch.float64)
    for kwargs in ({"symmetric": True}, {"weigh_positives": True}):
        loss = InfoNCE(0.3, "dot", chunk_size=chunk_size, checkpoint=checkpoint, **kwargs)
        _assert_same(
            _value_and_grads(loss, a, c, pos_mask=pos, neg_weights=ClusterNegativeWeights(assign)),
            _value_and_grads(loss, a, c, pos_mask=pos, neg_weights=dense),
        )


def _adversarial(dtype):
    # Anchor 0: its positive (itself) and node 1 share every cluster with it (weight 0) and are
    # e^90 larger than its only counted negatives 2, 3 (weights 1 and 2). A row-max shift followed by
    # K * sum - sum of same-cluster sums leaves 0 (or rounding noise) for the denominator.
    assign = [torch.tensor([0, 0, 0, 1]), torch.tensor([0, 0, 1, 2])]
    logits = torch.tensor(
        [[80.0, 80.0, -10.0, -10.0], [0.0, 0.0, 1.0, 2.0], [1.0, 0.0, 0.0, -1.0], [0.5, 0.0, 1.0, 0.0]], dtype=dtype
    )
    a = logits.clone().requires_grad_(True)
    c = torch.eye(4, dtype=dtype, requires_grad=True)  # dot similarity: a @ c.T == logits
    return a, c, assign


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_no_cancellation_when_zero_weight_pairs_dominate(dtype):
    a, c, assign = _adversarial(dtype)
    # the naive factorisation really fails here (this is what the test guards against)
    logits = a.detach().to(torch.float64)
    e = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    same = sum((e * (m[:, None] == m[None, :])).sum(1) for m in assign)
    assert not (2 * e.sum(1) - same)[0] > 1e-40
    loss = InfoNCE(1.0, "dot", positives_in_denominator=False, reduction="none")
    fast = loss(a, c, neg_weights=ClusterNegativeWeights(assign))
    # loss_0 = -log(e^80 / (1 * e^-10 + 2 * e^-10)) = -90 + log 3
    assert torch.isfinite(fast).all()
    torch.testing.assert_close(fast[0], torch.tensor(-90.0 + math.log(3.0), dtype=dtype))
    ga, gc = torch.autograd.grad(fast.sum(), (a, c))
    dense = cluster_negative_weights(assign, dtype=dtype)
    ref_loss = loss(a, c, neg_weights=dense)
    rga, rgc = torch.autograd.grad(ref_loss.sum(), (a, c))
    torch.testing.assert_close(fast, ref_loss.detach())
    torch.testing.assert_close(ga, rga)
    torch.testing.assert_close(gc, rgc)


def test_empty_denominator_errors_or_keeps_positives_only():
    # node 0 shares every cluster with every other node: no counted negative
    assign = [torch.zeros(5, dtype=torch.long), torch.tensor([0, 0, 0, 0, 0])]
    a, c, _, _ = _case(n=5, seed=4)
    weights = ClusterNegativeWeights(assign)
    with pytest.raises(ValueError, match=r"anchors \[0, 1, 2, 3, 4\] have no negative with weight > 0"):
        InfoNCE(0.5, positives_in_denominator=False)(a, c, neg_weights=weights)
    assign = [torch.tensor([0, 0, 1, 1, 2]), torch.tensor([0, 0, 0, 1, 2])]
    loss = InfoNCE(0.5, positives_in_denominator=True, reduction="none")
    pos = torch.ones(5, 5, dtype=torch.bool)  # every candidate a positive: empty negatives, loss 0
    fast = _value_and_grads(
        lambda *x, **kw: loss(*x, **kw).sum(), a, c, pos_mask=pos, neg_weights=ClusterNegativeWeights(assign)
    )
    dense = _value_and_grads(
        lambda *x, **kw: loss(*x, **kw).sum(),
        a,
        c,
        pos_mask=pos,
        neg_weights=cluster_negative_weights(assign, dtype=torch.float64),
    )
    _assert_same(fast, dense)
    assert all(torch.isfinite(g).all() for g in fast[1])


def test_callable_gives_the_dense_block():
    _, _, assign, _ = _case()
    torch.testing.assert_close(ClusterNegativeWeights(assign)(2, 7), cluster_negative_weights(assign, rows=(2, 7)))


def test_int32_assignments_accepted():
    a, c, assign, _ = _case(seed=5)
    loss = InfoNCE(0.5, positives_in_denominator=False)
    torch.testing.assert_close(
        loss(a, c, neg_weights=ClusterNegativeWeights([x.int() for x in assign])),
        loss(a, c, neg_weights=ClusterNegativeWeights(assign)),
    )


def test_validation_errors():
    a, c, assign, pos = _case()
    with pytest.raises(TypeError, match="non-empty list"):
        ClusterNegativeWeights(assign[0])
    with pytest.raises(TypeError, match="non-empty list"):
        ClusterNegativeWeights([])
    with pytest.raises(TypeError, match=r"assignments\[1\] must hold integer"):
        ClusterNegativeWeights([assign[0], assign[1].double()])
    with pytest.raises(TypeError, match="integer"):
        ClusterNegativeWeights([assign[0] > 0])
    with pytest.raises(ValueError, match=r"assignments\[1\] has 5 entries"):
        ClusterNegativeWeights([assign[0], assign[1][:5]])
    with pytest.raises(ValueError, match="negative cluster ids"):
        ClusterNegativeWeights([assign[0] - 1])
    with pytest.raises(ValueError, match="1-D"):
        ClusterNegativeWeights([assign[0][None]])
    loss = InfoNCE(0.5, positives_in_denominator=False)
    short = ClusterNegativeWeights([x[:-1] for x in assign])
    with pytest.raises(ValueError, match="covers 10 nodes but anchors x candidates is"):
        loss(a, c, neg_weights=short)
    with pytest.raises(ValueError, match="covers 11 nodes"):  # fewer anchors than the N nodes
        loss(a[:4], c, pos_mask=pos[:4], neg_weights=ClusterNegativeWeights(assign))
