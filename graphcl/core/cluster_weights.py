"""Turning k-means results into PCL concentrations and MEOW negative weights."""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from graphcl.core._checks import check_embeddings, check_positive_float


def cluster_concentration(
    x: torch.Tensor,
    assignments: torch.Tensor,
    centroids: torch.Tensor,
    alpha: float = 10.0,
    temperature: float | None = None,
    clip_percentiles: tuple[float, float] = (10.0, 90.0),
) -> torch.Tensor:
    r"""Per-cluster concentration :math:`\phi` of PCL (Li et al., ICLR 2021, Eq. 12).

    .. math:: \phi_k = \frac{\sum_{i \in k} \lVert x_i - c_k \rVert_2}{Z_k \log(Z_k + \alpha)}

    As in the official PCL code (and MEOW's ``run_kmeans``, which uses ``alpha = 5``), clusters with
    at most one member get the largest :math:`\phi` of the others. With ``temperature`` set, the
    values are then clipped to the given percentiles and rescaled so that their mean equals
    ``temperature`` (PCL: ``phi = t * phi / phi.mean()``) — pass it when using ``phi`` in
    :class:`ProtoNCE`. (MEOW's code measures "distances" with an inner-product index, i.e. uses
    :math:`\sqrt{x\cdot c}`; this function uses Euclidean distances as PCL does.)

    Args:
        x: ``[N, D]`` embeddings that were clustered.
        assignments: LongTensor ``[N]`` in ``[0, k)``.
        centroids: ``[k, D]``.
        alpha: smoothing :math:`\alpha > 0` keeping small clusters from getting a tiny :math:`\phi`.
        temperature: if given, clip and rescale the mean to this value (> 0).
        clip_percentiles: ``(low, high)`` percentiles in ``[0, 100]`` used with ``temperature``.

    Returns:
        Tensor ``[k]`` of concentrations (> 0 unless every cluster is a single point).
    """
    check_embeddings(x, "x")
    check_embeddings(centroids, "centroids", like=x)
    alpha = check_positive_float(alpha, "alpha")
    k = centroids.shape[0]
    _check_assignment(assignments, x.shape[0], k, "assignments", x.device)
    low, high = clip_percentiles
    if not 0 <= low <= high <= 100:
        raise ValueError(f"clip_percentiles must satisfy 0 <= low <= high <= 100, got {clip_percentiles!r}")
    x = x.detach()
    dist = (x - centroids.detach()[assignments]).norm(dim=1)
    counts = torch.bincount(assignments, minlength=k).to(x.dtype)
    sums = torch.zeros(k, dtype=x.dtype, device=x.device).index_add_(0, assignments, dist)
    phi = sums / counts.clamp(min=1) / torch.log(counts + alpha)
    small = counts <= 1
    if small.all():
        raise ValueError(
            "every cluster has at most one member, so no concentration can be estimated; use fewer clusters"
        )
    phi = torch.where(small, phi[~small].max(), phi)
    if temperature is not None:
        temperature = check_positive_float(temperature, "temperature")
        lo, hi = torch.quantile(phi, torch.tensor([low / 100, high / 100], dtype=phi.dtype, device=phi.device))
        phi = phi.clamp(lo, hi)
        phi = temperature * phi / phi.mean()
    return phi


