"""Item mask (CL4SRec): replace a random subset of the items by a mask token."""
from __future__ import annotations

import torch

from rec.augment._checks import check_batch, uniform


def mask(item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float, mask_token: int,
         generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Replace ``floor(rate * n)`` distinct items of each row by ``mask_token``; lengths unchanged.

    Xie et al., "Contrastive Learning for Sequential Recommendation" (ICDE 2022), item mask with
    ratio gamma. Positions are drawn without replacement, uniformly among the row's items
    (random keys, ranked). The input is never modified.

    Args:
        item_seq: ``[B, L]`` item ids, left-aligned, 0 = padding.
        item_seq_len: ``[B]`` number of items per row.
        rate: gamma in [0, 1], the fraction of the items masked.
        mask_token: id written at masked positions (CL4SRec: a dedicated [mask] id,
            ``num_items + 1``; MCLRec's official code: 0).
        generator: torch generator (``None``: the global RNG).

    Returns:
        ``(new_seq [B, L], item_seq_len)``: a fresh sequence tensor and the lengths.
    """
    check_batch(item_seq, item_seq_len, rate, "mask rate")
    lengths = item_seq_len.long()
    positions = torch.arange(item_seq.shape[1], device=item_seq.device)
    valid = positions < lengths.unsqueeze(1)
    keys = uniform(item_seq.shape, generator, item_seq.device).masked_fill(~valid, 2.0)
    rank = keys.argsort(dim=1).argsort(dim=1)  # rank of each position's key within its row
    n_mask = torch.floor(lengths.float() * rate).long()
    chosen = rank < n_mask.unsqueeze(1)
    out = item_seq.masked_fill(chosen, mask_token)
    return out, item_seq_len.clone()
