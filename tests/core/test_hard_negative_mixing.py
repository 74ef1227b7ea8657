import pytest
import torch
import torch.nn.functional as F

from graphcl.core import HardNegativeMixing
from tests.core import reference as ref


def _data(b=4, k=7, d=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True)
    key = torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True)
    negs = torch.randn(k, d, generator=g, dtype=torch.float64, requires_grad=True)
    return q, key, negs


def _reference(q, key, negs, synthetic, t):
    """Per query: InfoNCE with candidates [key_i, all negatives, its synthetic negatives]."""
    losses = []
    for i in range(q.shape[0]):
        cands = torch.cat([key[i : i + 1], negs, synthetic[i]])
        pos = [[j == 0 for j in range(cands.shape[0])]]
        losses.append(ref.infonce(q[i : i + 1], cands, pos, None, t, "cosine")[0])
    return torch.stack(losses).mean()


def test_without_mixing_is_plain_infonce():
    q, key, negs = _data()
    got = HardNegativeMixing(0.2, num_hard=3, num_mix=0, num_query_mix=0)(q, key, negs)
    want = _reference(q, key, negs, torch.zeros(4, 0, 5, dtype=torch.float64), 0.2)
    torch.testing.assert_close(got, want)


def test_with_mixing_matches_reference_values_and_gradients():
    q, key, negs = _data()
    loss = HardNegativeMixing(0.2, num_hard=3, num_mix=4, num_query_mix=2)
    got = loss(q, key, negs, generator=torch.Generator().manual_seed(5))
    synthetic = loss.synthesize(
        F.normalize(q, dim=1),
        F.normalize(negs, dim=1),
        torch.ones(4, 7, dtype=torch.bool),
        torch.Generator().manual_seed(5),
    )
    assert synthetic.shape == (4, 6, 5) and not synthetic.requires_grad
    want = _reference(q, key, negs, synthetic, 0.2)
    torch.testing.assert_close(got, want)
    for g1, g2 in zip(torch.autograd.grad(got, (q, key, negs)), torch.autograd.grad(want, (q, key, negs))):
        torch.testing.assert_close(g1, g2)


def test_synthetic_points_come_from_the_hardest_negative():
    q, _, negs = _data()
    qn, nn_ = F.normalize(q.detach(), dim=1), F.normalize(negs.detach(), dim=1)
    loss = HardNegativeMixing(num_hard=1, num_mix=3, num_query_mix=3)
    syn = loss.synthesize(qn, nn_, torch.ones(4, 7, dtype=torch.bool), torch.Generator().manual_seed(0))
    hardest = nn_[(qn @ nn_.t()).argmax(dim=1)]
    torch.testing.assert_close(syn.norm(dim=2), torch.ones(4, 6, dtype=torch.float64))
    # mixing the single hardest negative with itself gives that negative back
    torch.testing.assert_close(syn[:, :3], hardest[:, None, :].expand(4, 3, 5))
    # beta <= 0.5: query mixes stay at least as close to the negative as to the query
    to_neg = (syn[:, 3:] * hardest[:, None, :]).sum(-1)
    to_query = (syn[:, 3:] * qn[:, None, :]).sum(-1)
    assert (to_neg >= to_query - 1e-12).all()


def test_in_batch_negatives_exclude_own_key_and_mixing_adds_hard_negatives():
    q, key, _ = _data()
    plain = HardNegativeMixing(0.2, num_hard=2, num_mix=0, num_query_mix=0)(q, key)
    pos = torch.eye(4, dtype=torch.bool)
    want = ref.infonce(q, key, pos, None, 0.2, "cosine").mean()
    torch.testing.assert_close(plain, want)
    mixed = HardNegativeMixing(0.2, num_hard=2, num_mix=8, num_query_mix=8)(
        q, key, generator=torch.Generator().manual_seed(0)
    )
    assert mixed > plain  # extra negatives only add mass to the denominator


def test_num_hard_larger_than_the_negatives_uses_all_of_them():
    q, key, negs = _data()
    loss = HardNegativeMixing(num_hard=100, num_mix=3, num_query_mix=0)
    g = torch.Generator().manual_seed(0)
    syn = loss.synthesize(
        F.normalize(q.detach(), dim=1), F.normalize(negs.detach(), dim=1), torch.ones(4, 7, dtype=torch.bool), g
    )
    assert syn.shape == (4, 3, 5) and torch.isfinite(syn).all()
    assert torch.isfinite(loss(q, key, negs, generator=torch.Generator().manual_seed(0)))


def test_generator_makes_it_deterministic():
    q, key, negs = _data()
    loss = HardNegativeMixing(num_hard=5, num_mix=4, num_query_mix=4)
    a = loss(q, key, negs, generator=torch.Generator().manual_seed(3))
    b = loss(q, key, negs, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_errors():
    q, key, negs = _data()
    with pytest.raises(ValueError, match="num_hard"):
        HardNegativeMixing(num_hard=0)
    with pytest.raises(ValueError, match="query_mix_max"):
        HardNegativeMixing(query_mix_max=1.5)
    with pytest.raises(ValueError, match="one row per query"):
        HardNegativeMixing()(q, key[:2], negs)
    with pytest.raises(ValueError, match="negatives has dim"):
        HardNegativeMixing()(q, key, negs[:, :3])
    with pytest.raises(ValueError, match="at least 2"):
        HardNegativeMixing()(q[:1], key[:1])