def cluster_negative_weights(
    assignments, rows: tuple[int, int] | None = None, normalize: bool = False, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    r"""MEOW's hard negative weights from several clusterings of the same nodes.

    MEOW (Yu et al., "Heterogeneous Graph Contrastive Learning with Meta-path Contexts and Weighted
    Negative Samples", SDM 2023 / TKDE 2024). The official code (``InfoNce`` in
    ``code/module/contrast.py`` of jianxiangyu/MEOW) runs k-means K times (one per entry of
    ``num_clusters``) and weights negative ``j`` of anchor ``i`` by the number of clusterings in
    which they fall in *different* clusters:

    .. math:: w_{ij} = K - \sum_{m=1}^{K} [a^m(i) = a^m(j)] \in \{0, 1, \dots, K\}

    so a node sharing every cluster with the anchor (a likely false negative) gets weight 0 and one
    never sharing a cluster gets weight K; ``w_ii = 0`` always. The official loss is then
    ``-log(e^{s_ii/t} / sum_j w_ij e^{s_ij/t})``, i.e. :class:`InfoNCE` with
    ``positives_in_denominator=False`` and these ``neg_weights`` (same-index positives). The paper
    describes the same rule in words (more shared clusters -> smaller weight). ``normalize=True``
    divides by K so weights lie in ``[0, 1]``; with ``positives_in_denominator=False`` that only
    shifts the loss by ``-log K`` (same gradients), with positives in the denominator it changes
    their relative weight. The default is the official count form.

    Args:
        assignments: list of K LongTensors ``[N]`` (e.g. from :func:`kmeans` with several k).
        rows: ``(start, stop)`` to return only those anchor rows ``[stop - start, N]``, e.g. inside a
            chunked InfoNCE: ``neg_weights=lambda s, e: cluster_negative_weights(a, rows=(s, e))``.
        normalize: divide by K.
        dtype: floating dtype of the result.

    Returns:
        ``[N, N]`` (or ``[stop - start, N]``) weights on the assignments' device.
    """
    if isinstance(assignments, torch.Tensor) or len(assignments) == 0:
        raise TypeError("assignments must be a non-empty list of LongTensors [N], one per clustering")
    n = assignments[0].shape[0] if isinstance(assignments[0], torch.Tensor) else -1
    device = assignments[0].device if n >= 0 else None
    for m, a in enumerate(assignments):
        _check_assignment(a, n, None, f"assignments[{m}]", device)
    start, stop = (0, n) if rows is None else rows
    if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop <= n):
        raise ValueError(f"rows must be (start, stop) with 0 <= start < stop <= {n}, got {rows!r}")
    # count in uint8 (K < 256 clusterings) and convert once: fewer full-size float passes
    counter = torch.uint8 if len(assignments) < 256 else torch.int32
    shared = torch.zeros(stop - start, n, dtype=counter, device=device)
    for a in assignments:
        shared += a[start:stop, None] == a[None, :]
    weights = len(assignments) - shared.to(dtype)
    return weights / len(assignments) if normalize else weights


def _check_assignment(a, n: int, k: int | None, name: str, device) -> None:
    if not isinstance(a, torch.Tensor) or a.dtype != torch.long or a.dim() != 1 or a.shape[0] != n:
        shape = f"[{n}]" if n >= 0 else "[N]"
        raise ValueError(f"{name} must be a 1-D LongTensor of shape {shape}")
    if device is not None and a.device != device:
        raise ValueError(f"{name} is on {a.device}, expected {device}; move it")
    if a.numel() and (a.min() < 0 or (k is not None and a.max() >= k)):
        raise ValueError(f"{name} has cluster ids outside [0, {k if k is not None else 'k'})")


