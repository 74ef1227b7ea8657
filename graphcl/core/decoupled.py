"""Decoupled contrastive loss (DCL): the positive is removed from the denominator."""

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
    similarity_inputs,
)


class DecoupledInfoNCE(nn.Module):
    r"""Decoupled contrastive learning loss (DCL / DCLW).

    Yeh et al., "Decoupled Contrastive Learning", ECCV 2022. For views ``z1, z2`` of B samples and
    anchor ``z1_i``, the negatives are all other samples in both views (2B - 2 of them) and the
    positive is *not* in the denominator:

    .. math::
        \ell_i = -w_i\, s(z1_i, z2_i)/\tau
                 + \log \sum_{k\ne i} \big(e^{s(z1_i, z1_k)/\tau} + e^{s(z1_i, z2_k)/\tau}\big)

    ``w_i = 1`` for DCL; with ``weight_sigma`` = :math:`\sigma` (DCLW) the von Mises-Fisher weight
    :math:`w_i = 2 - B\,\mathrm{softmax}_k(s(z1_k, z2_k)/\sigma)_i`, differentiated through as in the
    official ``DCLW`` (which computes it from the same embeddings without detaching).
    With ``symmetric=True`` the loss is the mean of the z1->z2 and z2->z1 directions (the official
    code sums them: multiply by 2 to match).

    Args:
        temperature: :math:`\tau > 0`.
        similarity: ``"cosine"`` (default, the paper normalises) or ``"dot"``.
        weight_sigma: ``None`` for DCL, :math:`\sigma > 0` for DCLW (paper: 0.5).
        symmetric: average both directions (default) or use z1 as anchors only.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (``[B]``, averaged over directions).

    Forward:
        z1, z2: ``[B, D]`` two views, B >= 2.

    Example:
        >>> DecoupledInfoNCE(temperature=0.1)(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    def __init__(
        self,
        temperature: float = 0.1,
        similarity: str = "cosine",
        weight_sigma: float | None = None,
        symmetric: bool = True,
        reduction: str = "mean",
    ):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        self.similarity = check_choice(similarity, "similarity", SIMILARITIES)
        self.weight_sigma = None if weight_sigma is None else check_positive_float(weight_sigma, "weight_sigma")
        self.symmetric = bool(symmetric)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def forward(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        check_two_views(z1, z2, "DecoupledInfoNCE")
        a, b = similarity_inputs(z1, z2, self.similarity)
        per_row = self._direction(a, b)
        if self.symmetric:
            per_row = 0.5 * (per_row + self._direction(b, a))
        return reduce(per_row, self.reduction)

    def _direction(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        cross = a @ b.t() / self.temperature
        positive = cross.diagonal()
        if self.weight_sigma is not None:
            vmf = torch.softmax(positive * self.temperature / self.weight_sigma, dim=0)
            positive = positive * (2.0 - a.shape[0] * vmf)
        same = a @ a.t() / self.temperature
        eye = torch.eye(a.shape[0], dtype=torch.bool, device=a.device)
        negatives = torch.cat([same.masked_fill(eye, float("-inf")), cross.masked_fill(eye, float("-inf"))], dim=1)
        return torch.logsumexp(negatives, dim=1) - positive
