"""``SeqBatch``: the tensors of one batch of sequences, as the models read them."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch


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

    def to(self, device: str | torch.device) -> "SeqBatch":
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
