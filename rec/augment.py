"""Sequence augmenters (CL4SRec, Xie et al., ICDE 2022; MCLRec's loader): crop, mask and reorder,
the name -> augmenter table other models extend (SRA-CL's ``substitute``), and ``augment_views``.

Pure batched functions on padded ``[B, L]`` id tensors (items left-aligned, 0 = padding) plus
lengths; they never modify their inputs and draw randomness from an optional
``torch.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["crop", "mask", "reorder", "augment_views", "AUGMENTERS", "get_augmenter", "register_augmenter"]


def check_batch(item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float, rate_name: str) -> None:
    """Validate a padded batch ``item_seq [B, L]`` (items left-aligned, 0 = padding) and lengths."""
    if not isinstance(item_seq, torch.Tensor) or item_seq.dim() != 2:
        raise ValueError(
            f"item_seq must be a [B, L] tensor of item ids, got {getattr(item_seq, 'shape', type(item_seq))}"
        )
    if item_seq.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"item_seq must hold integer item ids, got dtype {item_seq.dtype}; use .long()")
    if not isinstance(item_seq_len, torch.Tensor) or item_seq_len.shape != item_seq.shape[:1]:
        raise ValueError(
            f"item_seq_len must be a [B] tensor matching item_seq's {item_seq.shape[0]} rows, "
            f"got {getattr(item_seq_len, 'shape', type(item_seq_len))}"
        )
    if item_seq_len.numel() and (int(item_seq_len.min()) < 0 or int(item_seq_len.max()) > item_seq.shape[1]):
        raise ValueError(f"item_seq_len must lie in [0, {item_seq.shape[1]}] (the padded width)")
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"{rate_name} must lie in [0, 1], got {rate}")


def uniform(shape, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """U[0, 1) draws from ``generator`` (on its own device), moved to ``device``."""
    gen_device = generator.device if generator is not None else torch.device("cpu")
    return torch.rand(shape, generator=generator, device=gen_device).to(device)


def window_starts(lengths: torch.Tensor, window: torch.Tensor, generator, device) -> torch.Tensor:
    """Uniform start in ``[0, length - window]`` per row (integer tensor)."""
    slack = (lengths - window).clamp(min=0)
    return (uniform(lengths.shape, generator, device) * (slack + 1).float()).long().clamp(max=slack)


def crop(
    item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
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


def mask(
    item_seq: torch.Tensor,
    item_seq_len: torch.Tensor,
    rate: float,
    mask_token: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
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


def reorder(
    item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
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


# Every entry: fn(item_seq, item_seq_len, rate, generator, **context) -> (seq, len).
# ``context`` carries model-level values (``mask_token``; SRA-CL passes its neighbour table).
Augmenter = Callable[..., tuple[torch.Tensor, torch.Tensor]]

AUGMENTERS: dict[str, Augmenter] = {
    "crop": lambda seq, lens, rate, generator, **ctx: crop(seq, lens, rate, generator),
    "mask": lambda seq, lens, rate, generator, **ctx: mask(seq, lens, rate, ctx["mask_token"], generator),
    "reorder": lambda seq, lens, rate, generator, **ctx: reorder(seq, lens, rate, generator),
}


def register_augmenter(name: str, fn: Augmenter, overwrite: bool = False) -> None:
    """Add an augmenter usable in ``params.model.augmentations`` (e.g. SRA-CL's ``"substitute"``).

    Args:
        name: the name configs use.
        fn: ``fn(item_seq [B, L], item_seq_len [B], rate, generator, **context) -> (seq, len)``;
            must return fresh tensors and never modify its inputs.
        overwrite: replace an existing entry of the same name (otherwise that raises).
    """
    if not callable(fn):
        raise TypeError(f"augmenter {name!r} must be callable, got {type(fn).__name__}")
    if name in AUGMENTERS and not overwrite:
        raise ValueError(f"augmenter {name!r} is already registered; pass overwrite=True to replace it")
    AUGMENTERS[name] = fn


def get_augmenter(name: str) -> Augmenter:
    if name not in AUGMENTERS:
        raise KeyError(
            f"unknown augmenter {name!r}; registered: {sorted(AUGMENTERS)} "
            "(add one with rec.augment.register_augmenter)"
        )
    return AUGMENTERS[name]


def augment_views(
    item_seq: torch.Tensor,
    item_seq_len: torch.Tensor,
    names: list[str],
    rates: dict[str, float],
    generator: torch.Generator | None = None,
    distinct: bool = False,
    **context,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
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
    views: list[torch.Tensor] = []
    for choice in (first, second):
        seq, lens = item_seq.clone(), item_seq_len.clone()
        for index, (name, fn) in enumerate(zip(names, fns)):
            rows = choice == index
            if bool(rows.any()):
                new_seq, new_len = fn(item_seq, item_seq_len, rates.get(name, 0.0), generator, **context)
                seq = torch.where(rows.unsqueeze(1), new_seq, seq)
                lens = torch.where(rows, new_len.to(lens.dtype), lens)
        views += [seq, lens]
    seq1, len1, seq2, len2 = views
    return seq1, len1, seq2, len2
