"""The SASRec Transformer encoder in plain torch, equal to RecBole 1.2.1's ``TransformerEncoder``.

Kang & McAuley, "Self-Attentive Sequential Recommendation" (ICDM 2018), in RecBole's form
(post-norm blocks: attention -> dropout -> residual -> LayerNorm, then GELU feed-forward ->
dropout -> residual -> LayerNorm; additive mask of -10000). Module and parameter names are
RecBole's, so state dicts load both ways (a test copies weights and compares outputs).

One addition: :meth:`TransformerEncoder.forward` can compute the *last* block only at given
positions (``query_positions``). A recommender that reads one output per sequence (the last
item's) needs the keys and values of every position in the last block, but the queries, the
attention output and the feed-forward only at that position: about 40% of a 2-block encoder.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    # RecBole's exact (erf) GELU, x * 0.5 * (1 + erf(x / sqrt 2)): the fused kernel computes the
    # same function with one pass forward and one backward (the lambda took ~12 elementwise
    # passes over [B, L, inner], 3x slower on one CPU thread)
    "gelu": F.gelu,
    "relu": F.relu,
    "swish": lambda x: x * torch.sigmoid(x),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


class FastDropout(nn.Dropout):
    """Same distribution as :class:`torch.nn.Dropout` (Srivastava et al., JMLR 2014): keep each
    entry with probability ``1 - p`` and scale kept entries by ``1 / (1 - p)``. On CPU,
    ``bernoulli_`` (used by ``nn.Dropout``) took a quarter of a SASRec training step in our
    profile; a uniform draw and a comparison cost half as much. On CUDA it defers to
    ``nn.Dropout`` (fused kernel).

    Args:
        p: drop probability in [0, 1).
        inplace: unused on the CPU path (kept for ``nn.Dropout`` compatibility).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0 or x.is_cuda:
            return super().forward(x)
        keep = torch.rand_like(x) >= self.p
        return x * keep * (1.0 / (1.0 - self.p))


def use_fast_dropout(module: nn.Module) -> int:
    """Replace every plain ``nn.Dropout`` inside ``module`` by :class:`FastDropout`; returns the count."""
    count = 0
    for parent in module.modules():
        for name, child in list(parent.named_children()):
            if type(child) is nn.Dropout:
                setattr(parent, name, FastDropout(child.p))
                count += 1
    return count


def causal_padding_mask(item_seq: torch.Tensor) -> torch.Tensor:
    """``[B, 1, L, L]`` additive mask: 0 where query ``i`` may attend key ``j`` (``j <= i`` and
    ``j`` is an item), -10000 elsewhere (RecBole's ``get_attention_mask``)."""
    keys = (item_seq != 0).unsqueeze(1).unsqueeze(2)
    allowed = torch.tril(keys.expand(-1, -1, item_seq.size(-1), -1))
    return torch.where(allowed, 0.0, -10000.0)


