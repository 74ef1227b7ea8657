"""A light stand-in for RecBole's ``Dataset``: what ``SequentialRecommender`` asks of it."""
from __future__ import annotations

from typing import Any


class ShimDataset:
    """Answers ``num(field)`` like RecBole (ids 1..n plus the padding id 0 -> n + 1) and carries
    our data objects for models that need more than counts (SRA-CL reads ``split``).

    Args:
        num_items: number of real items (ids 1..num_items).
        num_users: number of users.
        split: the :class:`rec.data.LeaveOneOut` split the model trains on (or ``None``).
        sequences: the source ``SequenceData`` (item texts ...) or ``None``.
        item_field: RecBole's item id field name.
        user_field: RecBole's user id field name.
    """

    def __init__(self, num_items: int, num_users: int = 0, split: Any = None, sequences: Any = None,
                 item_field: str = "item_id", user_field: str = "user_id"):
        if num_items < 1:
            raise ValueError(f"num_items must be >= 1, got {num_items}")
        self.num_items, self.num_users = int(num_items), int(num_users)
        self.split, self.sequences = split, sequences
        self.item_field, self.user_field = item_field, user_field

    def num(self, field: str) -> int:
        if field == self.item_field:
            return self.num_items + 1
        if field == self.user_field:
            return self.num_users + 1
        raise KeyError(f"ShimDataset knows the fields {self.item_field!r} and {self.user_field!r}, not {field!r}")
