"""Loaders for sequential-recommendation data: ICLRec-style text files and RecBole's ml-100k."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np

from graphcl.data.ensure import ensure_dataset
from graphcl.data.errors import CorruptDataError
from graphcl.data.readers import corrupt
from graphcl.data.registry import dataset_info
from graphcl.data.sequence_data import SequenceData

log = logging.getLogger(__name__)


def read_sequence_file(path: Path, dataset: str | None = None) -> SequenceData:
    """Parse ``user_id item_id item_id ...`` lines (items oldest first, integer ids >= 1).

    Ids that already are ``1..n`` are kept as they are (the registered files). Otherwise (gaps,
    which would make never-seen ids candidates) they are renumbered 1..n in increasing order,
    ``item_raw_ids`` keeps the map, and a log line says so.

    Args:
        path: the file.
        dataset: the registered dataset the file belongs to (``None``: the user's own file; its
            error messages then explain the format instead of pointing at ``graphcl data fetch``).
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
                    raise _problem(path, f"line {lineno} holds a non-integer id ({exc})", dataset) from exc
                if min(ids[1:], default=1) < 1:
                    raise _problem(path, f"line {lineno} has an item id < 1 (ids are 1-based, 0 is padding)", dataset)
                users.append(ids[0])
                sequences.append(ids[1:])
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, f"cannot be read as text ({exc})", dataset) from exc
    if len(set(users)) != len(users):
        raise _problem(path, "lists some users on more than one line", dataset)
    return _numbered(path, users, sequences)


def _numbered(path: Path, users: list[int], sequences: list[list[int]]) -> SequenceData:
    distinct = {i for s in sequences for i in s}
    top = max(distinct, default=0)
    if len(distinct) == top:
        return SequenceData(user_ids=users, sequences=sequences, num_items=top)
    log.warning(
        "%s: %d distinct item ids up to %d (gaps would be ranked as items): renumbered 1..%d, "
        "item_raw_ids keeps the file's ids",
        path,
        len(distinct),
        top,
        len(distinct),
    )
    return SequenceData.from_raw_ids(users, sequences)


def _problem(path: Path, problem: str, dataset: str | None) -> CorruptDataError:
    """The error for a bad line: a registered file is corrupt (fetch it again); a user's own
    file is told the format."""
    if dataset is not None:
        return corrupt(path, problem)
    return CorruptDataError(
        f"{path}: {problem}; fix the file: one line per user, `user_id item_id item_id ...`, "
        "integer ids, item ids >= 1, oldest item first"
    )


def _check_statistics(name: str, path: Path, seq: SequenceData, expected: dict) -> None:
    measured = {
        "users": seq.num_users,
        "items": len({i for s in seq.sequences for i in s}),
        "interactions": seq.num_interactions,
    }
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
    seq = read_sequence_file(path, dataset=name)
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
