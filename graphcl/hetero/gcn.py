"""Two-layer GCN shared by all of MEOW's views."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class MEOWGCN(nn.Module):
    r"""The GCN encoder of MEOW (Yu et al., arXiv:2212.13847; official ``encoder.GCN``).

    ``H1 = PReLU(A · drop(X W1))``, ``Z = A · drop(H1 W2)``, then ``Z`` is standardised over
    all of its entries (the official code applies a LayerNorm whose shape is the whole matrix).

    Args:
        in_dim: input width.
        hidden_dim: width after the first layer.
        out_dim: output width.
        dropout: dropout applied to ``X W`` in each layer.
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, dropout: float = 0.2):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(in_dim, hidden_dim))
        self.w2 = nn.Parameter(torch.empty(hidden_dim, out_dim))
        for w in (self.w1, self.w2):  # official reset_parameters: U(-1/sqrt(out), 1/sqrt(out))
            bound = 1.0 / math.sqrt(w.size(1))
            nn.init.uniform_(w, -bound, bound)
        self.act = nn.PReLU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, adj) -> torch.Tensor:
        """``adj``: a :class:`~graphcl.hetero.spmm.SparseOperator` or torch sparse matrix."""
        h = self.act(adj @ self.dropout(x @ self.w1))
        z = adj @ self.dropout(h @ self.w2)
        return F.layer_norm(z, tuple(z.shape), eps=1e-5)
