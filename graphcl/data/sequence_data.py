"""Users' interaction sequences for sequential recommendation."""

from __future__ import annotations

import dataclasses
import logging
import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FROM_RAW_HINT = "SequenceData.from_raw_ids maps any ids (strings, gapped numbers) to 1..n and keeps the map"


@dataclasses.dataclass
class SequenceData:
    """Item sequences of users in time order, with item ids ``1..num_items`` (0 stays free for
    padding), as in the one-line-per-user files of S3-Rec/CoSeRec/ICLRec (Zhou et al., CIKM 2020;
    Chen et al., "Intent Contrastive Learning for Sequential Recommendation", WWW 2022).

    Item ids must be integers (Python or NumPy); sequences may be lists or 1-D integer arrays
    (stored as lists of ``int``). Other ids (strings, floats, gapped ranges) go through
    :meth:`from_raw_ids`. Ids in ``1..num_items`` that no user has are ranked as candidates too,
    so they are logged.

    Args:
        user_ids: one id per user, in the order of ``sequences``.
        sequences: ``sequences[u]`` lists user ``u``'s items, oldest first.
        num_items: number of item ids; every id is in ``1..num_items``.
        item_text: optional ``item id -> text`` (e.g. ml-100k ``"title (year) genres"``).
        item_raw_ids: optional ``item id -> id in the source file`` when ids were remapped.
    """

    user_ids: list
    sequences: list[list[int]]
    num_items: int
    item_text: dict[int, str] | None = None
    item_raw_ids: dict[int, str] | None = None

    def __post_init__(self) -> None:
        self.user_ids = list(self.user_ids)
        if len(self.user_ids) != len(self.sequences):
            raise ValueError(
                f"user_ids has {len(self.user_ids)} entries but sequences has {len(self.sequences)}; "
                "give one sequence per user"
            )
        if len(set(self.user_ids)) != len(self.user_ids):
            raise ValueError("user_ids contains duplicates; merge each user's items into one sequence")
        self.num_items = _count(self.num_items)
        self.sequences = [_item_ids(seq, user) for user, seq in zip(self.user_ids, self.sequences)]
        self._check_range()

    def _check_range(self) -> None:
        used = {i for s in self.sequences for i in s}
        lo, hi = min(used, default=1), max(used, default=0)
        if lo < 1 or hi > self.num_items:
            raise ValueError(
                f"item ids span [{lo}, {hi}] but must lie in [1, num_items={self.num_items}]; "
                f"remap ids to 1..n (0 is reserved for padding): {FROM_RAW_HINT}"
            )
        if len(used) < self.num_items:
            log.warning(
                "%d of the item ids 1..%d occur in no sequence but are ranked as candidates; %s",
                self.num_items - len(used),
                self.num_items,
                FROM_RAW_HINT,
            )

    @classmethod
    def from_raw_ids(cls, user_ids: list, sequences: list[list[Hashable]], **extra: Any) -> SequenceData:
        """Number the distinct raw item ids 1..n (sorted; numbers numerically) and keep
        ``item_raw_ids[new] = str(raw)``.

        Args:
            user_ids: one id per user.
            sequences: per-user raw item ids (any hashable: strings, gapped integers ...), oldest first.
            extra: further fields (``item_text`` keyed by the new ids).
        """
        remapped, raw_by_new = remap_item_ids(sequences)
        return cls(
            user_ids=list(user_ids), sequences=remapped, num_items=len(raw_by_new), item_raw_ids=raw_by_new, **extra
        )

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_interactions(self) -> int:
        return sum(len(s) for s in self.sequences)


def remap_item_ids(sequences: list) -> tuple[list[list[int]], dict[int, str]]:
    """``(sequences with ids 1..n, {new id: str(raw id)})``; raw ids sorted (numbers numerically)."""
    raw = {i for s in sequences for i in (s.tolist() if isinstance(s, np.ndarray) else s)}
    try:
        order = sorted(raw)
    except TypeError:  # mixed types: order by their text
        order = sorted(raw, key=str)
    new = {r: k + 1 for k, r in enumerate(order)}
    remapped = [[new[i] for i in (s.tolist() if isinstance(s, np.ndarray) else s)] for s in sequences]
    return remapped, {k: str(r) for r, k in new.items()}


def _count(num_items: Any) -> int:
    if isinstance(num_items, bool) or not isinstance(num_items, numbers.Integral) or num_items < 0:
        raise ValueError(f"num_items must be a non-negative integer, got {num_items!r} ({type(num_items).__name__})")
    return int(num_items)


def _item_ids(seq: Any, user: Any) -> list[int]:
    """A user's item ids as a list of ``int``, refusing anything that is not an integer id."""
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1 or not (np.issubdtype(seq.dtype, np.integer) or seq.size == 0):
            raise ValueError(
                f"user {user!r}: the item array has shape {seq.shape} and dtype {seq.dtype}; give a 1-D "
                f"integer array or list; {FROM_RAW_HINT}"
            )
        return seq.astype(np.int64).tolist()
    if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
        raise ValueError(f"user {user!r}: the sequence {seq!r} is not a list of item ids")
    items = list(seq)
    bad = next((i for i in items if isinstance(i, bool) or not isinstance(i, numbers.Integral)), None)
    if bad is not None:
        raise ValueError(
            f"user {user!r}: item id {bad!r} ({type(bad).__name__}) is not an integer; item ids are "
            f"integers 1..num_items (a float such as 1.5 would be truncated); {FROM_RAW_HINT}"
        )
    return [int(i) for i in items]
