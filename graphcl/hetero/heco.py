"""HeCo: co-contrastive learning between the network-schema and meta-path views."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core import InfoNCE
from graphcl.hetero.metapath import gcn_normalize, metapath_counts
from graphcl.hetero.layers import (MetaPathGCN, SchemaEncoder, SemanticAttention, SparseOperator, TypeEncoder,
                                   sample_neighbors)
from graphcl.hetero.views import node_features


class HeCo(nn.Module):
    r"""HeCo (Wang, Liu, Yang, Shi, "Self-supervised Heterogeneous Graph Neural Network with
    Co-contrastive Learning", KDD 2021).

    Meta-path view: one GCN per (symmetrically normalised, full) meta-path graph, semantic
    attention. Network-schema view: :class:`SchemaEncoder` over sampled direct neighbours (new
    samples every forward, as the official code). Both pass a shared projection
    ``Linear-ELU-Linear`` and are contrasted with the ``pos.npz`` positives as ``pos_mask``:
    ``loss = lam * InfoNCE(mp -> sc) + (1 - lam) * InfoNCE(sc -> mp)`` (cosine / ``tau``,
    positives in the denominator). The embedding is the meta-path view.

    Args:
        data: the graph (``graphcl.data.load_hetero`` layout; needs ``data.pos``); not modified.
        metapaths: meta-path names.
        schema_types: neighbour types of the network-schema view.
        hidden_dim: embedding width.
        tau: temperature.
        feat_drop: dropout on the projected features.
        attn_drop: dropout on the attention vectors.
        sample_rate: neighbours sampled per schema type.
        lam: weight of the meta-path -> schema direction.
        normalize_features: row-normalise features.
        chunk_size: anchor rows per InfoNCE block.
        seed: seed of the neighbour sampler.
        ignore_features: node types whose features are replaced by learned embeddings.
    """

    def __init__(self, data, metapaths: list[str], schema_types: list[str], hidden_dim: int = 64, tau: float = 0.8,
                 feat_drop: float = 0.3, attn_drop: float = 0.5, sample_rate: list[int] = (7, 1), lam: float = 0.5,
                 normalize_features: bool = True, chunk_size: int | None = None, seed: int = 0,
                 ignore_features: list[str] = ()):
        super().__init__()
        target = data.target
        if len(schema_types) != len(sample_rate):
            raise ValueError(f"sample_rate has {len(sample_rate)} entries for schema types {schema_types}")
        pos = getattr(data, "pos", None)
        if pos is None:
            raise ValueError("HeCo needs data.pos (the pos.npz positive pairs); load the dataset with graphcl.data.load_hetero")
        self.target, self.schema_types = target, list(schema_types)
        types = [target] + self.schema_types
        self.x = node_features(data, types, normalize_features, ignore_features)
        self.fc = nn.ModuleDict({t: TypeEncoder(data[t].num_nodes, None if self.x[t] is None else self.x[t].size(1),
                                                hidden_dim, xavier_gain=1.414) for t in types})
        self.mps = []
        known = getattr(data, "metapaths", None) or {}
        for name in metapaths:
            adj = known[name].coalesce().float() if name in known else metapath_counts(data, name)
            adj = torch.sparse_coo_tensor(adj.indices(), torch.ones(adj.indices().size(1)), adj.shape)  # 0/1 as shipped
            self.mps.append(SparseOperator(gcn_normalize(adj)))
        self.csr = []
        for t in self.schema_types:
            key = (target, "to", t)
            if key not in data.edge_types:
                raise KeyError(f"network-schema edges {key} are missing; data has {data.edge_types}")
            ei = data[key].edge_index
            order = torch.argsort(ei[0] * data[t].num_nodes + ei[1])
            row, col = ei[0][order], ei[1][order]
            ptr = torch.zeros(data[target].num_nodes + 1, dtype=torch.long)
            ptr[1:] = torch.cumsum(torch.bincount(row, minlength=data[target].num_nodes), 0)
            self.csr.append((ptr, col))
        self.pos = pos.coalesce().float() if pos.is_sparse else pos.float()
        self.feat_drop = nn.Dropout(feat_drop)
        self.mp_gcn = nn.ModuleList(MetaPathGCN(hidden_dim) for _ in metapaths)
        self.mp_att = SemanticAttention(hidden_dim, attn_drop)
        self.sample_rate = list(sample_rate)
        self.sc = SchemaEncoder(hidden_dim, len(sample_rate), attn_drop)
        self.proj = nn.Sequential(nn.Linear(hidden_dim, hidden_dim), nn.ELU(), nn.Linear(hidden_dim, hidden_dim))
        for m in self.proj:
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight, gain=1.414)
        self.lam = lam
        self.info = InfoNCE(temperature=tau, similarity="cosine", positives_in_denominator=True, chunk_size=chunk_size)
        self.generator = torch.Generator().manual_seed(seed)
        self.device = torch.device("cpu")

    def to(self, device):  # keep the graph tensors next to the parameters
        self.device = torch.device(device)
        self.x = {t: None if v is None else v.to(device) for t, v in self.x.items()}
        self.mps = [a.to(device) for a in self.mps]
        self.pos = self.pos.to(device)
        return super().to(device)

    def _h(self, t: str) -> torch.Tensor:
        return F.elu(self.feat_drop(self.fc[t](self.x[t])))

    def meta_path_view(self, h_target: torch.Tensor) -> torch.Tensor:
        return self.mp_att([gcn(h_target, adj) for gcn, adj in zip(self.mp_gcn, self.mps)])

    def loss(self) -> torch.Tensor:
        h = self._h(self.target)
        z_mp = self.meta_path_view(h)
        neighbors = [sample_neighbors(ptr, col, s, self.generator).to(self.device)
                     for (ptr, col), s in zip(self.csr, self.sample_rate)]
        z_sc = self.sc(h, [self._h(t) for t in self.schema_types], neighbors)
        p_mp, p_sc = self.proj(z_mp), self.proj(z_sc)
        return self.lam * self.info(p_mp, p_sc, pos_mask=self.pos) + (1 - self.lam) * self.info(p_sc, p_mp, pos_mask=self.pos)

    @torch.no_grad()
    def embed(self) -> torch.Tensor:
        was = self.training
        self.eval()
        z = self.meta_path_view(self._h(self.target))
        self.train(was)
        return z.detach()
