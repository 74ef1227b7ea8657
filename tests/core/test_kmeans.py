import math

import pytest
import torch

from graphcl.core import kmeans
from graphcl.core.kmeans import faiss_available

BACKENDS = ["torch"] + (["faiss"] if faiss_available() else [])


def _blobs(per=30, k=4, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.eye(k, d) * 20 if k <= d else torch.randn(k, d, generator=g) * 20
    x = torch.cat([centers[i] + 0.3 * torch.randn(per, d, generator=g) for i in range(k)])
    return x, torch.arange(k).repeat_interleave(per)


def _same_partition(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal up to relabelling: pairs together in one iff together in the other."""
    return torch.equal(a[:, None] == a[None, :], b[:, None] == b[None, :])


@pytest.mark.parametrize("backend", BACKENDS)
def test_recovers_well_separated_blobs(backend):
    x, truth = _blobs(k=3)
    # faiss seeds with a random sample (no k-means++), so it needs restarts to avoid a split blob
    labels, centroids = kmeans(x, 3, seed=1, backend=backend, n_init=5 if backend == "faiss" else 1)
    assert labels.dtype == torch.long and labels.shape == (90,)
    assert centroids.shape == (3, 3) and centroids.dtype == x.dtype
    assert _same_partition(labels, truth)
    # each centroid is the mean of its members
    for j in range(3):
        torch.testing.assert_close(centroids[j], x[labels == j].mean(0), rtol=1e-4, atol=1e-4)


def test_plus_plus_init_puts_one_seed_in_each_blob():
    # with a single Lloyd step the result is only right if k-means++ seeded every blob once
    x, truth = _blobs(k=3)
    for seed in range(10):
        labels, _ = kmeans(x, 3, n_iter=1, seed=seed, backend="torch")
        assert _same_partition(labels, truth), seed


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_deterministic(backend):
    x = torch.randn(200, 5, generator=torch.Generator().manual_seed(0))
    a1, c1 = kmeans(x, 6, seed=3, backend=backend)
    a2, c2 = kmeans(x, 6, seed=3, backend=backend)
    assert torch.equal(a1, a2) and torch.equal(c1, c2)


def test_different_seeds_can_differ_but_stay_valid():
    x = torch.randn(200, 5, generator=torch.Generator().manual_seed(0))
    results = [kmeans(x, 8, seed=s, backend="torch")[0] for s in range(4)]
    assert all(r.min() >= 0 and r.max() < 8 for r in results)
    assert any(not _same_partition(results[0], r) for r in results[1:])


def test_k_equal_n_and_duplicates():
    x = torch.tensor([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [5.0, 5.0]])
    labels, centroids = kmeans(x, 2, backend="torch")
    assert _same_partition(labels, torch.tensor([0, 0, 1, 1]))
    labels, _ = kmeans(x[[0, 2]], 2, backend="torch")
    assert sorted(labels.tolist()) == [0, 1]
    # more clusters than distinct points: empty clusters are re-seeded, labels stay in range
    labels, centroids = kmeans(x, 3, backend="torch")
    assert labels.max() < 3 and torch.isfinite(centroids).all()


def test_float64_and_grad_inputs():
    x, truth = _blobs(k=2)
    labels, centroids = kmeans(x.double().requires_grad_(True), 2, backend="torch")
    assert centroids.dtype == torch.float64 and not centroids.requires_grad
    assert _same_partition(labels, truth)


def test_restarts_keep_the_lowest_inertia():
    x = torch.randn(300, 4, generator=torch.Generator().manual_seed(2))

    def inertia(labels, centroids):
        return float(((x - centroids[labels]) ** 2).sum())

    singles = [inertia(*kmeans(x, 7, seed=s, backend="torch")) for s in range(4)]
    assert math.isclose(inertia(*kmeans(x, 7, seed=0, backend="torch", n_init=4)), min(singles), rel_tol=1e-6)


def test_errors():
    x = torch.randn(10, 2)
    with pytest.raises(ValueError, match="k must be"):
        kmeans(x, 11)
    with pytest.raises(ValueError, match="k must be"):
        kmeans(x, 0)
    with pytest.raises(ValueError, match="n_iter"):
        kmeans(x, 2, n_iter=0)
    with pytest.raises(ValueError, match="backend"):
        kmeans(x, 2, backend="sklearn")
    with pytest.raises(ValueError, match="2-D"):
        kmeans(x[0], 2)
    with pytest.raises(ValueError, match="n_init"):
        kmeans(x, 2, n_init=0)
