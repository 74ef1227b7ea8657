"""Per-node-type input transform: a linear map of features, or an embedding table."""
from __future__ import annotations

import torch
from torch import nn


class TypeEncoder(nn.Module):
    """Map the nodes of one type to ``out_dim``: ``Linear(x)`` when the type has features, an
    ``Embedding`` (= a linear map of one-hot features, as HeCo uses for featureless types)
    otherwise.

    Args:
        num_nodes: nodes of this type.
        in_dim: feature width, or ``None`` for featureless types.
        out_dim: output width.
        xavier_gain: if set, Xavier-normal initialisation with this gain (HeCo uses 1.414).
    """

    def __init__(self, num_nodes: int, in_dim: int | None, out_dim: int, xavier_gain: float | None = None):
        super().__init__()
        self.num_nodes = num_nodes
        if in_dim is None:
            self.embed = nn.Embedding(num_nodes, out_dim)
            nn.init.xavier_normal_(self.embed.weight, gain=xavier_gain or 1.0)
            self.bias = nn.Parameter(torch.zeros(out_dim))
            self.linear = None
        else:
            self.linear = nn.Linear(in_dim, out_dim)
            if xavier_gain is not None:
                nn.init.xavier_normal_(self.linear.weight, gain=xavier_gain)
            self.embed = None

    def forward(self, x: torch.Tensor | None, node_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: features (ignored for embedding tables). ``node_mask``: ``[N]`` 0/1 factors
        zeroing the one-hot input of masked nodes (feature masking for featureless types)."""
        if self.linear is not None:
            if x is None:
                raise ValueError("this node type was built with features; pass its feature matrix")
            return self.linear(x)
        h = self.embed.weight
        if node_mask is not None:
            h = h * node_mask[:, None]
        return h + self.bias
