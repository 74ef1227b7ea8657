import math

import pytest
import torch

from graphcl.core import ProtoNCE
from tests.core import reference as ref


def _data(n=7, d=4, ks=(2, 3), seed=0):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    assignments = [torch.randint(k, (n,), generator=g) for k in ks]
    centroids = [torch.randn(k, d, generator=g, dtype=torch.float64, requires_grad=True) for k in ks]
    phis = [torch.rand(k, generator=g, dtype=torch.float64) + 0.1 for k in ks]
    return z, assignments, centroids, phis


def test_matches_reference_values_and_gradients():
    z, a, c, phi = _data()
    got = ProtoNCE()(z, a, c, phi)
    want = ref.protonce(z, a, c, phi).mean()
    torch.testing.assert_close(got, want)
    tensors = (z, *c)
    for g1, g2 in zip(torch.autograd.grad(got, tensors), torch.autograd.grad(want, tensors)):
        torch.testing.assert_close(g1, g2)


def test_no_concentrations_uses_temperature():
    z, a, c, _ = _data()
    phi = [torch.full((2,), 0.3, dtype=torch.float64), torch.full((3,), 0.3, dtype=torch.float64)]
    torch.testing.assert_close(ProtoNCE(0.3)(z, a, c), ProtoNCE()(z, a, c, phi))


def test_closed_form_one_hot_prototypes():
    # z_i equal to its own prototype, prototypes orthogonal: -log(e^{1/phi} / (e^{1/phi} + (k-1)))
    k = 3
    c = torch.eye(k)
    a = torch.arange(k)
    got = ProtoNCE(0.5)(c.clone(), [a], [c])
    assert math.isclose(float(got), -math.log(math.e**2 / (math.e**2 + k - 1)), rel_tol=1e-6)


def test_relabelling_clusters_is_invariant():
    z, a, c, phi = _data()
    perm = torch.tensor([2, 0, 1])
    inverse = torch.argsort(perm)
    relabelled = [a[0], inverse[a[1]]]
    got = ProtoNCE()(z, relabelled, [c[0], c[1][perm]], [phi[0], phi[1][perm]])
    torch.testing.assert_close(got, ProtoNCE()(z, a, c, phi))


def test_errors():
    z, a, c, phi = _data()
    with pytest.raises(TypeError, match="lists"):
        ProtoNCE()(z, a[0], c[0])
    with pytest.raises(ValueError, match="one centroid tensor per assignment"):
        ProtoNCE()(z, a, c[:1])
    with pytest.raises(ValueError, match="outside"):
        ProtoNCE()(z, [a[0] + 5], [c[0]])
    with pytest.raises(ValueError, match=r"concentrations\[0\]"):
        ProtoNCE()(z, a, c, [-phi[0], phi[1]])
    with pytest.raises(ValueError, match=r"assignments\[0\] must be a LongTensor"):
        ProtoNCE()(z, [a[0][:3]], [c[0]])
