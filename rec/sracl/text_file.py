"""Read user-written semantics: a file of ``id -> text`` (e.g. LLM-written item descriptions or
user profiles) for SRA-CL.

Accepted layouts (``what`` is ``item`` or ``user``):

- ``.json``: one object ``{id: text, ...}``;
- ``.jsonl``: one object per line, ``{"<what>_id": ..., "text": ...}`` (user files may name the
  text ``profile``); blank lines are skipped;
- ``.tsv``: one line per id, ``id<TAB>text`` (no quoting: the text must not contain a tab or a
  newline); a first line ``<what>_id<TAB>text`` is read as a header.

Ids are returned as strings (``7`` and ``"7"`` are the same id); a text must be a non-empty
string, and an id may appear once.
"""

from __future__ import annotations

import json
from pathlib import Path

from graphcl.utils.errors import MissingFileError

SUFFIXES = (".json", ".jsonl", ".tsv")


def load_id_text_file(path: str | Path, what: str = "item") -> dict[str, str]:
    """``{id as str: text}`` from a ``.json``/``.jsonl``/``.tsv`` file (layouts in the module
    docstring); ``what`` (``item`` or ``user``) names the id key of ``.jsonl`` lines and is used
    in error messages."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{what} text file {path} does not exist")
    suffix = path.suffix.lower()
    key = f"{what}_id"
    text_keys = ("text", "profile") if what == "user" else ("text",)
    pairs: list[tuple[str, object, str]] = []  # (id, text, where)
    if suffix == ".json":
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a .json {what} text file must be one object mapping {what} id -> text")
        pairs = [(str(k), v, f"{path}: {what} {k!r}") for k, v in data.items()]
    elif suffix == ".jsonl":
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            name = next((t for t in text_keys if isinstance(row, dict) and t in row), None)
            if not isinstance(row, dict) or key not in row or name is None:
                raise ValueError(f"{path}:{n}: each line needs keys {key!r} and {' or '.join(map(repr, text_keys))}")
            pairs.append((str(row[key]), row[name], f"{path}:{n}"))
    elif suffix == ".tsv":
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                raise ValueError(f"{path}:{n}: expected '{key}<TAB>text', got {len(fields)} tab-separated fields")
            if n == 1 and fields[0] == key:
                continue  # header
            pairs.append((fields[0].strip(), fields[1], f"{path}:{n}"))
    else:
        raise ValueError(f"{path}: unsupported {what} text file type {suffix!r}; use .json, .jsonl or .tsv")
    out: dict[str, str] = {}
    for ident, text, where in pairs:
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: the text of {what} {ident!r} must be a non-empty string, got {text!r}")
        if ident in out:
            raise ValueError(f"{where}: {what} {ident!r} appears twice")
        out[ident] = text
    return out


def item_text_from_file(
    path: str | Path,
    num_items: int,
    item_raw_ids: dict[int, str] | None = None,
    item_text: dict[int, str] | None = None,
) -> dict[int, str]:
    """The item texts of a dataset with those of ``path`` put over them.

    Args:
        path: ``.json``/``.jsonl``/``.tsv`` of ``raw item id -> text`` (:func:`load_id_text_file`).
        num_items: the dataset's items are ``1..num_items``.
        item_raw_ids: dataset id -> id in the source file (``SequenceData.item_raw_ids``); the
            file's ids are those raw ids. ``None``: the file's ids are the dataset ids ``1..n``.
        item_text: the dataset's own texts (``None``: it has none). Items the file lacks keep
            theirs; if it has none, every item must be in the file.

    Returns:
        ``{dataset item id: text}``.
    """
    raw = load_id_text_file(path, "item")
    to_id = (
        {str(r): i for i, r in item_raw_ids.items()} if item_raw_ids else {str(i): i for i in range(1, num_items + 1)}
    )
    unknown = [k for k in raw if k not in to_id]
    if unknown:
        kind = "raw item ids of the interaction file" if item_raw_ids else f"item ids 1..{num_items}"
        raise ValueError(
            f"{path}: {len(unknown)} of its {len(raw)} ids are not items of the dataset (e.g. {unknown[:5]}); "
            f"ids must be the {kind}"
        )
    out = dict(item_text or {})
    out.update({to_id[k]: v for k, v in raw.items()})
    missing = [i for i in range(1, num_items + 1) if not out.get(i)]
    if missing and not item_text:
        back = {i: r for r, i in to_id.items()}
        raise ValueError(
            f"{path}: {len(missing)} of the {num_items} items have no text (e.g. ids "
            f"{[back.get(i, str(i)) for i in missing[:5]]}) and the dataset has no item text of its own; "
            "add them to the file, or use item_semantics='file' (vectors) or 'cooc' (ID-free)"
        )
    return out
