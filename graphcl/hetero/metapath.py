"""Meta-paths on sparse tensors: resolution, instance counts, PathSim top-k, HeCo positives,
normalisation, contexts.

A meta-path is a sequence of edge types ``[("paper", "to", "author"), ("author", "to", "paper")]``
(PyG's ``AddMetaPaths`` form). An edge type that is not stored but whose reverse is, is read as
the transpose of the stored one (HeCo's data stores each relation once). The letter shorthand
``"PAP"`` is sugar: each letter is the first letter of exactly one node type, and each step
takes the first edge type between its two node types (:func:`edge_type_between`). When two
node types share a first letter, or two relations join the same types, give the edge types.
All functions return new tensors and never modify their inputs.

PathSim (Sun et al., VLDB 2011): ``s_ij = 2 c_ij / (c_ii + c_jj)`` with ``c`` the number of
meta-path instances between ``i`` and ``j``. MEOW keeps the ``k`` most PathSim-similar
neighbours of every node (``nei_max``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

EdgeType = tuple[str, str, str]
MetaPath = str | list[EdgeType]  # letter shorthand, or a list of edge types


def metapath_label(metapath: MetaPath) -> str:
    """How messages name ``metapath``: the shorthand itself, or ``paper-to-author-to-paper``."""
    if isinstance(metapath, str):
        return metapath
    return "-".join([metapath[0][0]] + [f"{rel}-{dst}" for _, rel, dst in metapath])


def _letter_types(data, name: str) -> list[str]:
    by_letter: dict[str, list[str]] = {}
    for t in data.node_types:
        by_letter.setdefault(t[0].upper(), []).append(t)
    types = []
    for letter in name.upper():
        options = by_letter.get(letter, [])
        if len(options) != 1:
            raise KeyError(
                f"meta-path {name!r}: letter {letter!r} matches node types {options} of "
                f"{sorted(data.node_types)}; letters must name exactly one type each, so give this "
                f"meta-path as edge types, e.g. [('paper', 'to', 'author'), ('author', 'to', 'paper')]"
            )
        types.append(options[0])
    return types


def _check_edge_types(data, path: Sequence[EdgeType]) -> list[EdgeType]:
    path = [tuple(e) for e in path]
    if not path or any(len(e) != 3 for e in path):
        raise ValueError(f"meta-path {path!r} must be a non-empty list of (source, relation, destination) edge types")
    for prev, nxt in zip(path[:-1], path[1:]):
        if prev[2] != nxt[0]:
            raise ValueError(
                f"meta-path {metapath_label(path)}: edge type {prev} ends at {prev[2]!r} "
                f"but the next one, {nxt}, starts at {nxt[0]!r}"
            )
    for src, rel, dst in path:
        if (src, rel, dst) not in data.edge_types and (dst, rel, src) not in data.edge_types:
            raise KeyError(
                f"meta-path {metapath_label(path)}: neither {(src, rel, dst)} nor its reverse "
                f"is an edge type of the graph {data.edge_types}"
            )
    return path


def metapath_types(data, metapath: MetaPath) -> list[str]:
    """Node types along ``metapath`` (raises for unknown letters or broken edge-type chains)."""
    if isinstance(metapath, str):
        return _letter_types(data, metapath)
    path = _check_edge_types(data, metapath)
    return [path[0][0]] + [dst for _, _, dst in path]


def metapath_edge_types(data, metapath: MetaPath) -> list[EdgeType] | None:
    """The edge types of ``metapath``; for shorthand, ``None`` when some step has no edge list
    (then only a precomputed matrix ``data.metapaths[name]`` can stand for it)."""
    if not isinstance(metapath, str):
        return _check_edge_types(data, metapath)
    types = _letter_types(data, metapath)
    path = [edge_type_between(data, a, b) for a, b in zip(types[:-1], types[1:])]
    return None if None in path else path


def edge_type_between(data, src: str, dst: str) -> EdgeType | None:
    """The first stored edge type ``(src, rel, dst)``, else ``(src, rel, dst)`` for the first stored
    ``(dst, rel, src)`` (read as its transpose); ``None`` when no edge list joins the two types."""
    for a, rel, b in data.edge_types:
        if (a, b) == (src, dst):
            return (a, rel, b)
    for a, rel, b in data.edge_types:
        if (a, b) == (dst, src):
            return (src, rel, dst)
    return None


def relation(data, edge_type: EdgeType) -> sp.csr_matrix:
    """Binary ``src x dst`` incidence matrix of ``edge_type`` (the transpose of its reverse when
    only that is stored); duplicate edges count once."""
    src, rel, dst = edge_type
    stored = edge_type if edge_type in data.edge_types else (dst, rel, src)
    ei = data[stored].edge_index.cpu().numpy()
    row, col = (ei[0], ei[1]) if stored == edge_type else (ei[1], ei[0])
    m = sp.csr_matrix(
        (np.ones(len(row), dtype=np.float32), (row, col)), shape=(data[src].num_nodes, data[dst].num_nodes)
    )
    m.data[:] = 1.0
    return m


def to_torch_sparse(m: sp.spmatrix) -> torch.Tensor:
    m = m.tocoo()
    idx = torch.from_numpy(np.vstack([m.row, m.col]).astype(np.int64))
    return torch.sparse_coo_tensor(idx, torch.from_numpy(m.data.astype(np.float32)), m.shape).coalesce()


def precomputed_metapath(data, metapath: MetaPath) -> torch.Tensor | None:
    """``data.metapaths[name]`` (a loader's shipped matrix) for a shorthand ``metapath``, else ``None``."""
    known = getattr(data, "metapaths", None) or {}
    return known[metapath] if isinstance(metapath, str) and metapath in known else None


def check_metapath(data, metapath: MetaPath, target: str) -> None:
    """Raise with the fix unless ``metapath`` runs from ``target`` to ``target`` and is available
    (edge lists along it, or a precomputed ``data.metapaths[name]``)."""
    types = metapath_types(data, metapath)
    if types[0] != target or types[-1] != target:
        raise KeyError(
            f"meta-path {metapath_label(metapath)} runs from {types[0]!r} to {types[-1]!r}; "
            f"it must start and end at the target type {target!r}"
        )
    if metapath_edge_types(data, metapath) is None and precomputed_metapath(data, metapath) is None:
        known = sorted(getattr(data, "metapaths", None) or {})
        raise KeyError(
            f"meta-path {metapath!r} is not available: data.metapaths has {known} and the edge "
            f"lists {data.edge_types} do not connect {types}; choose from {known}"
        )


def metapath_counts(data, metapath: MetaPath, target: str) -> torch.Tensor:
    """Sparse ``[N, N]`` matrix of meta-path instance counts.

    Built from the edge lists when every relation along the path is present (so PathSim sees
    counts: HeCo ships its meta-path matrices as 0/1); otherwise ``data.metapaths[name]``.
    """
    check_metapath(data, metapath, target)
    path = metapath_edge_types(data, metapath)
    if path is None:
        return precomputed_metapath(data, metapath).coalesce().float()
    m = relation(data, path[0])
    for edge_type in path[1:]:
        m = m @ relation(data, edge_type)
    return to_torch_sparse(m)


def metapath_graph(data, metapath: MetaPath, target: str) -> torch.Tensor:
    """The meta-path's 0/1 graph, coalesced: ``data.metapaths[name]`` when the loader ships it
    (HeCo's 0/1 files), else the instance counts of :func:`metapath_counts` set to 1."""
    adj = precomputed_metapath(data, metapath)
    adj = (metapath_counts(data, metapath, target) if adj is None else adj).coalesce()
    return torch.sparse_coo_tensor(adj.indices(), torch.ones(adj.indices().size(1)), adj.shape).coalesce()


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
    keep = _top_per_row(row, sim, n, k)
    return torch.sparse_coo_tensor(torch.stack([row[keep], col[keep]]), val[keep], adj.shape).coalesce()


def _top_per_row(row: torch.Tensor, score: torch.Tensor, n: int, k: int, generator=None) -> torch.Tensor:
    """Positions of the ``k`` highest scores of every row of a coalesced COO matrix (``row``
    sorted, then column); ties broken by column order, or at random with ``generator``."""
    order = torch.arange(len(score)) if generator is None else torch.randperm(len(score), generator=generator)
    # order by (row, -score): the first k entries of each row are its top-k
    order = order[torch.argsort(-score[order], stable=True)]
    order = order[torch.argsort(row[order], stable=True)]
    row_s = row[order]
    counts = torch.bincount(row_s, minlength=n)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(len(row_s)) - starts[row_s]
    return order[rank < k]


def metapath_positives(data, metapaths: Sequence[MetaPath], target: str, num_pos: int, seed: int = 0) -> torch.Tensor:
    """HeCo's positive pairs (Wang et al., "Self-supervised Heterogeneous Graph Neural Network
    with Co-contrastive Learning", KDD 2021: the positive selection of its co-contrastive loss;
    its ``data/pos.py``), for any graph.

    Each meta-path's 0/1 graph (``data.metapaths[name]`` when the loader ships it, else built
    from the edge lists) is row-normalised, the meta-paths are summed, and every node keeps its
    ``num_pos`` highest-scoring nodes (all of them when it has fewer): nodes joined by more
    meta-paths, and by a meta-path along which the node has fewer neighbours, come first. A node
    reaches itself along every symmetric meta-path, so it is normally among its own positives.
    Ties (frequent: the graphs are 0/1) are broken at random, seeded by ``seed``: HeCo's
    ``np.argsort`` leaves their order to the sort implementation (its script rerun here on its
    own ACM matrices with NumPy 2 reproduces 53 % of its ``pos.npz``), and breaking them by node
    id would tie the pairs to the datasets' id order, which follows the classes.
    The paper's ``pos_num`` per dataset: ACM 5 (7 in the paper), DBLP 1000, AMiner 15,
    Freebase 80.

    Args:
        data: the ``HeteroData`` (read only).
        metapaths: the meta-paths (shorthand or edge-type lists), each from ``target`` to ``target``.
        target: the node type of the pairs.
        num_pos: positives kept per node (``>= 1``).
        seed: seed of the tie-breaking (default 0); the global RNG is not touched.

    Returns:
        A sparse ``[N, N]`` 0/1 tensor, rows = anchors (HeCo's ``pos.npz`` layout).
    """
    if num_pos < 1:
        raise ValueError(f"num_pos must be >= 1, got {num_pos}")
    if not metapaths:
        raise ValueError("metapath_positives needs at least one meta-path")
    n = data[target].num_nodes
    total = torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (n, n)).coalesce()
    for mp in metapaths:
        idx = metapath_graph(data, mp, target).indices()
        deg = torch.bincount(idx[0], minlength=n).float()
        total = total + torch.sparse_coo_tensor(idx, 1.0 / deg[idx[0]], (n, n))
    total = total.coalesce()
    row, col = total.indices()
    keep = _top_per_row(row, total.values(), n, num_pos, torch.Generator().manual_seed(seed))
    return torch.sparse_coo_tensor(torch.stack([row[keep], col[keep]]), torch.ones(keep.numel()), (n, n)).coalesce()


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


