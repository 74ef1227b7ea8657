import math

import pytest
import torch

from graphcl.core import alignment, uniformity


def test_alignment_reference_and_closed_form():
    g = torch.Generator().manual_seed(0)
    z1, z2 = torch.randn(6, 3, generator=g), torch.randn(6, 3, generator=g)
    want = sum(float((z1[i] - z2[i]).norm()) ** 3 for i in range(6)) / 6
    assert math.isclose(float(alignment(z1, z2, alpha=3)), want, rel_tol=1e-5)
    assert float(alignment(z1, z1)) == 0.0
    e = torch.eye(2)
    assert math.isclose(float(alignment(e, e.flip(0))), 2.0, rel_tol=1e-6)  # ||e1 - e2||^2 = 2


def test_uniformity_reference_and_closed_form():
    g = torch.Generator().manual_seed(0)
    z = torch.nn.functional.normalize(torch.randn(7, 3, generator=g, dtype=torch.float64), dim=1)
    pairs = [float((z[i] - z[j]).norm()) ** 2 for i in range(7) for j in range(i + 1, 7)]
    want = math.log(sum(math.exp(-2 * p) for p in pairs) / len(pairs))
    assert math.isclose(float(uniformity(z)), want, rel_tol=1e-9)
    # antipodal pair: log e^{-t * 4}
    assert math.isclose(float(uniformity(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))), -8.0, rel_tol=1e-6)
    # identical points are the least uniform (0)
    assert float(uniformity(torch.ones(3, 2))) == 0.0


def test_errors():
    with pytest.raises(ValueError, match="at least 2"):
        uniformity(torch.randn(1, 3))
    with pytest.raises(ValueError, match="same number of rows"):
        alignment(torch.randn(3, 2), torch.randn(4, 2))
    with pytest.raises(ValueError, match="t must"):
        uniformity(torch.randn(3, 2), t=0)
