"""Input checks shared by the sequence augmenters."""
from __future__ import annotations

import torch


def check_batch(item_seq: torch.Tensor, item_seq_len: torch.Tensor, rate: float, rate_name: str) -> None:
    """Validate a padded batch ``item_seq [B, L]`` (items left-aligned, 0 = padding) and lengths."""
    if not isinstance(item_seq, torch.Tensor) or item_seq.dim() != 2:
        raise ValueError(f"item_seq must be a [B, L] tensor of item ids, got {getattr(item_seq, 'shape', type(item_seq))}")
    if item_seq.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"item_seq must hold integer item ids, got dtype {item_seq.dtype}; use .long()")
    if not isinstance(item_seq_len, torch.Tensor) or item_seq_len.shape != item_seq.shape[:1]:
        raise ValueError(f"item_seq_len must be a [B] tensor matching item_seq's {item_seq.shape[0]} rows, "
                         f"got {getattr(item_seq_len, 'shape', type(item_seq_len))}")
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
