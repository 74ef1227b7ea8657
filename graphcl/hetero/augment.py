"""Graph augmentations used by MEOW's masked views; they return new tensors and never modify
their inputs."""

from __future__ import annotations

import torch


def _check_rate(p: float) -> None:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"mask/drop rate must be in [0, 1), got {p}")


def mask_features(x: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero a fraction ``p`` of the non-zero entries of ``x`` (MEOW's ``mask_feature``: entries,
    not whole columns, chosen uniformly without replacement).

    Args:
        x: ``[N, F]`` feature matrix, dense or sparse COO (then the masked entries are removed;
            the same entries as for its dense form are drawn).
        p: fraction of non-zero entries set to zero.
        generator: random generator (seed it for reproducible masks).
    """
    _check_rate(p)
    if x.is_sparse:
        return _mask_sparse(x.coalesce(), p, generator)
    out = x.clone()
    nz = out.nonzero(as_tuple=True)
    n_mask = int(p * nz[0].numel())
    if n_mask:
        pick = torch.randperm(nz[0].numel(), generator=generator)[:n_mask].to(x.device)
        out[nz[0][pick], nz[1][pick]] = 0
    return out


def _mask_sparse(x: torch.Tensor, p: float, generator: torch.Generator | None) -> torch.Tensor:
    keep = x.values() != 0  # stored zeros are not entries: as nonzero() of the dense form
    nz = keep.nonzero(as_tuple=True)[0]
    n_mask = int(p * nz.numel())
    if n_mask:
        keep[nz[torch.randperm(nz.numel(), generator=generator)[:n_mask].to(x.device)]] = False
    return torch.sparse_coo_tensor(x.indices()[:, keep], x.values()[keep], x.shape).coalesce()


def drop_edges(
    adj: torch.Tensor, p: float, generator: torch.Generator | None = None, keep_self_loops: bool = True
) -> torch.Tensor:
    """Remove a fraction ``p`` of the off-diagonal edges of sparse ``adj`` uniformly at random.

    Args:
        adj: sparse ``[N, N]`` adjacency (any values; kept on surviving edges).
        p: fraction of off-diagonal edges removed.
        generator: random generator.
        keep_self_loops: diagonal entries are never dropped (MEOW re-adds them).
    """
    _check_rate(p)
    adj = adj.coalesce()
    row, col = adj.indices()
    val = adj.values()
    off = (row != col) if keep_self_loops else torch.ones_like(row, dtype=torch.bool)
    off_idx = off.nonzero(as_tuple=True)[0]
    n_drop = int(p * off_idx.numel())
    keep = torch.ones_like(row, dtype=torch.bool)
    if n_drop:
        drop = off_idx[torch.randperm(off_idx.numel(), generator=generator)[:n_drop].to(row.device)]
        keep[drop] = False
    return torch.sparse_coo_tensor(adj.indices()[:, keep], val[keep], adj.shape).coalesce()
