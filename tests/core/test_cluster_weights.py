import math

import pytest
import torch

from graphcl.core import InfoNCE, cluster_concentration, cluster_negative_weights
from tests.core import reference as ref


def _assignments(n=9, ks=(2, 3, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(k, (n,), generator=g) for k in ks]


def test_negative_weights_match_loop_reference():
    a = _assignments()
    w = cluster_negative_weights(a, dtype=torch.float64)
    torch.testing.assert_close(w, ref.cluster_weights(a))
    assert torch.all(w.diagonal() == 0) and torch.equal(w, w.t())
    torch.testing.assert_close(cluster_negative_weights(a, normalize=True, dtype=torch.float64), w / 3)


def test_rows_give_the_same_block():
    a = _assignments()
    full = cluster_negative_weights(a)
    torch.testing.assert_close(cluster_negative_weights(a, rows=(2, 5)), full[2:5])


def test_meow_official_loss_via_infonce():
    # MEOW's InfoNce: -log(e^{s_ii/t} / sum_j w_ij e^{s_ij/t}), w_ii = 0
    g = torch.Generator().manual_seed(1)
    za = torch.nn.functional.normalize(torch.randn(9, 4, generator=g, dtype=torch.float64), dim=1)
    z = torch.nn.functional.normalize(torch.randn(9, 4, generator=g, dtype=torch.float64), dim=1)
    a = _assignments()
    w = cluster_negative_weights(a, dtype=torch.float64)
    dots = torch.exp(za @ z.t() / 0.5)
    official = (-torch.log(dots.diagonal() / ((dots * w).mean(dim=1) * 9))).mean()
    loss = InfoNCE(0.5, "dot", positives_in_denominator=False, chunk_size=4)
    torch.testing.assert_close(loss(za, z, None, w), official)
    torch.testing.assert_close(
        loss(za, z, None, lambda s, e: cluster_negative_weights(a, rows=(s, e), dtype=torch.float64)), official
    )


def test_weights_errors():
    a = _assignments()
    with pytest.raises(TypeError, match="list"):
        cluster_negative_weights(a[0])
    with pytest.raises(ValueError, match=r"assignments\[1\]"):
        cluster_negative_weights([a[0], a[1][:4]])
    with pytest.raises(ValueError, match="rows"):
        cluster_negative_weights(a, rows=(5, 2))


def test_concentration_formula_and_singletons():
    x = torch.tensor([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [10.0, 3.0], [10.0, 6.0], [50.0, 0.0]], dtype=torch.float64)
    labels = torch.tensor([0, 0, 1, 1, 1, 2])
    cents = torch.tensor([[1.0, 0.0], [10.0, 3.0], [50.0, 0.0]], dtype=torch.float64)
    phi = cluster_concentration(x, labels, cents, alpha=10.0)
    phi0 = 1.0 / math.log(2 + 10)  # mean distance 1
    phi1 = 2.0 / math.log(3 + 10)  # distances 3, 0, 3
    torch.testing.assert_close(phi, torch.tensor([phi0, phi1, max(phi0, phi1)], dtype=torch.float64))


def test_concentration_rescaled_to_temperature():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(60, 3, generator=g)
    labels = torch.arange(60) % 6
    cents = torch.stack([x[labels == j].mean(0) for j in range(6)])
    raw = cluster_concentration(x, labels, cents)
    phi = cluster_concentration(x, labels, cents, temperature=0.2)
    assert math.isclose(float(phi.mean()), 0.2, rel_tol=1e-5)
    lo, hi = torch.quantile(raw, torch.tensor([0.1, 0.9]))
    torch.testing.assert_close(phi, 0.2 * raw.clamp(lo, hi) / raw.clamp(lo, hi).mean())


def test_concentration_errors():
    x = torch.randn(4, 2)
    with pytest.raises(ValueError, match="at most one member"):
        cluster_concentration(x, torch.arange(4), x.clone())
    with pytest.raises(ValueError, match="alpha"):
        cluster_concentration(x, torch.zeros(4, dtype=torch.long), x[:1], alpha=0)
    with pytest.raises(ValueError, match="outside"):
        cluster_concentration(x, torch.full((4,), 3), x[:2])
