"""Epoch batch orders for padded sequence batches: random, or length-bucketed with trimming.

Inputs are left-aligned (items first, then 0-padding) and the encoder is causal, so cutting a
batch to its longest row changes no row's output; what it saves is the padding. On Beauty the
training prefixes average 8.4 items but a random batch of 256 nearly always holds one of 50, so
random batches are 83% padding; bucketed ones about 1%.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import torch

Batching = Literal["bucketed", "random"]


@dataclass
class SeqBatch:
    """A batch of left-aligned item sequences (ids ``1..num_items``, 0 = padding).

    Args:
        item_seq: ``[B, L]`` input items.
        item_seq_len: ``[B]`` number of items per row.
        target: ``[B]`` next item of each row (``None`` when scoring only).
        user: ``[B]`` user index of each row (row of the source data), for models that look
            users up (SRA-CL).
        target_seq: ``[B, L]`` next item at every position (``train_targets: all_positions``;
            0 where a position has none).
        views: precomputed augmented views ``(seq1, len1, seq2, len2)`` for the contrastive
            models (``None``: they draw their own).
    """

    item_seq: torch.Tensor
    item_seq_len: torch.Tensor
    target: torch.Tensor | None = None
    user: torch.Tensor | None = None
    target_seq: torch.Tensor | None = None
    views: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor] | None = None

    def __post_init__(self):
        if self.item_seq.dim() != 2:
            raise ValueError(f"item_seq must be [B, L], got shape {tuple(self.item_seq.shape)}")
        if self.item_seq_len.shape != self.item_seq.shape[:1]:
            raise ValueError(f"item_seq_len must be [{self.item_seq.shape[0]}], got {tuple(self.item_seq_len.shape)}")

    def to(self, device: str | torch.device) -> SeqBatch:
        """A copy with every tensor on ``device``."""
        moved = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, torch.Tensor):
                value = value.to(device)
            elif isinstance(value, tuple):
                value = tuple(v.to(device) for v in value)
            moved[field.name] = value
        return SeqBatch(**moved)

    def __len__(self) -> int:
        return self.item_seq.shape[0]


def batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive batches over ``n`` rows. A 1-row tail joins the batch
    before it (in-batch contrastive losses need two rows) instead of being dropped."""
    starts = list(range(0, n, batch_size))
    if len(starts) > 1 and n - starts[-1] < 2:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


def epoch_batches(
    lengths: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
    batching: Batching = "bucketed",
    pool_batches: int = 64,
) -> list[torch.Tensor]:
    """Row indices of each batch of one epoch; every row appears exactly once.

    ``random``: one shuffle, cut into consecutive batches. ``bucketed``: shuffle, cut into pools
    of ``pool_batches`` batches, sort each pool by length (stable, so equal lengths keep their
    shuffled order and users stay mixed), cut the pools into batches and shuffle the batch
    order. Pools keep the epoch random: a batch holds rows of similar length drawn from a
    random ``pool_batches / num_batches`` share of the data, not the same rows every epoch.

    Args:
        lengths: ``[N]`` number of items per row.
        batch_size: rows per batch.
        generator: the only source of randomness (the seed fixes the order).
        batching: ``bucketed`` or ``random``.
        pool_batches: batches per sorting pool (bucketed only).
    """
    if batching not in ("bucketed", "random"):
        raise ValueError(f"batching must be 'bucketed' or 'random', got {batching!r}")
    if batch_size < 1 or pool_batches < 1:
        raise ValueError(f"batch_size and pool_batches must be >= 1, got {batch_size}, {pool_batches}")
    order = torch.randperm(lengths.numel(), generator=generator)
    if batching == "random":
        return [order[start:stop] for start, stop in batch_bounds(order.numel(), batch_size)]
    pool = batch_size * pool_batches
    pools = [order[start : start + pool] for start in range(0, order.numel(), pool)]
    ordered = torch.cat([rows[lengths[rows].argsort(stable=True)] for rows in pools]) if pools else order
    batches = [ordered[start:stop] for start, stop in batch_bounds(ordered.numel(), batch_size)]
    shuffle = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffle]


def trim(item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
    """``item_seq`` cut to its longest row (at least one column): left-aligned rows lose only
    padding."""
    width = max(int(item_seq_len.max()) if item_seq_len.numel() else 1, 1)
    return item_seq[:, :width] if width < item_seq.shape[1] else item_seq


def length_sorted_chunks(lengths: torch.Tensor, chunk_size: int) -> list[torch.Tensor]:
    """Row indices in length order, cut into chunks of ``chunk_size`` (evaluation and
    encoding of many sequences: each chunk is then trimmed to its longest row)."""
    order = lengths.argsort(stable=True)
    return [order[start : start + chunk_size] for start in range(0, order.numel(), chunk_size)]
