"""Learnable sample synthesis: SRA-CL's cross-sequence positive.

SRA-CL (Cui et al., NeurIPS 2025, Sec. "inter-sequence contrastive learning") builds the
positive of a user's sequence as an attention-weighted sum of the encoded sequences of its k
semantically retrieved users. The attention is GAT-style over the users' semantic
embeddings: ``e_j = LeakyReLU(a^T [W s_u || W s_j])``, ``w = softmax_j(e_j)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SampleSynthesis(nn.Module):
    """Attention over retrieved users' sequence representations.

    Args:
        semantic_dim: size of the users' semantic (text) embeddings.
        hidden_size: size of the sequence representations (the recommender's hidden size).
        neighbour_dropout: probability of dropping a retrieved user during training (the
            official code drops attention weights with p=0.5; here a dropped neighbour gets
            weight 0 and the rest are renormalised, so weights always sum to one; at least
            one neighbour is always kept).
        negative_slope: LeakyReLU slope (0.2 as in GAT and the official code).
    """

    def __init__(
        self, semantic_dim: int, hidden_size: int, neighbour_dropout: float = 0.5, negative_slope: float = 0.2
    ):
        super().__init__()
        if semantic_dim < 1 or hidden_size < 1:
            raise ValueError(f"semantic_dim and hidden_size must be >= 1, got {semantic_dim}, {hidden_size}")
        if not 0.0 <= neighbour_dropout < 1.0:
            raise ValueError(f"neighbour_dropout must lie in [0, 1), got {neighbour_dropout}")
        self.project = nn.Linear(semantic_dim, hidden_size, bias=False)
        self.attention = nn.Linear(2 * hidden_size, 1, bias=False)
        self.neighbour_dropout = neighbour_dropout
        self.negative_slope = negative_slope
        nn.init.xavier_uniform_(self.project.weight, gain=1.414)
        nn.init.xavier_uniform_(self.attention.weight, gain=1.414)

    def weights(self, anchor_semantic: torch.Tensor, neighbour_semantic: torch.Tensor) -> torch.Tensor:
        """Attention weights ``[B, k]`` (non-negative, rows sum to one).

        Args:
            anchor_semantic: ``[B, Ds]`` semantic embeddings of the anchor users.
            neighbour_semantic: ``[B, k, Ds]`` semantic embeddings of their retrieved users.
        """
        if anchor_semantic.dim() != 2 or neighbour_semantic.dim() != 3:
            raise ValueError("anchor_semantic must be [B, Ds] and neighbour_semantic [B, k, Ds]")
        if (
            neighbour_semantic.shape[0] != anchor_semantic.shape[0]
            or neighbour_semantic.shape[2] != anchor_semantic.shape[1]
        ):
            raise ValueError(
                f"shape mismatch: anchor {tuple(anchor_semantic.shape)}, neighbours {tuple(neighbour_semantic.shape)}"
            )
        a = self.project(anchor_semantic).unsqueeze(1).expand(-1, neighbour_semantic.size(1), -1)
        n = self.project(neighbour_semantic)
        logits = F.leaky_relu(self.attention(torch.cat([a, n], dim=-1)).squeeze(-1), self.negative_slope)
        if self.training and self.neighbour_dropout > 0:
            drop = torch.rand_like(logits) < self.neighbour_dropout
            keep_one = F.one_hot(logits.argmax(1), logits.size(1)).bool()
            drop &= ~keep_one  # never drop every neighbour of a row
            logits = logits.masked_fill(drop, float("-inf"))
        return torch.softmax(logits, dim=1)

    def forward(
        self, anchor_semantic: torch.Tensor, neighbour_semantic: torch.Tensor, neighbour_repr: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(synthesised [B, H], weights [B, k])``.

        Args:
            anchor_semantic: ``[B, Ds]``.
            neighbour_semantic: ``[B, k, Ds]``.
            neighbour_repr: ``[B, k, H]`` encoded sequences of the retrieved users.
        """
        w = self.weights(anchor_semantic, neighbour_semantic)
        if neighbour_repr.dim() != 3 or neighbour_repr.shape[:2] != w.shape:
            raise ValueError(
                f"neighbour_repr must be [B, k, H] with B, k = {tuple(w.shape)}, got {tuple(neighbour_repr.shape)}"
            )
        return (w.unsqueeze(-1) * neighbour_repr).sum(1), w
