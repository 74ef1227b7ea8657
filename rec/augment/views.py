"""Two random augmented views per sequence, batched (CL4SRec / MCLRec data augmentation)."""
from __future__ import annotations

import torch

from rec.augment._checks import uniform
from rec.augment.registry import get_augmenter


def augment_views(item_seq: torch.Tensor, item_seq_len: torch.Tensor, names: list[str],
                  rates: dict[str, float], generator: torch.Generator | None = None,
                  distinct: bool = False, **context) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Draw an augmenter per row and per view, apply it, return both views.

    CL4SRec (Xie et al., ICDE 2022) draws each view's augmenter independently; MCLRec's official
    loader (Qin et al., SIGIR 2023) draws two *different* ones (``distinct=True``). Each augmenter
    runs once per view on the whole batch and rows pick their own result (no Python loop over
    rows).

    Args:
        item_seq: ``[B, L]`` item ids, left-aligned, 0 = padding.
        item_seq_len: ``[B]`` lengths.
        names: augmenter names (see :data:`rec.augment.AUGMENTERS`).
        rates: rate per name (``{"crop": 0.2, ...}``); a missing name gets 0.
        generator: torch generator (``None``: the global RNG).
        distinct: the two views use different augmenters (needs ``len(names) >= 2``).
        **context: passed to every augmenter (``mask_token`` for ``mask``).

    Returns:
        ``(seq1, len1, seq2, len2)``.
    """
    if not names:
        raise ValueError("names must list at least one augmenter")
    if distinct and len(names) < 2:
        raise ValueError("distinct views need at least two augmenters")
    fns = [get_augmenter(n) for n in names]
    k, device = len(names), item_seq.device
    first = (uniform(item_seq_len.shape, generator, device) * k).long().clamp(max=k - 1)
    if distinct:  # second draw among the k - 1 others
        offset = 1 + (uniform(item_seq_len.shape, generator, device) * (k - 1)).long().clamp(max=k - 2)
        second = (first + offset) % k
    else:
        second = (uniform(item_seq_len.shape, generator, device) * k).long().clamp(max=k - 1)
    views = []
    for choice in (first, second):
        seq, lens = item_seq.clone(), item_seq_len.clone()
        for index, (name, fn) in enumerate(zip(names, fns)):
            rows = choice == index
            if bool(rows.any()):
                new_seq, new_len = fn(item_seq, item_seq_len, rates.get(name, 0.0), generator, **context)
                seq = torch.where(rows.unsqueeze(1), new_seq, seq)
                lens = torch.where(rows, new_len.to(lens.dtype), lens)
        views += [seq, lens]
    return tuple(views)
