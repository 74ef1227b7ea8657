import math

import pytest
import torch

from graphcl.core import DebiasedInfoNCE, NTXent
from tests.core import reference as ref


def _views(b=5, d=4, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(b, d, generator=g, dtype=torch.float64).mul(scale).requires_grad_(True),
        torch.randn(b, d, generator=g, dtype=torch.float64).mul(scale).requires_grad_(True),
    )


@pytest.mark.parametrize("tau_plus", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("t", [0.5, 0.2])
def test_matches_reference_values_and_gradients(tau_plus, t):
    z1, z2 = _views()
    got = DebiasedInfoNCE(t, tau_plus)(z1, z2)
    want = ref.debiased(z1, z2, t, tau_plus).mean()
    torch.testing.assert_close(got, want)
    for g1, g2 in zip(torch.autograd.grad(got, (z1, z2)), torch.autograd.grad(want, (z1, z2))):
        torch.testing.assert_close(g1, g2)


def test_clamp_is_active_for_large_tau_plus():
    # identical views: positive mass e^{1/t} is large, so the debiased estimate goes below the floor
    z = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    t, n = 0.5, 6
    per = DebiasedInfoNCE(t, tau_plus=0.9, reduction="none")(z, z.clone())
    p = math.exp(1 / t)
    floor = n * math.exp(-1 / t)
    torch.testing.assert_close(per, torch.full_like(per, -math.log(p / (p + floor))))


def test_tau_plus_zero_is_ntxent_cosine():
    z1, z2 = _views()
    torch.testing.assert_close(DebiasedInfoNCE(0.5, 0.0)(z1, z2), NTXent(0.5, "cosine")(z1, z2))


def test_errors():
    with pytest.raises(ValueError, match="tau_plus"):
        DebiasedInfoNCE(tau_plus=1.0)
    with pytest.raises(ValueError, match="temperature"):
        DebiasedInfoNCE(temperature=-0.1)
    z1, z2 = _views()
    with pytest.raises(ValueError, match="at least 2"):
        DebiasedInfoNCE()(z1[:1], z2[:1])
