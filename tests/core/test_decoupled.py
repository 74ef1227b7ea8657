import pytest
import torch

from graphcl.core import DecoupledInfoNCE, InfoNCE
from tests.core import reference as ref


def _views(b=5, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True),
        torch.randn(b, d, generator=g, dtype=torch.float64, requires_grad=True),
    )


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("sigma", [None, 0.5])
def test_matches_reference_values_and_gradients(similarity, sigma):
    z1, z2 = _views()
    got = DecoupledInfoNCE(0.3, similarity, weight_sigma=sigma)(z1, z2)
    want = (
        0.5
        * (ref.dcl_direction(z1, z2, 0.3, similarity, sigma) + ref.dcl_direction(z2, z1, 0.3, similarity, sigma)).mean()
    )
    torch.testing.assert_close(got, want)
    for g1, g2 in zip(torch.autograd.grad(got, (z1, z2)), torch.autograd.grad(want, (z1, z2))):
        torch.testing.assert_close(g1, g2)


def test_one_direction_equals_infonce_over_both_views_without_positive_in_denominator():
    z1, z2 = _views()
    b = 5
    got = DecoupledInfoNCE(0.5, symmetric=False)(z1, z2)
    # candidates = [z2; z1]; positive = partner in z2; the anchor's own row in z1 excluded (weight 0)
    pos = torch.zeros(b, 2 * b, dtype=torch.bool)
    pos[torch.arange(b), torch.arange(b)] = True
    w = torch.ones(b, 2 * b, dtype=torch.float64)
    w[torch.arange(b), b + torch.arange(b)] = 0
    want = InfoNCE(0.5, positives_in_denominator=False)(z1, torch.cat([z2, z1]), pos, w)
    torch.testing.assert_close(got, want)


def test_reduction_and_errors():
    z1, z2 = _views()
    per = DecoupledInfoNCE(reduction="none")(z1, z2)
    assert per.shape == (5,)
    torch.testing.assert_close(DecoupledInfoNCE()(z1, z2), per.mean())
    with pytest.raises(ValueError, match="weight_sigma"):
        DecoupledInfoNCE(weight_sigma=0)
    with pytest.raises(ValueError, match="at least 2"):
        DecoupledInfoNCE()(z1[:1], z2[:1])
    with pytest.raises(ValueError, match="same B rows"):
        DecoupledInfoNCE()(z1, z2[:2])