class ClusterNegativeWeights:
    r"""MEOW's cluster weights (:func:`cluster_negative_weights`) as ``neg_weights`` without the matrix.

    Pass ``InfoNCE(...)(anchors, candidates, neg_weights=ClusterNegativeWeights(assignments))``
    (anchors and candidates are the same N nodes). InfoNCE then computes the weighted sum in
    factorised form, per row block, never building an ``[n, N]`` weight block:

    .. math:: \sum_j w_{ij} e_{ij} = K \sum_j e_{ij} - \sum_{m=1}^{K} \sum_{j:\, a^m(j) = a^m(i)} e_{ij}

    with the same-cluster sums gathered over same-cluster pairs (about ``n * N / k`` of them per
    clustering with balanced clusters, up to ``n * N`` with one giant cluster). Pairs of weight 0
    (``j`` in every cluster of ``i``, ``i`` itself included) and the excluded positives are set to
    ``-inf`` before the exponential, so every pair left has weight >= 1 and the subtraction cannot
    cancel: the result is at least the plain sum of the counted terms. Called as
    ``weights(start, stop)`` it returns the dense block, like a weight callable.

    Args:
        assignments: non-empty list of K integer tensors ``[N]`` of cluster ids >= 0 (e.g. from
            :func:`kmeans` with several k), all on one device.
    """

    def __init__(self, assignments):
        if isinstance(assignments, torch.Tensor) or not isinstance(assignments, (list, tuple)) or not assignments:
            raise TypeError("assignments must be a non-empty list of integer tensors [N], one per clustering")
        first = assignments[0]
        for m, a in enumerate(assignments):
            name = f"assignments[{m}]"
            if not isinstance(a, torch.Tensor) or a.dim() != 1:
                raise ValueError(f"{name} must be a 1-D integer tensor [N]")
            if a.is_floating_point() or a.is_complex() or a.dtype == torch.bool:
                raise TypeError(f"{name} must hold integer cluster ids, got dtype {a.dtype}")
            if a.shape != first.shape:
                raise ValueError(f"{name} has {a.shape[0]} entries but assignments[0] has {first.shape[0]}")
            if a.device != first.device:
                raise ValueError(f"{name} is on {a.device} but assignments[0] is on {first.device}; move it")
            if a.numel() and a.min() < 0:
                raise ValueError(f"{name} has negative cluster ids; ids must be >= 0")
        self.assignments = [a.long() for a in assignments]
        self.num_nodes, self.device = first.shape[0], first.device
        # one id per combination of clusters: j has weight 0 for i exactly when joint[j] == joint[i]
        # (renumbered after each step so the ids stay < N; unique(dim=0) on the rows is far slower)
        self.joint = torch.zeros_like(self.assignments[0])
        for a in self.assignments:
            width = int(a.max()) + 1 if a.numel() else 1
            self.joint = torch.unique(self.joint * width + a, return_inverse=True)[1]
        # members of each cluster listed contiguously: cluster c is order[begin[c] : begin[c] + size[c]]
        self._groups = []
        for a in self.assignments:
            size = torch.bincount(a)
            self._groups.append((a, torch.argsort(a), torch.cumsum(size, 0) - size, size))

    def __call__(self, start: int, stop: int) -> torch.Tensor:
        return cluster_negative_weights(self.assignments, rows=(start, stop))

    def check_shape(self, num_rows: int, num_cols: int, device) -> None:
        if not num_rows == num_cols == self.num_nodes:
            raise ValueError(
                f"ClusterNegativeWeights covers {self.num_nodes} nodes but anchors x candidates is "
                f"{(num_rows, num_cols)}; both must be those {self.num_nodes} nodes"
            )
        if device != self.device:
            raise ValueError(f"ClusterNegativeWeights is on {self.device} but the anchors are on {device}; move it")

    def log_weighted_sum(
        self, logits: torch.Tensor, start: int, drop_rows: torch.Tensor, drop_cols: torch.Tensor
    ) -> torch.Tensor:
        """``log sum_j w_ij e^{logit_ij}`` for rows ``start...`` of ``logits [n, N]``, leaving out the
        ``(drop_rows, drop_cols)`` pairs (block-relative rows); ``-inf`` for rows with nothing counted."""
        n = logits.shape[0]
        dropped = self.joint[start : start + n, None] == self.joint[None, :]
        dropped[drop_rows, drop_cols] = True
        rows, cols = self._same_cluster_pairs(start, start + n)
        return _ClusterLogSum.apply(logits, dropped, rows, cols, len(self.assignments))

    def _same_cluster_pairs(self, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(row - start, j) for every clustering m and every j in the cluster of row i in m."""
        rows, cols = [], []
        for a, order, begin, size in self._groups:
            count = size[a[start:stop]]
            r = torch.arange(stop - start, device=a.device).repeat_interleave(count)
            rank = torch.arange(r.numel(), device=a.device) - (torch.cumsum(count, 0) - count)[r]
            rows.append(r)
            cols.append(order[begin[a[start:stop]][r] + rank])
        return torch.cat(rows), torch.cat(cols)


class _ClusterLogSum(torch.autograd.Function):
    """``log(K sum_j e_ij - sum_{(i, j) same-cluster pairs} e_ij)`` over the pairs not ``dropped``.

    The gradient is written out (``w_ij e_ij / den_i``, i.e. K e_ij less one e_ij per shared
    cluster): one block-sized pass in backward, where autograd would keep and replay the mask, the
    exponential and the gather, each a block-sized temporary.
    """

    @staticmethod
    def forward(ctx, logits, dropped, rows, cols, k):
        e = logits.detach().masked_fill(dropped, float("-inf"))
        shift = e.amax(dim=1)
        counted = torch.isfinite(shift)
        shift = torch.where(counted, shift, 0.0)
        e.sub_(shift[:, None]).exp_()  # the largest counted term is 1, so den >= 1 where counted
        same = e[rows, cols]
        den = k * e.sum(dim=1) - torch.zeros_like(shift).index_add_(0, rows, same)
        den = torch.where(counted, den, 1.0)  # empty rows: e is all 0, any den keeps backward finite
        ctx.save_for_backward(e, den, rows, cols, same)
        ctx.k = k
        return torch.where(counted, shift + den.log(), float("-inf"))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        e, den, rows, cols, same = ctx.saved_tensors
        scale = grad / den
        out = e * (ctx.k * scale)[:, None]
        out.index_put_((rows, cols), -scale[rows] * same, accumulate=True)
        return out, None, None, None, None
