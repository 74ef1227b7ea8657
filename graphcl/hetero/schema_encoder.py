"""HeCo's network-schema view: sampled neighbours of each type, intra- and inter-type attention."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.hetero.semantic_attention import SemanticAttention


def sample_neighbors(ptr: torch.Tensor, col: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """``[N, k]`` neighbour ids per row of the CSR graph ``(ptr, col)``: without replacement when a
    node has at least ``k`` neighbours, with replacement otherwise (HeCo's sampling)."""
    n = ptr.numel() - 1
    deg = ptr[1:] - ptr[:-1]
    if (deg == 0).any():
        bad = (deg == 0).nonzero().flatten()[:5].tolist()
        raise ValueError(f"nodes {bad} have no network-schema neighbour; HeCo needs at least one per type")
    row = torch.repeat_interleave(torch.arange(n), deg)
    # without replacement: random key per edge, keep the k smallest keys of each row
    keys = torch.rand(row.numel(), generator=generator)
    order = torch.argsort(keys)
    order = order[torch.argsort(row[order], stable=True)]
    rank = torch.arange(row.numel()) - ptr[:-1][row[order]]
    picked = order[rank < k]
    out = torch.empty(n, k, dtype=torch.long)
    full = deg >= k
    out[full] = col[picked[full[row[picked]]]].view(-1, k)
    # with replacement for nodes of low degree
    low = (~full).nonzero().flatten()
    if low.numel():
        offs = (torch.rand(low.numel(), k, generator=generator) * deg[low, None]).long()
        out[low] = col[ptr[low, None] + offs]
    return out


class SchemaEncoder(nn.Module):
    r"""Network-schema view encoder of HeCo (Wang et al., KDD 2021, Sec. 4.2).

    For each neighbour type ``t``: sample ``s_t`` neighbours, attend over them with
    ``alpha = softmax(LeakyReLU(a_t^T [h_i || h_j]))``, apply ELU; fuse the types by semantic
    attention.

    Args:
        hidden_dim: embedding width.
        sample_rate: neighbours sampled per type.
        attn_drop: dropout on the attention vectors.
    """

    def __init__(self, hidden_dim: int, sample_rate: list[int], attn_drop: float = 0.0):
        super().__init__()
        self.sample_rate = list(sample_rate)
        self.intra = nn.ParameterList()
        for _ in sample_rate:
            a = nn.Parameter(torch.empty(1, 2 * hidden_dim))
            nn.init.xavier_normal_(a, gain=1.414)
            self.intra.append(a)
        self.attn_drop = nn.Dropout(attn_drop)
        self.inter = SemanticAttention(hidden_dim, attn_drop)

    def forward(self, h_target: torch.Tensor, h_neighbors: list[torch.Tensor], neighbors: list[torch.Tensor]) -> torch.Tensor:
        """``neighbors[t]``: ``[N, s_t]`` sampled ids into ``h_neighbors[t]``."""
        embeds = []
        for a, h_nei, idx in zip(self.intra, h_neighbors, neighbors):
            nei = h_nei[idx]  # [N, s, D]
            ref = h_target[:, None, :].expand_as(nei)
            att = F.leaky_relu(torch.cat([ref, nei], dim=-1) @ self.attn_drop(a).t())
            att = torch.softmax(att, dim=1)
            embeds.append(F.elu((att * nei).sum(dim=1)))
        return self.inter(embeds)
