"""The two views of MEOW/AdaMEOW: coarse (meta-path graphs) and fine-grained (meta-path
contexts + feature/edge masking), fused by semantic attention."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.hetero.layers import MEOWGCN, SemanticAttention, TypeEncoder
from graphcl.hetero.metapath import mean_over_contexts


EMBEDDINGS = ("fused", "projected")  # what MEOW.embed / AdaMEOW.embed may return


class MEOWEncoder(nn.Module):
    r"""Coarse and fine-grained views of MEOW (Yu et al., arXiv:2212.13847, Sec. 4.1-4.2).

    * target nodes: ``h = ELU(drop(fc(x)))``; the masked view uses the masked features;
    * meta-path ``m`` with contexts ``c_1..c_L`` (intermediate nodes of its instances, e.g. the
      authors of a paper for ``PAP``): ``ctx_m = sum_j drop(W_{m,j} mean_{c_j}(ELU(drop(fc_t(x_t)))))``,
      fine views ``ELU(h + ctx_m)`` and ``ELU(h_masked + ctx_m)``;
    * one GCN (:class:`~graphcl.hetero.layers.MEOWGCN`) shared by every view encodes the fine views on the PathSim
      top-k meta-path graph (and on its edge-dropped copy for the masked view) and the coarse
      view ``h`` on the mean of the normalised meta-path graphs;
    * the ``2P`` fine embeddings are L2-normalised and fused by semantic attention: that fusion
      is the node embedding.

    Args:
        target: target node type.
        num_nodes: nodes per node type (target and every context type).
        in_dims: feature width per node type (``None``: featureless, an embedding table).
        contexts: per meta-path, the node type of each context position.
        hidden_dim: width of every layer.
        dropout: dropout rate (features, context aggregation, GCN, attention).
    """

    def __init__(self, target: str, num_nodes: dict[str, int], in_dims: dict[str, int | None],
                 contexts: list[list[str]], hidden_dim: int = 64, dropout: float = 0.2):
        super().__init__()
        self.target = target
        types = [target] + sorted({t for ctx in contexts for t in ctx} - {target})
        self.fc = nn.ModuleDict({t: TypeEncoder(num_nodes[t], in_dims[t], hidden_dim) for t in types})
        self.agg = nn.ModuleList(
            nn.ModuleList(nn.Linear(hidden_dim, hidden_dim, bias=False) for _ in ctx) for ctx in contexts
        )
        self.context_types = contexts
        self.gcn = MEOWGCN(hidden_dim, hidden_dim, hidden_dim, dropout)
        self.att = SemanticAttention(hidden_dim, dropout)
        self.dropout = nn.Dropout(dropout)

    def _h(self, t: str, x: dict, node_mask=None) -> torch.Tensor:
        return F.elu(self.dropout(self.fc[t](x.get(t), node_mask)))

    def forward(self, x: dict, x_masked_target, node_mask, chains: list[list[list[torch.Tensor]]],
                adjs: list[torch.Tensor], masked_adjs: list[torch.Tensor], coarse_adj: torch.Tensor):
        """Returns ``(z_coarse [N, D], fine [2P x [N, D]] normalised, embedding [N, D])``.

        ``chains[m][j]``: incidence chain of context ``j`` of meta-path ``m``;
        ``x_masked_target``: masked target features (or ``None`` with ``node_mask`` for
        featureless targets)."""
        h = self._h(self.target, x)
        masked_inputs = dict(x)
        masked_inputs[self.target] = x_masked_target
        h_mask = self._h(self.target, masked_inputs, node_mask)
        h_types = {t: self._h(t, x) for t in self.fc if t != self.target}
        h_types[self.target] = h
        fine = []
        for m, (ctx_types, ctx_chains) in enumerate(zip(self.context_types, chains)):
            ctx = sum(self.dropout(self.agg[m][j](mean_over_contexts(chain, h_types[t])))
                      for j, (t, chain) in enumerate(zip(ctx_types, ctx_chains)))
            fine.append(self.gcn(F.elu(h + ctx), adjs[m]))
            fine.append(self.gcn(F.elu(h_mask + ctx), masked_adjs[m]))
        fine = [F.normalize(z, dim=1) for z in fine]
        z_coarse = self.gcn(h, coarse_adj)
        return z_coarse, fine, self.att(fine)

    @torch.no_grad()
    def embed(self, inputs, project: nn.Module | None = None) -> torch.Tensor:
        """Fused fine-grained embedding ``[N, D]`` of ``inputs`` (a :class:`MEOWInputs`), without
        dropout; with ``project``, its unit-norm projection :func:`project_unit` instead."""
        was = self.training
        self.eval()
        z = self(*inputs.encoder_args())[2]
        self.train(was)
        return (z if project is None else project_unit(project, z)).detach()


def check_embedding(embedding: str) -> str:
    """``embedding`` if it is one of :data:`EMBEDDINGS`, else a ``ValueError`` listing them."""
    if embedding not in EMBEDDINGS:
        raise ValueError(f"embedding must be one of {EMBEDDINGS}, got {embedding!r}")
    return embedding


def project_unit(project: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """``normalize(tanh(project(z)))``: the official projection feeding MEOW's and AdaMEOW's losses."""
    return F.normalize(torch.tanh(project(z)), dim=1)
