"""The two views of MEOW/AdaMEOW: coarse (meta-path graphs) and fine-grained (meta-path
contexts + feature/edge masking), fused by semantic attention."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.hetero.inputs import MEOWInputs
from graphcl.hetero.layers import MEOWGCN, SemanticAttention, TypeEncoder
from graphcl.hetero.metapath import mean_over_contexts


class MEOWEncoder(nn.Module):
    r"""Coarse and fine-grained views of MEOW (Yu et al., arXiv:2212.13847, Sec. 4.1-4.2).

    * target nodes: ``h = ELU(drop(fc(x)))``; the masked view uses the masked features;
    * meta-path ``m`` with contexts ``c_1..c_L`` (intermediate nodes of its instances, e.g. the
      authors of a paper for ``PAP``): ``ctx_m = sum_j drop(W_{m,j} mean_{c_j}(ELU(drop(fc_t(x_t)))))``,
      fine views ``ELU(h + ctx_m)`` and ``ELU(h_masked + ctx_m)``;
    * one GCN (:class:`~graphcl.hetero.layers.MEOWGCN`) shared by every view encodes the fine
      views on the PathSim top-k meta-path graph (and on its edge-dropped copy for the masked
      view) and the coarse view ``h`` on the mean of the normalised meta-path graphs;
    * the ``2P`` fine embeddings are L2-normalised and fused by semantic attention: that fusion
      is the node embedding.

    Args:
        inputs: the inputs it will encode (node counts, feature widths and contexts are read
            from them; they are not kept).
        hidden_dim: width of every layer.
        dropout: dropout rate (features, context aggregation, GCN, attention).
    """

    def __init__(self, inputs: MEOWInputs, hidden_dim: int, dropout: float):
        super().__init__()
        self.target = inputs.target
        contexts = inputs.context_types
        types = [self.target] + sorted({t for ctx in contexts for t in ctx} - {self.target})
        self.fc = nn.ModuleDict({t: TypeEncoder(inputs.num_nodes[t], inputs.in_dims[t], hidden_dim) for t in types})
        self.agg = nn.ModuleList(
            nn.ModuleList(nn.Linear(hidden_dim, hidden_dim, bias=False) for _ in ctx) for ctx in contexts
        )
        self.context_types = contexts
        self.gcn = MEOWGCN(hidden_dim, hidden_dim, hidden_dim, dropout)
        self.att = SemanticAttention(hidden_dim, dropout)
        self.dropout = nn.Dropout(dropout)

    def _h(self, t: str, x: torch.Tensor | None, node_mask=None) -> torch.Tensor:
        return F.elu(self.dropout(self.fc[t](x, node_mask)))

    def forward(self, inputs: MEOWInputs) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor]:
        """``(z_coarse [N, D], fine [2P x [N, D]] normalised, embedding [N, D])``."""
        h = self._h(self.target, inputs.x.get(self.target))
        h_mask = self._h(self.target, inputs.x_masked, inputs.node_mask)
        h_types = {t: self._h(t, inputs.x.get(t)) for t in self.fc if t != self.target}
        h_types[self.target] = h
        fine = []
        for m, (ctx_types, ctx_chains) in enumerate(zip(self.context_types, inputs.chains)):
            ctx = sum(
                self.dropout(self.agg[m][j](mean_over_contexts(chain, h_types[t])))
                for j, (t, chain) in enumerate(zip(ctx_types, ctx_chains))
            )
            fine.append(self.gcn(F.elu(h + ctx), inputs.adjs[m]))
            fine.append(self.gcn(F.elu(h_mask + ctx), inputs.masked_adjs[m]))
        fine = [F.normalize(z, dim=1) for z in fine]
        z_coarse = self.gcn(h, inputs.coarse_adj)
        return z_coarse, fine, self.att(fine)

    @torch.no_grad()
    def embed(self, inputs: MEOWInputs, project: nn.Module | None = None) -> torch.Tensor:
        """Fused fine-grained embedding ``[N, D]`` without dropout; with ``project``, its
        unit-norm projection :func:`project_unit` instead."""
        was = self.training
        self.eval()
        z = self(inputs)[2]
        self.train(was)
        return (z if project is None else project_unit(project, z)).detach()


def project_unit(project: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """``normalize(tanh(project(z)))``: the official projection feeding MEOW's and AdaMEOW's losses."""
    return F.normalize(torch.tanh(project(z)), dim=1)
