"""Loaders for sequential-recommendation data: ICLRec-style text files and RecBole's ml-100k."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from graphcl.data.ensure import ensure_dataset
from graphcl.data.errors import CorruptDataError
from graphcl.data.readers import corrupt
from graphcl.data.registry import dataset_info
from graphcl.data.sequence_data import SequenceData


def read_sequence_file(path: Path) -> SequenceData:
    """Parse ``user_id item_id item_id ...`` lines (items oldest first, ids >= 1).

    ``num_items`` is the largest item id, so ids are used as they are (no remapping).
    """
    users, sequences = [], []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                parts = line.split()
                if not parts:
                    continue
                try:
                    ids = [int(p) for p in parts]
                except ValueError as exc:
                    raise corrupt(path, f"line {lineno} holds a non-integer id ({exc})") from exc
                if min(ids[1:], default=1) < 1:
                    raise corrupt(path, f"line {lineno} has an item id < 1 (ids are 1-based, 0 is padding)")
                users.append(ids[0])
                sequences.append(ids[1:])
    except (OSError, UnicodeDecodeError) as exc:
        raise corrupt(path, f"cannot be read as text ({exc})") from exc
    if len(set(users)) != len(users):
        raise corrupt(path, "lists some users on more than one line")
    num_items = max((max(s) for s in sequences if s), default=0)
    return SequenceData(user_ids=users, sequences=sequences, num_items=num_items)


def _check_statistics(name: str, path: Path, seq: SequenceData, expected: dict) -> None:
    measured = {"users": seq.num_users, "items": len({i for s in seq.sequences for i in s}),
                "interactions": seq.num_interactions}
    wrong = {k: (v, measured[k]) for k, v in expected.items() if k in measured and v != measured[k]}
    if wrong:
        detail = ", ".join(f"{k}: registry {a}, file {b}" for k, (a, b) in wrong.items())
        raise corrupt(path, f"does not match the statistics of {name!r} ({detail})")


def load_sequences(name: str, root: str | Path | None = None, *, registry: dict | None = None) -> SequenceData:
    """Load sequence dataset ``name`` (``beauty``, ``sports``, ``toys``, ``yelp``).

    The user/item/interaction counts are checked against the registry, which is how the files
    registered without a sha256 (Toys, Yelp) are verified.

    Args:
        name: dataset name in the registry (kind ``sequences``).
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        registry: registry mapping to use instead of the shipped one (tests).
    """
    info = dataset_info(name, registry)
    if info["kind"] == "recbole_builtin":
        return load_ml100k()
    if info["kind"] != "sequences":
        raise ValueError(f"dataset {name!r} is of kind {info['kind']!r}; load_sequences needs a 'sequences' dataset")
    path = ensure_dataset(name, root, registry=registry) / info["sequence_file"]
    seq = read_sequence_file(path)
    _check_statistics(name, path, seq, (info.get("statistics") or {}))
    return seq


def _read_atomic(path: Path) -> list[dict[str, str]]:
    """Rows of a RecBole atomic file, keyed by field name without the ``:type`` suffix."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = [h.split(":")[0] for h in next(reader)]
            return [dict(zip(header, row)) for row in reader if row]
    except (OSError, UnicodeDecodeError, StopIteration) as exc:
        raise corrupt(path, f"cannot be read as a RecBole atomic file ({exc})") from exc


def _item_text(row: dict[str, str]) -> str:
    title, year, genres = row.get("movie_title", ""), row.get("release_year", ""), row.get("class", "")
    text = f"{title} ({year})" if year else title
    return f"{text} {genres}".strip()


def load_ml100k() -> SequenceData:
    """RecBole's bundled MovieLens-100K (Harper & Konstan, ACM TiiS 2015) as sequences.

    Each user's ratings are sorted by timestamp (ties keep file order). Raw item ids are
    remapped to ``1..n`` in increasing numeric order of the raw id (``item_raw_ids`` keeps the
    mapping); users are sorted by raw id. ``item_text[i]`` is ``"title (year) genres"`` from
    ``ml-100k.item``, keyed by the new id.
    """
    folder = ensure_dataset("ml-100k", download=False)
    inter_path = folder / "ml-100k.inter"
    rows = _read_atomic(inter_path)
    try:
        users = np.array([int(r["user_id"]) for r in rows])
        items = np.array([int(r["item_id"]) for r in rows])
        times = np.array([float(r["timestamp"]) for r in rows])
    except (KeyError, ValueError) as exc:
        raise corrupt(inter_path, f"needs integer user_id/item_id and numeric timestamp columns ({exc})") from exc
    raw_items = np.unique(items)
    new_item = {int(raw): k + 1 for k, raw in enumerate(raw_items)}
    order = np.lexsort((np.arange(len(rows)), times, users))  # user, then time, then file order
    sequences: dict[int, list[int]] = {}
    for k in order:
        sequences.setdefault(int(users[k]), []).append(new_item[int(items[k])])
    user_ids = sorted(sequences)
    text = {}
    for row in _read_atomic(folder / "ml-100k.item"):
        raw = int(row["item_id"])
        if raw in new_item:
            text[new_item[raw]] = _item_text(row)
    if len(text) != len(new_item):
        raise CorruptDataError(f"{folder / 'ml-100k.item'} lacks text for {len(new_item) - len(text)} rated items")
    return SequenceData(
        user_ids=user_ids,
        sequences=[sequences[u] for u in user_ids],
        num_items=len(raw_items),
        item_text=text,
        item_raw_ids={k + 1: str(int(raw)) for k, raw in enumerate(raw_items)},
    )
