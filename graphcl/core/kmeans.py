"""k-means in torch (k-means++ init, seeded) with an optional faiss backend."""

from __future__ import annotations

import importlib.util

import torch

from graphcl.core._checks import check_choice, check_embeddings

BACKENDS = ("auto", "torch", "faiss")
# rows per block when computing point-centroid distances, so N x k never gets large
_ASSIGN_BLOCK = 65536


def faiss_available() -> bool:
    return importlib.util.find_spec("faiss") is not None


def kmeans(
    x: torch.Tensor, k: int, n_iter: int = 20, seed: int = 0, backend: str = "auto", n_init: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cluster the rows of ``x`` into ``k`` groups (Euclidean k-means, Lloyd iterations).

    The torch backend uses k-means++ seeding (Arthur & Vassilvitskii, 2007) from a CPU generator
    seeded with ``seed``, so results are identical across runs on the same device; it stops early
    when assignments no longer change, and re-seeds an empty cluster with the point farthest from
    its centroid. The faiss backend (``faiss.Kmeans``, random-sample init, as in the PCL and MEOW
    official code) is used with ``backend="faiss"``, or with ``"auto"`` when faiss is installed;
    ``"torch"`` forces the pure-torch path. ``x`` is detached: clustering is not differentiable.

    Args:
        x: ``[N, D]`` float tensor (any device; faiss runs on CPU and results are moved back).
        k: number of clusters, ``1 <= k <= N``.
        n_iter: maximum Lloyd iterations (>= 1).
        seed: random seed for the initialisation.
        backend: ``"auto"``, ``"torch"`` or ``"faiss"``.
        n_init: number of restarts (seeds ``seed, seed + 1, ...`` for torch; faiss ``nredo``); the
            run with the lowest sum of squared distances is kept. MEOW's official code uses 5.

    Returns:
        ``(assignments, centroids)``: LongTensor ``[N]`` in ``[0, k)`` and ``[k, D]`` tensor with
        ``x``'s dtype and device.
    """
    check_embeddings(x, "x")
    n = x.shape[0]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
        raise ValueError(f"k must be an integer in [1, {n}] (number of rows of x), got {k!r}")
    if isinstance(n_iter, bool) or not isinstance(n_iter, int) or n_iter < 1:
        raise ValueError(f"n_iter must be an integer >= 1, got {n_iter!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if isinstance(n_init, bool) or not isinstance(n_init, int) or n_init < 1:
        raise ValueError(f"n_init must be an integer >= 1, got {n_init!r}")
    check_choice(backend, "backend", BACKENDS)
    if backend == "faiss" and not faiss_available():
        raise ImportError("backend='faiss' needs faiss: pip install faiss-cpu (or use backend='torch')")
    x = x.detach()
    if backend == "faiss" or (backend == "auto" and faiss_available()):
        return _faiss_kmeans(x, k, n_iter, seed, n_init)
    best = None
    for run in range(n_init):
        labels, centroids, inertia = _torch_kmeans(x, k, n_iter, seed + run)
        if best is None or inertia < best[2]:
            best = (labels, centroids, inertia)
    assert best is not None  # n_init >= 1 was checked, so the loop ran at least once
    return best[0], best[1]


def assign_to_centroids(x: torch.Tensor, centroids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Nearest centroid of each row and the squared distance to it, computed in row blocks."""
    c_sq = (centroids * centroids).sum(dim=1)
    labels, dists = [], []
    for start in range(0, x.shape[0], _ASSIGN_BLOCK):
        block = x[start : start + _ASSIGN_BLOCK]
        d2 = (block * block).sum(dim=1, keepdim=True) - 2 * block @ centroids.t() + c_sq[None, :]
        best = d2.min(dim=1)
        labels.append(best.indices)
        dists.append(best.values.clamp(min=0))
    return torch.cat(labels), torch.cat(dists)


def _plus_plus_init(x: torch.Tensor, k: int, gen: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    chosen = [int(torch.randint(n, (1,), generator=gen))]
    closest = ((x - x[chosen[0]]) ** 2).sum(dim=1)
    for _ in range(1, k):
        weights = closest.double().cpu()
        if weights.sum() <= 0:  # all remaining points coincide with a centroid
            idx = int(torch.randint(n, (1,), generator=gen))
        else:
            idx = int(torch.multinomial(weights, 1, generator=gen))
        chosen.append(idx)
        closest = torch.minimum(closest, ((x - x[idx]) ** 2).sum(dim=1))
    return x[chosen].clone()


def _torch_kmeans(x: torch.Tensor, k: int, n_iter: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    centroids = _plus_plus_init(x, k, gen)
    labels = None
    for _ in range(n_iter):
        new_labels, dists = assign_to_centroids(x, centroids)
        if labels is not None and torch.equal(new_labels, labels):
            break
        labels = new_labels
        sums = torch.zeros_like(centroids).index_add_(0, labels, x)
        counts = torch.bincount(labels, minlength=k).to(x.dtype)
        empty = (counts == 0).nonzero().flatten()
        centroids = sums / counts.clamp(min=1)[:, None]
        for j in empty.tolist():
            far = int(dists.argmax())
            centroids[j] = x[far]
            dists[far] = -1.0  # do not reuse the same point for another empty cluster
    labels, dists = assign_to_centroids(x, centroids)
    return labels, centroids, float(dists.sum())


def _faiss_kmeans(x: torch.Tensor, k: int, n_iter: int, seed: int, n_init: int):
    import faiss
    import numpy as np

    data = np.ascontiguousarray(x.cpu().float().numpy())
    # min/max points per centroid: no sub-sampling and no warnings on small inputs
    km = faiss.Kmeans(
        data.shape[1],
        k,
        niter=n_iter,
        seed=seed,
        nredo=n_init,
        verbose=False,
        min_points_per_centroid=1,
        max_points_per_centroid=max(1, data.shape[0]),
    )
    km.train(data)
    _, idx = km.index.search(data, 1)
    labels = torch.from_numpy(idx[:, 0].astype("int64")).to(x.device)
    centroids = torch.from_numpy(km.centroids).to(device=x.device, dtype=x.dtype)
    return labels, centroids