def metapath_contexts(data, metapath: MetaPath) -> list[tuple[str, list[torch.Tensor]]]:
    """Meta-path contexts: for each intermediate position ``j`` of the path, the type of the
    nodes there and the chain of incidence matrices from the target to them.

    For ``PAP`` this is ``[("author", [PA])]`` (a paper's authors); for ``APCPA`` it is
    ``[("paper", [AP]), ("conference", [AP, PC]), ("paper", [AP, PC, CP])]``, the intermediate
    nodes of the first half of the path and the mirror node, as in MEOW's DBLP encoder.
    Aggregate with :func:`mean_over_contexts`.
    """
    types = metapath_types(data, metapath)
    path = metapath_edge_types(data, metapath)
    if path is None:
        raise KeyError(f"meta-path {metapath!r} needs the edge lists between {types}; data has {data.edge_types}")
    chain = [relation(data, e) for e in path]
    length = len(types) - 1
    last = length // 2 + (1 if length > 2 else 0)  # PAP: A; APCPA: P, C, P'
    return [(types[j], [to_torch_sparse(m) for m in chain[:j]]) for j in range(1, last + 1)]


def mean_over_contexts(chain: list, x: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the meta-path instances reaching each target node through ``chain``
    (``M x / M 1`` with ``M`` the product of the chain, evaluated right to left so ``M`` is
    never formed). Rows without any instance get zeros. ``chain`` holds torch sparse matrices
    or :class:`~graphcl.hetero.layers.SparseOperator`\\ s."""
    out = x
    ones = torch.ones(x.size(0), 1, dtype=x.dtype, device=x.device)
    for m in reversed(chain):
        out = m @ out
        ones = m @ ones
    return out / ones.clamp_min(1.0) * (ones > 0)
