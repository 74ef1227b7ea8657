"""``SequenceData`` from a table of interactions (user, item, timestamp) or from plain lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphcl.data.sequence_data import SequenceData


def sequences_from_interactions(
    table: Any, user: str = "user_id", item: str = "item_id", time: str | None = "timestamp"
) -> SequenceData:
    """Group interactions into per-user sequences ordered by ``time`` (ties keep the table's
    order), with raw item ids remapped to ``1..n`` in order of first appearance
    (``item_raw_ids`` keeps the map back).

    Args:
        table: a pandas ``DataFrame`` or any iterable of mappings with the three columns.
        user: user column.
        item: item column (any hashable ids: strings, integers...).
        time: timestamp column, or ``None`` when the rows are already in time order.
    """
    rows = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    missing = {c for c in (user, item, time) if c is not None and rows and c not in rows[0]}
    if missing:
        raise ValueError(
            f"interactions have no column(s) {sorted(missing)}; name the columns with "
            f"user=..., item=..., time=... (found {sorted(rows[0])})"
        )
    if time is not None:
        rows = sorted(rows, key=lambda row: row[time])  # stable: equal times keep the table's order
    item_ids: dict[Any, int] = {}
    per_user: dict[Any, list[int]] = {}
    for row in rows:
        ident = item_ids.setdefault(row[item], len(item_ids) + 1)
        per_user.setdefault(row[user], []).append(ident)
    return SequenceData(
        user_ids=list(per_user),
        sequences=list(per_user.values()),
        num_items=len(item_ids),
        item_raw_ids={i: str(raw) for raw, i in item_ids.items()},
    )


def sequences_from_lists(sequences: Iterable[Iterable[Any]]) -> SequenceData:
    """One list of raw item ids per user (oldest first), remapped to ``1..n``; users are
    numbered ``0..U-1``."""
    rows = [{"user": u, "item": i} for u, items in enumerate(sequences) for i in items]
    return sequences_from_interactions(rows, user="user", item="item", time=None)
