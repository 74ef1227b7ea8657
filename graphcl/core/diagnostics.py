"""Alignment and uniformity of embeddings (Wang & Isola, ICML 2020)."""

from __future__ import annotations

import math

import torch

from graphcl.core._checks import check_embeddings, check_positive_float


def alignment(z1: torch.Tensor, z2: torch.Tensor, alpha: float = 2.0) -> torch.Tensor:
    r"""Alignment of positive pairs, :math:`\mathbb{E}_i \lVert z1_i - z2_i \rVert_2^\alpha` (lower is better).

    Wang & Isola, "Understanding Contrastive Representation Learning through Alignment and
    Uniformity on the Hypersphere", ICML 2020 (official ``align_loss``). Pass L2-normalised
    embeddings to reproduce the paper's numbers (nothing is normalised here).

    Args:
        z1, z2: ``[N, D]`` embeddings of the two sides of each positive pair.
        alpha: exponent > 0 (paper: 2).
    """
    check_embeddings(z1, "z1")
    check_embeddings(z2, "z2", like=z1)
    if z1.shape[0] != z2.shape[0]:
        raise ValueError(f"z1 and z2 must have the same number of rows (pairs), got {z1.shape[0]} and {z2.shape[0]}")
    alpha = check_positive_float(alpha, "alpha")
    return (z1 - z2).norm(p=2, dim=1).pow(alpha).mean()


def uniformity(z: torch.Tensor, t: float = 2.0) -> torch.Tensor:
    r"""Uniformity, :math:`\log \mathbb{E}_{i<j} e^{-t \lVert z_i - z_j \rVert_2^2}` (lower is better).

    Wang & Isola, ICML 2020 (official ``uniform_loss``), computed stably with logsumexp over the
    N(N-1)/2 pairs. Pass L2-normalised embeddings; the value is in ``[-4t, 0]`` for unit vectors.

    Args:
        z: ``[N, D]`` embeddings, N >= 2.
        t: scale > 0 (paper: 2).
    """
    check_embeddings(z, "z")
    if z.shape[0] < 2:
        raise ValueError("uniformity needs at least 2 rows (it averages over pairs)")
    t = check_positive_float(t, "t")
    sq = torch.pdist(z, p=2).pow(2)
    return torch.logsumexp(-t * sq, dim=0) - math.log(sq.numel())
