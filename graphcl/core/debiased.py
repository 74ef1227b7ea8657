"""Debiased contrastive loss (Chuang et al. 2020)."""

from __future__ import annotations

import torch
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


class DebiasedInfoNCE(nn.Module):
    r"""Debiased contrastive loss: corrects the negative term for false negatives.

    Chuang et al., "Debiased Contrastive Learning", NeurIPS 2020 (official ``criterion``). The two
    views are stacked to 2B rows; row ``i`` has positive ``p_i = e^{s(i, i\pm B)/t}`` and the
    ``N = 2B - 2`` negatives ``e^{s_{ij}/t}`` (``j \ne i, i \pm B``). With class prior
    :math:`\tau^+` the negative mass is estimated as

    .. math::
        N_g = \max\Big(\frac{\sum_j e^{s_{ij}/t} - \tau^+ N p_i}{1 - \tau^+},\; N e^{-1/t}\Big),
        \qquad \ell_i = -\log \frac{p_i}{p_i + N_g}

    (the clamp is the smallest value the sum can take with cosine similarity). ``tau_plus = 0`` is
    the standard (biased) NT-Xent with the positive in the denominator.

    Args:
        temperature: :math:`t > 0` (paper: 0.5).
        tau_plus: class prior :math:`\tau^+ \in [0, 1)` (paper: 0.1).
        similarity: ``"cosine"`` (default, required for the clamp to be meaningful) or ``"dot"``.
        reduction: ``"mean"`` over the 2B rows, ``"sum"``, or ``"none"`` (``[2B]``).

    Forward:
        z1, z2: ``[B, D]`` two views, B >= 2.

    Example:
        >>> DebiasedInfoNCE(tau_plus=0.1)(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    def __init__(
        self, temperature: float = 0.5, tau_plus: float = 0.1, similarity: str = "cosine", reduction: str = "mean"
    ):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        if isinstance(tau_plus, bool) or not isinstance(tau_plus, (int, float)) or not 0 <= tau_plus < 1:
            raise ValueError(f"tau_plus must be a number in [0, 1), got {tau_plus!r}")
        self.tau_plus = float(tau_plus)
        self.similarity = check_choice(similarity, "similarity", SIMILARITIES)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def forward(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        b = check_two_views(z1, z2, "DebiasedInfoNCE")
        logits = two_view_logits(z1, z2, self.similarity, self.temperature)
        idx = torch.arange(2 * b, device=z1.device)
        partner = (idx + b) % (2 * b)
        positive = logits[idx, partner]
        excluded = torch.zeros(2 * b, 2 * b, dtype=torch.bool, device=z1.device)
        excluded[idx, idx] = True
        excluded[idx, partner] = True
        # Shift by the row max so exp never overflows; the clamp is shifted the same way.
        shift = logits.detach().amax(dim=1)
        neg_sum = torch.exp(logits - shift[:, None]).masked_fill(excluded, 0.0).sum(dim=1)
        pos = torch.exp(positive - shift)
        n = 2 * b - 2
        estimate = (neg_sum - self.tau_plus * n * pos) / (1.0 - self.tau_plus)
        floor = n * torch.exp(-1.0 / self.temperature - shift)
        estimate = torch.maximum(estimate, floor)
        # log(pos) taken in log space: pos itself may underflow when the positive is far from the max
        return reduce(torch.log(pos + estimate) - (positive - shift), self.reduction)
