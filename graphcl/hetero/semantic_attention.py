"""Semantic-level attention over several embeddings of the same nodes."""
from __future__ import annotations

import torch
from torch import nn


class SemanticAttention(nn.Module):
    r"""Semantic attention of HAN (Wang et al., WWW 2019) as used by HeCo and MEOW.

    ``beta_m = softmax_m( a^T · mean_i tanh(W z^m_i + b) )``, output ``sum_m beta_m z^m``.

    Args:
        dim: embedding width.
        attn_drop: dropout on the attention vector ``a``.
    """

    def __init__(self, dim: int, attn_drop: float = 0.0):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        nn.init.xavier_normal_(self.fc.weight, gain=1.414)
        self.att = nn.Parameter(torch.empty(1, dim))
        nn.init.xavier_normal_(self.att, gain=1.414)
        self.attn_drop = nn.Dropout(attn_drop)
        self.last_weights: torch.Tensor | None = None

    def forward(self, embeds: list[torch.Tensor]) -> torch.Tensor:
        att = self.attn_drop(self.att)
        scores = torch.stack([(att @ torch.tanh(self.fc(z)).mean(dim=0)).squeeze() for z in embeds])
        beta = torch.softmax(scores, dim=0)
        self.last_weights = beta.detach()
        return sum(b * z for b, z in zip(beta, embeds))
