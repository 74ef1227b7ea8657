"""Meta-path graphs on sparse tensors: instance counts, PathSim top-k, normalisation, contexts.

A meta-path is named by the first letters of its node types (``"PAP"``: paper-author-paper).
All functions return new tensors and never modify their inputs.

PathSim (Sun et al., VLDB 2011): ``s_ij = 2 c_ij / (c_ii + c_jj)`` with ``c`` the number of
meta-path instances between ``i`` and ``j``. MEOW keeps the ``k`` most PathSim-similar
neighbours of every node (``nei_max``).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch


def metapath_types(data, name: str) -> list[str]:
    """Node types along meta-path ``name`` (one letter per type, matched to the first letter of
    the node type names of ``data``)."""
    by_letter: dict[str, list[str]] = {}
    for t in data.node_types:
        by_letter.setdefault(t[0].upper(), []).append(t)
    types = []
    for letter in name.upper():
        options = by_letter.get(letter, [])
        if len(options) != 1:
            raise KeyError(
                f"meta-path {name!r}: letter {letter!r} matches node types {options} of "
                f"{sorted(data.node_types)}; name meta-paths by the first letters of exactly one type each"
            )
        types.append(options[0])
    return types


def _relation(data, src: str, dst: str) -> sp.csr_matrix | None:
    """Binary ``src x dst`` incidence matrix from the edge list of ``(src, *, dst)`` or its reverse."""
    n_src, n_dst = data[src].num_nodes, data[dst].num_nodes
    for (a, _, b) in data.edge_types:
        if (a, b) in ((src, dst), (dst, src)):
            ei = data[(a, _, b)].edge_index.cpu().numpy()
            row, col = (ei[0], ei[1]) if (a, b) == (src, dst) else (ei[1], ei[0])
            m = sp.csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)), shape=(n_src, n_dst))
            m.data[:] = 1.0  # duplicate edges count once
            return m
    return None


def to_torch_sparse(m: sp.spmatrix) -> torch.Tensor:
    m = m.tocoo()
    idx = torch.from_numpy(np.vstack([m.row, m.col]).astype(np.int64))
    return torch.sparse_coo_tensor(idx, torch.from_numpy(m.data.astype(np.float32)), m.shape).coalesce()


def relation_chain(data, types: list[str]) -> list[sp.csr_matrix] | None:
    """Incidence matrices between consecutive types of a meta-path (``None`` if one is missing)."""
    chain = []
    for a, b in zip(types[:-1], types[1:]):
        m = _relation(data, a, b)
        if m is None:
            return None
        chain.append(m)
    return chain


def metapath_counts(data, name: str) -> torch.Tensor:
    """Sparse ``[N, N]`` matrix of meta-path instance counts for ``name``.

    Built from the edge lists when every relation along the path is present (so PathSim sees
    counts: HeCo ships its meta-path matrices as 0/1); otherwise ``data.metapaths[name]``.
    """
    target = data.target
    types = metapath_types(data, name)
    if types[0] != target or types[-1] != target:
        raise KeyError(f"meta-path {name!r} must start and end at the target type {target!r}")
    chain = relation_chain(data, types)
    if chain is not None:
        m = chain[0]
        for nxt in chain[1:]:
            m = m @ nxt
        return to_torch_sparse(m)
    metapaths = getattr(data, "metapaths", None) or {}
    if name not in metapaths:
        raise KeyError(
            f"meta-path {name!r} is neither in data.metapaths ({sorted(metapaths)}) nor buildable "
            f"from the edge lists {data.edge_types}; pick one of {sorted(metapaths)}"
        )
    return metapaths[name].coalesce().float()


def pathsim_topk(adj: torch.Tensor, k: int) -> torch.Tensor:
    """Keep, in every row of the count matrix ``adj``, the ``k`` entries of highest PathSim.

    Ties are broken by column order. Values of the result are the original counts.

    Args:
        adj: sparse ``[N, N]`` meta-path count matrix (diagonal = number of self-instances).
        k: neighbours kept per row (rows with fewer non-zeros keep all of them).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    adj = adj.coalesce()
    row, col = adj.indices()
    val = adj.values().float()
    n = adj.size(0)
    diag = torch.zeros(n, dtype=val.dtype)
    on_diag = row == col
    diag[row[on_diag]] = val[on_diag]
    denom = diag[row] + diag[col]
    sim = torch.where(denom > 0, 2 * val / denom.clamp_min(1e-12), torch.zeros_like(val))
    # order by (row, -sim): the first k entries of each row are its top-k
    order = torch.argsort(-sim, stable=True)
    order = order[torch.argsort(row[order], stable=True)]
    row_s = row[order]
    counts = torch.bincount(row_s, minlength=n)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(len(row_s)) - starts[row_s]
    keep = order[rank < k]
    return torch.sparse_coo_tensor(
        torch.stack([row[keep], col[keep]]), val[keep], adj.shape
    ).coalesce()


def gcn_normalize(adj: torch.Tensor, add_self_loops: bool = False) -> torch.Tensor:
    """``D^-1/2 A D^-1/2`` with ``D`` the row sums (optionally of ``A + I``); zero rows stay zero."""
    adj = adj.coalesce().float()
    n = adj.size(0)
    if add_self_loops:
        eye = torch.sparse_coo_tensor(torch.arange(n).repeat(2, 1), torch.ones(n), adj.shape)
        adj = (adj + eye).coalesce()
    row, col = adj.indices()
    deg = torch.zeros(n).index_add_(0, row, adj.values())
    inv = torch.where(deg > 0, deg.clamp_min(1e-12).pow(-0.5), torch.zeros_like(deg))
    return torch.sparse_coo_tensor(adj.indices(), inv[row] * adj.values() * inv[col], adj.shape).coalesce()


def metapath_contexts(data, name: str) -> list[tuple[str, list[torch.Tensor]]]:
    """Meta-path contexts of ``name``: for each intermediate position ``j`` of the path, the type
    of the nodes there and the chain of incidence matrices from the target to them.

    For ``PAP`` this is ``[("author", [PA])]`` (a paper's authors); for ``APCPA`` it is
    ``[("paper", [AP]), ("conference", [AP, PC]), ("paper", [AP, PC, CP])]``, the intermediate
    nodes of the first half of the path and the mirror node, as in MEOW's DBLP encoder.
    Aggregate with :func:`mean_over_contexts`.
    """
    types = metapath_types(data, name)
    chain = relation_chain(data, types)
    if chain is None:
        raise KeyError(
            f"meta-path {name!r} needs the edge lists between {types}; data has {data.edge_types}"
        )
    length = len(types) - 1
    last = length // 2 + (1 if length > 2 else 0)  # PAP: A; APCPA: P, C, P'
    return [(types[j], [to_torch_sparse(m) for m in chain[:j]]) for j in range(1, last + 1)]


def mean_over_contexts(chain: list, x: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the meta-path instances reaching each target node through ``chain``
    (``M x / M 1`` with ``M`` the product of the chain, evaluated right to left so ``M`` is
    never formed). Rows without any instance get zeros. ``chain`` holds torch sparse matrices
    or :class:`~graphcl.hetero.layers.SparseOperator`s."""
    out = x
    ones = torch.ones(x.size(0), 1, dtype=x.dtype, device=x.device)
    for m in reversed(chain):
        out = m @ out
        ones = m @ ones
    return out / ones.clamp_min(1.0) * (ones > 0)
