"""Amazon 2014 metadata (``meta_<Category>.json(.gz)``) -> item texts aligned to item ids.

The 2014 release (McAuley et al., http://jmcauley.ucsd.edu/data/amazon/ ,
snap.stanford.edu/data/amazon/productGraph/categoryFiles/) stores one product per line as a
Python dict literal (``{'asin': ..., 'title': ..., 'categories': [[...]], 'brand': ...,
'description': ...}``); later mirrors store JSON. Both are read here, with ``ast.literal_eval``
(never ``eval``).

Alignment: the ``Beauty.txt``/``Sports_and_Outdoors.txt`` files (ICLRec format,
``user item item ...``) carry relabelled ids and no asin map. SRA-CL's notebooks relabel the
5-core review file by sorting interactions by (reviewer id, time) with a stable sort and
numbering users and items in order of first appearance; :func:`asin_to_id_from_reviews` redoes
that, and :func:`check_alignment` verifies the result against the sequence file before any
text is trusted.
"""

from __future__ import annotations

import ast
import gzip
import json
from pathlib import Path

from graphcl.utils.errors import MissingFileError


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                yield n, line


def _record(line: str, where: str) -> dict:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        try:
            rec = ast.literal_eval(line)  # 2014 files are Python literals, not JSON
        except (ValueError, SyntaxError) as exc:
            raise ValueError(f"{where}: neither JSON nor a Python dict literal ({exc})") from exc
    if not isinstance(rec, dict):
        raise ValueError(f"{where}: expected a dict per line")
    return rec


def parse_amazon_meta(path: str | Path, asins: set[str] | None = None) -> dict[str, dict]:
    """``{asin: record}`` for every line of a metadata file (restricted to ``asins`` if given)."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(
            f"metadata file {path} does not exist; download meta_<Category>.json.gz from the "
            "Amazon 2014 release (snap.stanford.edu/data/amazon/productGraph/categoryFiles/)"
        )
    out = {}
    for n, line in _lines(path):
        rec = _record(line, f"{path}:{n}")
        if "asin" not in rec:
            raise ValueError(f"{path}:{n}: record has no 'asin'")
        if asins is None or rec["asin"] in asins:
            out[rec["asin"]] = rec
    return out


def item_text(record: dict, max_description: int = 500) -> str:
    """One line of text per product: title, brand, categories and (truncated) description,
    the fields SRA-CL's item prompt uses; missing fields are left out."""
    parts = []
    if record.get("title"):
        parts.append(f"Title: {record['title']}")
    if record.get("brand"):
        parts.append(f"Brand: {record['brand']}")
    cats = record.get("categories") or []
    flat = []
    for path in cats:
        for c in path if isinstance(path, list) else [path]:
            if c not in flat:
                flat.append(c)
    if flat:
        parts.append("Categories: " + ", ".join(map(str, flat)))
    if record.get("description"):
        parts.append(f"Description: {str(record['description'])[:max_description]}")
    return "; ".join(parts)


def asin_to_id_from_reviews(reviews_path: str | Path) -> tuple[dict[str, int], dict[str, int]]:
    """Redo SRA-CL's relabelling of a 5-core review file (``reviews_<Category>_5.json.gz``):
    stable sort by (reviewerID, unixReviewTime), drop duplicate (user, item, time), number users
    and items 1.. by first appearance. Returns ``(asin -> item id, reviewerID -> user id)``."""
    path = Path(reviews_path)
    if not path.is_file():
        raise MissingFileError(f"review file {path} does not exist")
    rows = []
    for n, line in _lines(path):
        rec = _record(line, f"{path}:{n}")
        rows.append((rec["reviewerID"], int(rec["unixReviewTime"]), rec["asin"]))
    rows = list(dict.fromkeys(rows))  # drop exact duplicates, keep file order
    rows.sort(key=lambda r: (r[0], r[1]))  # Python's sort is stable, like pandas mergesort
    items: dict[str, int] = {}
    users: dict[str, int] = {}
    for user, _, asin in rows:
        users.setdefault(user, len(users) + 1)
        items.setdefault(asin, len(items) + 1)
    return items, users


def check_alignment(
    asin_to_id: dict[str, int], user_to_id: dict[str, int], reviews_path: str | Path, sequences: dict[int, list[int]]
) -> float:
    """Fraction of users whose relabelled review sequence equals their sequence in the
    shipped file (1.0 = the mapping is the one the file was made with)."""
    per_user: dict[int, list[tuple[int, int]]] = {}
    for n, line in _lines(Path(reviews_path)):
        rec = _record(line, f"{reviews_path}:{n}")
        per_user.setdefault(user_to_id[rec["reviewerID"]], []).append(
            (int(rec["unixReviewTime"]), asin_to_id[rec["asin"]])
        )
    same = 0
    for uid, seq in sequences.items():
        events = [i for _, i in sorted(dict.fromkeys(per_user.get(uid, [])), key=lambda e: e[0])]
        same += events == list(seq)
    return same / max(len(sequences), 1)


def aligned_item_text(meta: dict[str, dict], asin_to_id: dict[str, int]) -> dict[int, str]:
    """``{item id: text}`` for the items with metadata."""
    return {iid: item_text(meta[a]) for a, iid in asin_to_id.items() if a in meta}


def registry_item_text(
    name: str,
    user_ids: list,
    sequences: list[list[int]],
    root: str | Path | None = None,
    min_alignment: float = 1.0,
    registry: dict | None = None,
) -> dict[int, str]:
    """``{item id: text}`` for a sequence dataset from its registered Amazon 2014 files.

    The files of the ``item_metadata`` dataset ``name`` (e.g. ``beauty-meta``) are downloaded
    when missing (:func:`graphcl.data.ensure_dataset`), the review file is relabelled
    (:func:`asin_to_id_from_reviews`) and the result is checked against the sequences: at least
    ``min_alignment`` of the users must have exactly their sequence, else the ids are not the
    ones the file was made with and no text is attached.

    Args:
        name: registry name of an ``item_metadata`` dataset.
        user_ids: the sequence file's user ids (integers, or their text).
        sequences: the users' full item sequences in those ids.
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        min_alignment: fraction of users whose sequences must match (1.0: all).
        registry: registry mapping to use instead of the shipped one (tests).
    """
    from graphcl.data import ensure_dataset
    from graphcl.data.registry import dataset_info

    info = dataset_info(name, registry)
    if info["kind"] != "item_metadata":
        raise ValueError(
            f"dataset {name!r} is of kind {info['kind']!r}, not item_metadata; "
            "name one of the *-meta datasets of `graphcl data list`"
        )
    folder = ensure_dataset(name, root, registry=registry)
    reviews = folder / info["reviews_file"]
    asin_to_id, user_to_id = asin_to_id_from_reviews(reviews)
    alignment = check_alignment(asin_to_id, user_to_id, reviews, {int(u): s for u, s in zip(user_ids, sequences)})
    if alignment < min_alignment:
        raise ValueError(
            f"{reviews}: relabelling it reproduces {alignment:.1%} of the users' sequences of "
            f"{info['for_dataset']!r} (needed: {min_alignment:.0%}), so its item ids are not this file's; "
            "use item_semantics='cooc', or item vectors from a file aligned to these ids (item_semantics='file')"
        )
    return aligned_item_text(parse_amazon_meta(folder / info["meta_file"], set(asin_to_id)), asin_to_id)
