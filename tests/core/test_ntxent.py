import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from graphcl.core import NTXent
from tests.core import reference as ref


def _views(b=5, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    z1 = torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True)
    return z1, z2


def _cl4srec_official(z_i, z_j, temp, batch_size):
    """CL4SRec's info_nce (dot similarity): logits = [positive, 2B-2 negatives], CE to index 0."""
    n = 2 * batch_size
    z = torch.cat((z_i, z_j), dim=0)
    sim = torch.mm(z, z.T) / temp
    positives = torch.cat((torch.diag(sim, batch_size), torch.diag(sim, -batch_size))).reshape(n, 1)
    mask = torch.ones((n, n), dtype=torch.bool)
    mask = mask.fill_diagonal_(0)
    for i in range(batch_size):
        mask[i, batch_size + i] = 0
        mask[batch_size + i, i] = 0
    negatives = sim[mask].reshape(n, -1)
    assert negatives.shape[1] == n - 2
    logits = torch.cat((positives, negatives), dim=1)
    return F.cross_entropy(logits, torch.zeros(n, dtype=torch.long))


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
def test_matches_reference_values_and_gradients(similarity):
    z1, z2 = _views()
    got = NTXent(0.8, similarity)(z1, z2)
    want = ref.ntxent(z1, z2, 0.8, similarity).mean()
    torch.testing.assert_close(got, want)
    for g1, g2 in zip(torch.autograd.grad(got, (z1, z2)), torch.autograd.grad(want, (z1, z2))):
        torch.testing.assert_close(g1, g2)


def test_matches_cl4srec_official_formula():
    z1, z2 = _views(b=6)
    torch.testing.assert_close(NTXent(1.0)(z1, z2), _cl4srec_official(z1, z2, 1.0, 6))


def test_orthogonal_closed_form():
    # z1 = z2 = one-hot rows: positive sim 1, the other view's self-pair masked, all others 0
    b = 3
    eye = torch.eye(b)
    got = NTXent(1.0)(eye, eye.clone())
    assert math.isclose(float(got), -math.log(math.e / (math.e + 2 * b - 2)), rel_tol=1e-6)


def test_reduction_none_order_and_sum():
    z1, z2 = _views()
    per = NTXent(reduction="none")(z1, z2)
    assert per.shape == (10,)
    torch.testing.assert_close(per, ref.ntxent(z1, z2, 1.0))
    torch.testing.assert_close(NTXent(reduction="sum")(z1, z2), per.sum())


@settings(max_examples=25, deadline=None)
@given(b=st.integers(2, 6), d=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_swapping_views_and_permuting_batch_is_invariant(b, d, seed):
    z1, z2 = _views(b, d, seed)
    loss = NTXent(0.5)
    perm = torch.randperm(b, generator=torch.Generator().manual_seed(seed))
    torch.testing.assert_close(loss(z1, z2), loss(z2, z1))
    torch.testing.assert_close(loss(z1, z2), loss(z1[perm], z2[perm]))


def test_bad_inputs():
    z1, z2 = _views()
    with pytest.raises(ValueError, match="temperature"):
        NTXent(temperature=0.0)
    with pytest.raises(ValueError, match="similarity"):
        NTXent(similarity="euclid")
    with pytest.raises(ValueError, match="same B rows"):
        NTXent()(z1, z2[:3])
    with pytest.raises(ValueError, match="at least 2"):
        NTXent()(z1[:1], z2[:1])
    with pytest.raises(ValueError, match="z2 has dim"):
        NTXent()(z1, torch.randn(5, 3, dtype=torch.float64))
