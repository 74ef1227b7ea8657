"""Semantic item substitution: SRA-CL's intra-sequence augmentation.

SRA-CL (Cui et al., NeurIPS 2025, Sec. "intra-sequence contrastive learning") replaces each
item of a sequence, with probability ``rate``, by one of its k semantically nearest items
(chosen uniformly), producing views that keep the user's intent instead of CL4SRec's random
crop/mask/reorder. Pure batched function on padded ``[B, L]`` id tensors (0 = padding).
"""

from __future__ import annotations

import torch


def semantic_substitute(
    item_seq: torch.Tensor,
    item_seq_len: torch.Tensor,
    item_neighbours: torch.Tensor,
    rate: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Return a new ``[B, L]`` tensor where each non-padding item is, with probability ``rate``,
    swapped for a uniformly chosen one of its retrieved neighbours.

    The input is never modified; padding stays padding, so lengths are unchanged.

    Args:
        item_seq: ``[B, L]`` long item ids, 0 = padding (either side).
        item_seq_len: ``[B]`` number of non-padding items per row (checked against ``item_seq``).
        item_neighbours: ``[num_items + 1, k]`` long; row ``i`` holds the candidates for item
            ``i`` (row 0, the padding item, is never read).
        rate: substitution probability per item, in ``[0, 1]`` (0.2 in the paper's code).
        generator: optional ``torch.Generator`` for reproducible draws.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must lie in [0, 1], got {rate}")
    if item_seq.dim() != 2 or item_seq.dtype != torch.long:
        raise ValueError(f"item_seq must be a [B, L] long tensor, got {tuple(item_seq.shape)} {item_seq.dtype}")
    if item_seq_len.shape != (item_seq.size(0),):
        raise ValueError(f"item_seq_len must have shape [{item_seq.size(0)}], got {tuple(item_seq_len.shape)}")
    if item_neighbours.dim() != 2 or item_neighbours.dtype != torch.long or item_neighbours.size(1) < 1:
        raise ValueError("item_neighbours must be a [num_items + 1, k] long tensor with k >= 1")
    present = item_seq > 0
    if not torch.equal(present.sum(1), item_seq_len.to(present.device).long()):
        raise ValueError("item_seq_len does not match the number of non-padding items in item_seq")
    if item_seq.numel() and int(item_seq.max()) >= item_neighbours.size(0):
        raise ValueError(
            f"item id {int(item_seq.max())} has no row in item_neighbours "
            f"({item_neighbours.size(0)} rows); build neighbours for every item"
        )
    neighbours = item_neighbours.to(item_seq.device)
    device = item_seq.device
    gen_device = generator.device if generator is not None else device
    coin = torch.rand(item_seq.shape, generator=generator, device=gen_device).to(device)
    pick = torch.randint(0, neighbours.size(1), item_seq.shape, generator=generator, device=gen_device).to(device)
    swap = present & (coin < rate)
    candidates = neighbours[item_seq, pick]
    return torch.where(swap, candidates, item_seq)


def substitute_augmenter(
    item_seq: torch.Tensor,
    item_seq_len: torch.Tensor,
    rate: float,
    generator: torch.Generator | None = None,
    item_neighbours: torch.Tensor | None = None,
    **context,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`semantic_substitute` in the ``rec.augment`` registry form, so CL4SRec-style models
    can list ``substitute`` in ``params.model.augmentations`` (the table comes from
    ``model.augment_context["item_neighbours"]``)."""
    if item_neighbours is None:
        raise ValueError(
            "the 'substitute' augmenter needs the item neighbour table: set "
            "model.augment_context['item_neighbours'] (e.g. SemanticIndex.item_neighbours)"
        )
    return semantic_substitute(item_seq, item_seq_len, item_neighbours, rate, generator), item_seq_len.clone()


def _register() -> None:
    from rec.augment import AUGMENTERS, register_augmenter

    if "substitute" not in AUGMENTERS:
        register_augmenter("substitute", substitute_augmenter)


_register()
