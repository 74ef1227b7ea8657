"""Precomputed inputs of MEOW/AdaMEOW: PathSim top-k graphs, contexts and masked views."""
from __future__ import annotations

import torch

from graphcl.hetero.augment import drop_edges, mask_features
from graphcl.hetero.metapath import gcn_normalize, metapath_contexts, metapath_counts, pathsim_topk
from graphcl.hetero.params import POSITIVES
from graphcl.hetero.layers import SparseOperator
from graphcl.hetero.views import node_features


def _per_metapath(values: list, count: int, name: str) -> list:
    if len(values) == 1:
        return list(values) * count
    if len(values) != count:
        raise ValueError(f"{name} has {len(values)} entries but there are {count} meta-paths; "
                         "give one value per meta-path (or a single shared value)")
    return list(values)


def positive_mask(data, positives: str) -> torch.Tensor | None:
    """``None`` for ``"self"``; for ``"heco"``, HeCo's ``data.pos`` as a 0/1 sparse ``[N, N]`` mask
    with the diagonal added (the node's own other view stays a positive)."""
    if positives not in POSITIVES:
        raise ValueError(f"positives must be one of {POSITIVES}, got {positives!r}")
    if positives == "self":
        return None
    pos = getattr(data, "pos", None)
    if pos is None:
        raise ValueError("positives='heco' needs data.pos (HeCo's pos.npz); load the dataset with "
                         "graphcl.data.load_hetero, or use positives='self'")
    pos = pos if pos.is_sparse else pos.to_sparse()
    # a node stays its own positive even if the file leaves the diagonal out
    idx = torch.cat([pos.coalesce().indices(), torch.arange(pos.size(0)).repeat(2, 1)], dim=1)
    idx = torch.sparse_coo_tensor(idx, torch.ones(idx.size(1)), pos.shape).coalesce().indices()
    return torch.sparse_coo_tensor(idx, torch.ones(idx.size(1)), pos.shape, is_coalesced=True)


class MEOWInputs:
    """Everything MEOW's encoder reads, built once from a ``HeteroData``.

    Args:
        data: the graph (``graphcl.data.load_hetero`` layout); not modified.
        metapaths: meta-path names.
        nei_max: PathSim top-k per meta-path (or one shared value).
        feat_mask: fraction of non-zero target-feature entries masked in the masked view
            (featureless targets: fraction of target nodes whose one-hot input is zeroed).
        adj_mask: fraction of meta-path edges dropped in the masked view (per meta-path or shared).
        normalize_features: row-normalise features.
        seed: seed of the augmentation generator.
        ignore_features: node types whose features are replaced by learned embeddings.
        positives: ``"self"`` (official: each node's own other view is its only positive) or
            ``"heco"`` (HeCo's ``data.pos`` pairs, nodes joined by many meta-path instances, are
            positives too: kept as :attr:`pos_mask`, ``None`` for ``"self"``).
    """

    def __init__(self, data, metapaths: list[str], nei_max: list[int], feat_mask: float,
                 adj_mask: list[float], normalize_features: bool = True, seed: int = 0,
                 ignore_features: list[str] = (), positives: str = "self"):
        self.target = data.target
        self.pos_mask = positive_mask(data, positives)
        self.metapaths = list(metapaths)
        p = len(self.metapaths)
        self.nei_max = _per_metapath(nei_max, p, "nei_max")
        self.adj_mask = _per_metapath(adj_mask, p, "adj_mask")
        self.feat_mask = feat_mask
        self.generator = torch.Generator().manual_seed(seed)
        self.device = torch.device("cpu")
        contexts = [metapath_contexts(data, name) for name in self.metapaths]
        self.context_types = [[t for t, _ in ctx] for ctx in contexts]
        self.chains = [[[SparseOperator(m) for m in chain] for _, chain in ctx] for ctx in contexts]
        types = [self.target] + sorted({t for ctx in self.context_types for t in ctx} - {self.target})
        self.x = node_features(data, types, normalize_features, ignore_features)
        self.num_nodes = {t: data[t].num_nodes for t in types}
        self.in_dims = {t: (None if v is None else v.size(1)) for t, v in self.x.items()}
        self.topk = [pathsim_topk(metapath_counts(data, name), k) for name, k in zip(self.metapaths, self.nei_max)]
        normed = [gcn_normalize(a) for a in self.topk]
        coarse = normed[0]
        for a in normed[1:]:
            coarse = coarse + a
        self.adjs = [SparseOperator(a) for a in normed]
        self.coarse_adj = SparseOperator((coarse / p).coalesce())
        self.resample()

    def resample(self) -> None:
        """Draw new feature and edge masks (the official code does this once, before training)."""
        x = self.x[self.target]
        n = self.num_nodes[self.target]
        if x is None:
            self.x_masked = None
            keep = torch.rand(n, generator=self.generator) >= self.feat_mask
            self.node_mask = keep.float().to(self.device)
        else:
            self.x_masked = mask_features(x.cpu(), self.feat_mask, self.generator).to(self.device)
            self.node_mask = None
        self.masked_adjs = []
        for a, rate in zip(self.topk, self.adj_mask):
            row, col = a.indices()
            off = row != col
            off_diag = torch.sparse_coo_tensor(a.indices()[:, off], torch.ones(int(off.sum())), a.shape)
            kept = drop_edges(off_diag, rate, self.generator)
            # binary edges + self-loops, then symmetric normalisation (official mask_edges)
            self.masked_adjs.append(SparseOperator(gcn_normalize(kept, add_self_loops=True)).to(self.device))

    def to(self, device) -> "MEOWInputs":
        self.device = torch.device(device)
        mv = lambda t: None if t is None else t.to(device)  # noqa: E731
        self.x = {t: mv(v) for t, v in self.x.items()}
        self.x_masked, self.node_mask = mv(self.x_masked), mv(self.node_mask)
        self.chains = [[[mv(m) for m in chain] for chain in ctx] for ctx in self.chains]
        self.adjs = [mv(a) for a in self.adjs]
        self.masked_adjs = [mv(a) for a in self.masked_adjs]
        self.coarse_adj = mv(self.coarse_adj)
        self.pos_mask = mv(self.pos_mask)
        return self

    def encoder_args(self) -> tuple:
        return (self.x, self.x_masked, self.node_mask, self.chains, self.adjs, self.masked_adjs, self.coarse_adj)
