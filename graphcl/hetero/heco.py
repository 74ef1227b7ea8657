"""HeCo: co-contrastive learning between the network-schema and meta-path views."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core import InfoNCE
from graphcl.hetero.inputs import HeCoInputs
from graphcl.hetero.layers import MetaPathGCN, SchemaEncoder, SemanticAttention, TypeEncoder, sample_neighbors
from graphcl.hetero.params import HeCoParams


class HeCo(nn.Module):
    r"""HeCo (Wang, Liu, Yang, Shi, "Self-supervised Heterogeneous Graph Neural Network with
    Co-contrastive Learning", KDD 2021).

    Meta-path view: one GCN per (symmetrically normalised, full) meta-path graph, semantic
    attention. Network-schema view: :class:`~graphcl.hetero.layers.SchemaEncoder` over sampled
    direct neighbours (new samples every forward, as the official code). Both pass a shared
    projection ``Linear-ELU-Linear`` and are contrasted with the ``pos.npz`` positives as
    ``pos_mask``: ``loss = lam * InfoNCE(mp -> sc) + (1 - lam) * InfoNCE(sc -> mp)`` (cosine /
    ``tau``, positives in the denominator). The embedding is the meta-path view.

    Args:
        params: the hyperparameters (:class:`~graphcl.hetero.params.HeCoParams`: ``hidden_dim``,
            ``tau``, ``feat_drop``, ``attn_drop``, ``sample_rate``, ``lam``, ``chunk_size``).
        inputs: the :class:`~graphcl.hetero.inputs.HeCoInputs` it will train on (sizes are read
            from them; they are not kept).
        seed: seed of the neighbour sampler (default 0).
    """

    def __init__(self, params: HeCoParams, inputs: HeCoInputs, seed: int = 0):
        super().__init__()
        if not isinstance(params, HeCoParams):
            raise TypeError(f"HeCo needs HeCoParams, got {type(params).__name__}")
        if len(inputs.schema_types) != len(params.model.sample_rate):
            raise ValueError(
                f"sample_rate has {len(params.model.sample_rate)} entries for schema types {inputs.schema_types}"
            )
        self.params = params
        dim = params.model.hidden_dim
        self.fc = nn.ModuleDict(
            {
                t: TypeEncoder(inputs.num_nodes[t], inputs.in_dims[t], dim, xavier_gain=1.414)
                for t in [inputs.target] + inputs.schema_types
            }
        )
        self.feat_drop = nn.Dropout(params.model.feat_drop)
        self.mp_gcn = nn.ModuleList(MetaPathGCN(dim) for _ in inputs.mps)
        self.mp_att = SemanticAttention(dim, params.model.attn_drop)
        self.sc = SchemaEncoder(dim, len(params.model.sample_rate), params.model.attn_drop)
        self.proj = nn.Sequential(nn.Linear(dim, dim), nn.ELU(), nn.Linear(dim, dim))
        for m in self.proj:
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight, gain=1.414)
        self.info = InfoNCE(
            temperature=params.model.tau,
            similarity="cosine",
            positives_in_denominator=True,
            chunk_size=params.train.chunk_size,
        )
        # a CPU sampler: the same neighbours on every device
        self.generator = torch.Generator().manual_seed(seed)

    def _h(self, inputs: HeCoInputs, t: str) -> torch.Tensor:
        return F.elu(self.feat_drop(self.fc[t](inputs.x[t])))

    def meta_path_view(self, inputs: HeCoInputs, h_target: torch.Tensor) -> torch.Tensor:
        return self.mp_att([gcn(h_target, adj) for gcn, adj in zip(self.mp_gcn, inputs.mps)])

    def loss(self, inputs: HeCoInputs) -> torch.Tensor:
        h = self._h(inputs, inputs.target)
        z_mp = self.meta_path_view(inputs, h)
        device = h.device
        neighbors = [
            sample_neighbors(ptr, col, s, self.generator).to(device)
            for (ptr, col), s in zip(inputs.schema, self.params.model.sample_rate)
        ]
        z_sc = self.sc(h, [self._h(inputs, t) for t in inputs.schema_types], neighbors)
        p_mp, p_sc = self.proj(z_mp), self.proj(z_sc)
        lam = self.params.model.lam
        return lam * self.info(p_mp, p_sc, pos_mask=inputs.pos) + (1 - lam) * self.info(p_sc, p_mp, pos_mask=inputs.pos)

    @torch.no_grad()
    def embed(self, inputs: HeCoInputs) -> torch.Tensor:
        """The meta-path view without dropout (official ``get_embeds``)."""
        was = self.training
        self.eval()
        z = self.meta_path_view(inputs, self._h(inputs, inputs.target))
        self.train(was)
        return z.detach()
