"""Name -> augmenter table, and the hook other models use to add their own (SRA-CL: substitute)."""
from __future__ import annotations

from typing import Callable

import torch

from rec.augment.crop import crop
from rec.augment.mask import mask
from rec.augment.reorder import reorder

# Every entry: fn(item_seq, item_seq_len, rate, generator, **context) -> (seq, len).
# ``context`` carries model-level values (``mask_token``; SRA-CL passes its neighbour table).
Augmenter = Callable[..., tuple[torch.Tensor, torch.Tensor]]

AUGMENTERS: dict[str, Augmenter] = {
    "crop": lambda seq, lens, rate, generator, **ctx: crop(seq, lens, rate, generator),
    "mask": lambda seq, lens, rate, generator, **ctx: mask(seq, lens, rate, ctx["mask_token"], generator),
    "reorder": lambda seq, lens, rate, generator, **ctx: reorder(seq, lens, rate, generator),
}


def register_augmenter(name: str, fn: Augmenter, overwrite: bool = False) -> None:
    """Add an augmenter usable in ``params.augmentations`` (e.g. SRA-CL's ``"substitute"``).

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
        raise KeyError(f"unknown augmenter {name!r}; registered: {sorted(AUGMENTERS)} "
                       "(add one with rec.augment.register_augmenter)")
    return AUGMENTERS[name]
