"""Item crop (CL4SRec): keep a random contiguous window of the sequence."""
from __future__ import annotations

import torch

from rec.augment._checks import check_batch, window_starts


def crop(item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float,
         generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Keep ``max(1, floor(rate * n))`` consecutive items from a uniform start, left-aligned.

    Xie et al., "Contrastive Learning for Sequential Recommendation" (ICDE 2022), item crop with
    ratio eta. Rows of length 0 stay empty. The input is never modified.

    Args:
        item_seq: ``[B, L]`` item ids, left-aligned, 0 = padding.
        item_seq_len: ``[B]`` number of items per row.
        rate: eta in [0, 1], the fraction of the items kept.
        generator: torch generator for the random starts (``None``: the global RNG).

    Returns:
        ``(new_seq [B, L], new_len [B])``: fresh tensors.
    """
    check_batch(item_seq, item_seq_len, rate, "crop rate")
    lengths = item_seq_len.long()
    keep = torch.where(lengths > 0, torch.floor(lengths.float() * rate).long().clamp(min=1), lengths)
    start = window_starts(lengths, keep, generator, item_seq.device)
    positions = torch.arange(item_seq.shape[1], device=item_seq.device)
    source = (start.unsqueeze(1) + positions).clamp(max=item_seq.shape[1] - 1)
    out = item_seq.gather(1, source)
    out = torch.where(positions < keep.unsqueeze(1), out, torch.zeros_like(out))
    return out, keep.to(item_seq_len.dtype)