class MultiHeadAttention(nn.Module):
    """Self-attention block with dropout, residual and LayerNorm (RecBole's layout).

    Args:
        n_heads: attention heads (must divide ``hidden_size``).
        hidden_size: model width.
        hidden_dropout_prob: dropout on the block output.
        attn_dropout_prob: dropout on the attention probabilities.
        layer_norm_eps: LayerNorm epsilon.
    """

    def __init__(
        self,
        n_heads: int,
        hidden_size: int,
        hidden_dropout_prob: float,
        attn_dropout_prob: float,
        layer_norm_eps: float,
    ):
        super().__init__()
        if hidden_size % n_heads:
            raise ValueError(f"hidden_size ({hidden_size}) must be a multiple of n_heads ({n_heads})")
        self.n_heads, self.head_size = n_heads, hidden_size // n_heads
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)
        self.value = nn.Linear(hidden_size, hidden_size)
        self.attn_dropout = nn.Dropout(attn_dropout_prob)
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.out_dropout = nn.Dropout(hidden_dropout_prob)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(*x.shape[:-1], self.n_heads, self.head_size).transpose(1, 2)  # [B, h, L, d]

    def forward(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, queries: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``hidden [B, L, H]``, ``attention_mask [B, 1, Lq, L]``; ``queries [B, Lq, H]``: the rows
        that attend (default: all of ``hidden``). Returns ``[B, Lq, H]``."""
        queries = hidden if queries is None else queries
        q, k, v = self._heads(self.query(queries)), self._heads(self.key(hidden)), self._heads(self.value(hidden))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_size) + attention_mask
        context = self.attn_dropout(torch.softmax(scores, dim=-1)) @ v
        context = context.transpose(1, 2).reshape(*queries.shape)
        return self.LayerNorm(self.out_dropout(self.dense(context)) + queries)


class FeedForward(nn.Module):
    """Position-wise feed-forward block with dropout, residual and LayerNorm."""

    def __init__(
        self, hidden_size: int, inner_size: int, hidden_dropout_prob: float, hidden_act: str, layer_norm_eps: float
    ):
        super().__init__()
        if hidden_act not in ACTIVATIONS:
            raise ValueError(f"hidden_act must be one of {sorted(ACTIVATIONS)}, got {hidden_act!r}")
        self.dense_1 = nn.Linear(hidden_size, inner_size)
        self.intermediate_act_fn = ACTIVATIONS[hidden_act]
        self.dense_2 = nn.Linear(inner_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        inner = self.intermediate_act_fn(self.dense_1(hidden))
        return self.LayerNorm(self.dropout(self.dense_2(inner)) + hidden)


class TransformerLayer(nn.Module):
    """Attention block then feed-forward block."""

    def __init__(
        self, n_heads, hidden_size, inner_size, hidden_dropout_prob, attn_dropout_prob, hidden_act, layer_norm_eps
    ):
        super().__init__()
        self.multi_head_attention = MultiHeadAttention(
            n_heads, hidden_size, hidden_dropout_prob, attn_dropout_prob, layer_norm_eps
        )
        self.feed_forward = FeedForward(hidden_size, inner_size, hidden_dropout_prob, hidden_act, layer_norm_eps)

    def forward(self, hidden, attention_mask, queries=None):
        return self.feed_forward(self.multi_head_attention(hidden, attention_mask, queries))


class TransformerEncoder(nn.Module):
    """A stack of :class:`TransformerLayer` (RecBole's ``TransformerEncoder``, same defaults).

    Args:
        n_layers: blocks (2).
        n_heads: attention heads (2).
        hidden_size: width (64).
        inner_size: feed-forward width (256).
        hidden_dropout_prob: dropout on block outputs (0.5).
        attn_dropout_prob: dropout on attention probabilities (0.5).
        hidden_act: ``gelu`` (erf form), ``relu``, ``swish``, ``tanh`` or ``sigmoid``.
        layer_norm_eps: LayerNorm epsilon (1e-12).
    """

    def __init__(
        self,
        n_layers: int = 2,
        n_heads: int = 2,
        hidden_size: int = 64,
        inner_size: int = 256,
        hidden_dropout_prob: float = 0.5,
        attn_dropout_prob: float = 0.5,
        hidden_act: str = "gelu",
        layer_norm_eps: float = 1e-12,
    ):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        layer = TransformerLayer(
            n_heads, hidden_size, inner_size, hidden_dropout_prob, attn_dropout_prob, hidden_act, layer_norm_eps
        )
        # copies of one layer, as RecBole builds them: the same seed gives the same weights
        self.layer = nn.ModuleList(copy.deepcopy(layer) for _ in range(n_layers))

    def forward(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, query_positions: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Encode ``hidden [B, L, H]`` under ``attention_mask [B, 1, L, L]``.

        Returns ``[B, L, H]``, or with ``query_positions [B]`` only the output at each row's
        position, ``[B, H]`` (the same numbers, without the last block's work elsewhere).
        """
        last = len(self.layer) - 1
        for index, layer in enumerate(self.layer):
            if index == last and query_positions is not None:
                rows = torch.arange(hidden.shape[0], device=hidden.device)
                queries = hidden[rows, query_positions].unsqueeze(1)  # [B, 1, H]
                mask = attention_mask[rows, :, query_positions].unsqueeze(2)  # [B, 1, 1, L]
                return layer(hidden, mask, queries).squeeze(1)
            hidden = layer(hidden, attention_mask)
        return hidden
