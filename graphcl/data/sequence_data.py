"""Users' interaction sequences for sequential recommendation."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class SequenceData:
    """Item sequences of users in time order, with item ids ``1..num_items`` (0 stays free for
    padding), as in the one-line-per-user files of S3-Rec/CoSeRec/ICLRec (Zhou et al., CIKM 2020;
    Chen et al., "Intent Contrastive Learning for Sequential Recommendation", WWW 2022).

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
        if len(self.user_ids) != len(self.sequences):
            raise ValueError(
                f"user_ids has {len(self.user_ids)} entries but sequences has {len(self.sequences)}; "
                "give one sequence per user"
            )
        if len(set(self.user_ids)) != len(self.user_ids):
            raise ValueError("user_ids contains duplicates; merge each user's items into one sequence")
        if not isinstance(self.num_items, int) or self.num_items < 0:
            raise ValueError(f"num_items must be a non-negative integer, got {self.num_items!r}")
        lo = min((min(s) for s in self.sequences if s), default=1)
        hi = max((max(s) for s in self.sequences if s), default=0)
        if lo < 1 or hi > self.num_items:
            raise ValueError(
                f"item ids span [{lo}, {hi}] but must lie in [1, num_items={self.num_items}]; "
                "remap ids to 1..n (0 is reserved for padding)"
            )

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_interactions(self) -> int:
        return sum(len(s) for s in self.sequences)
