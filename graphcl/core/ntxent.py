"""NT-Xent over the 2B views of a batch (SimCLR; CL4SRec / MCLRec in-batch form)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core._checks import (
    REDUCTIONS,
    SIMILARITIES,
    check_choice,
    check_positive_float,
    check_two_views,
    reduce,
    two_view_logits,
)


class NTXent(nn.Module):
    r"""Normalised-temperature cross entropy with in-batch negatives.

    SimCLR (Chen et al., ICML 2020) as used by CL4SRec (Xie et al., ICDE 2022) and MCLRec
    (Qin et al., SIGIR 2023), matching their official ``info_nce``: the two views are stacked into
    ``z = [z1; z2]`` (2B rows), ``sim = z z^T / t`` (or cosine / t), the diagonal is masked out and
    each row is a cross entropy whose target is the other view of the same sequence. Each row
    therefore has 1 positive and 2B - 2 negatives:

    .. math::
        \ell_i = -\log \frac{e^{s_{i,i\pm B}/t}}{\sum_{j \ne i} e^{s_{ij}/t}}, \qquad
        L = \frac{1}{2B} \sum_{i=1}^{2B} \ell_i

    Args:
        temperature: :math:`t > 0` (CL4SRec uses 1.0 with dot products).
        similarity: ``"dot"`` (CL4SRec default) or ``"cosine"``.
        reduction: ``"mean"`` over the 2B rows, ``"sum"``, or ``"none"`` (``[2B]``: rows of ``z1``
            then rows of ``z2``).

    Forward:
        z1, z2: ``[B, D]`` views of the same B sequences, B >= 2.

    Example:
        >>> NTXent()(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 1.0, similarity: str = "dot", reduction: str = "mean"):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        self.similarity = check_choice(similarity, "similarity", SIMILARITIES)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, similarity={self.similarity!r}, reduction={self.reduction!r}"

    def forward(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        b = check_two_views(z1, z2, "NTXent", why="it has 2B - 2 in-batch negatives")
        logits = two_view_logits(z1, z2, self.similarity, self.temperature)
        logits = logits.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=z1.device), float("-inf"))
        target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(z1.device)
        return reduce(F.cross_entropy(logits, target, reduction="none"), self.reduction)
