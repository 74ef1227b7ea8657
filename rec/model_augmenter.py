"""Learnable model augmenter of MCLRec: an MLP on the encoder output, L2-normalised."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ModelAugmenter(nn.Module):
    """Qin et al., "Meta-optimized Contrastive Learning for Sequential Recommendation" (SIGIR 2023):
    a learnable augmenter maps a sequence representation to a new view. The official code
    (``Extractor([64, 32, 16, 64], "gelu")``) is three linear layers with GELU between them and an
    L2 normalisation of the output; ``hidden=[32, 16]`` with ``dim=64`` reproduces it.

    Args:
        dim: input and output width (the encoder's hidden size).
        hidden: widths of the hidden layers.
    """

    def __init__(self, dim: int, hidden: list[int]):
        super().__init__()
        if dim < 1 or not hidden or any(h < 1 for h in hidden):
            raise ValueError(f"ModelAugmenter needs dim >= 1 and hidden widths >= 1, got dim={dim}, hidden={hidden}")
        widths = [dim, *hidden, dim]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index, layer in enumerate(self.layers):
            x = layer(x)
            if index < len(self.layers) - 1:
                x = F.gelu(x)
        return F.normalize(x, dim=-1)
