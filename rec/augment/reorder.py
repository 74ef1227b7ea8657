"""Item reorder (CL4SRec): shuffle a random contiguous window of the sequence."""
from __future__ import annotations

import torch

from rec.augment._checks import check_batch, uniform, window_starts


def reorder(item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float,
            generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Randomly permute a window of ``floor(rate * n)`` consecutive items; lengths unchanged.

    Xie et al., "Contrastive Learning for Sequential Recommendation" (ICDE 2022), item reorder
    with ratio beta. Batched: every position gets a sort key equal to its index, positions
    inside the window get ``start + U[0, w)`` instead, and sorting the keys yields the
    permutation (outside keys are integers outside ``[start, start + w)``, so they never move).
    The input is never modified.

    Args:
        item_seq: ``[B, L]`` item ids, left-aligned, 0 = padding.
        item_seq_len: ``[B]`` number of items per row.
        rate: beta in [0, 1], the fraction of the items in the shuffled window.
        generator: torch generator (``None``: the global RNG).

    Returns:
        ``(new_seq [B, L], item_seq_len)``: a fresh sequence tensor and the lengths.
    """
    check_batch(item_seq, item_seq_len, rate, "reorder rate")
    lengths = item_seq_len.long()
    width = torch.floor(lengths.float() * rate).long()
    start = window_starts(lengths, width, generator, item_seq.device)
    positions = torch.arange(item_seq.shape[1], device=item_seq.device).expand_as(item_seq)
    inside = (positions >= start.unsqueeze(1)) & (positions < (start + width).unsqueeze(1))
    # float64 and a stable sort: a key rounding up to start + w still keeps the outside order
    noise = uniform(item_seq.shape, generator, item_seq.device).double() * width.unsqueeze(1).double()
    keys = torch.where(inside, start.unsqueeze(1).double() + noise, positions.double())
    return item_seq.gather(1, keys.argsort(dim=1, stable=True)), item_seq_len.clone()
