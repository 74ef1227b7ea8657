"""Write a :class:`SequenceData` as a RecBole atomic ``.inter`` file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from graphcl.data.sequence_data import SequenceData


def to_recbole_atomic(seq: SequenceData, out_dir: str | Path, name: str) -> Path:
    """Write ``<out_dir>/<name>.inter`` with columns ``user_id:token``, ``item_id:token`` and
    ``timestamp:float``; the timestamp is the item's position in its user's sequence (0, 1, ...),
    so RecBole's time ordering reproduces the sequence order. RecBole (Zhao et al., CIKM 2021)
    reads ``<data_path>/<dataset>/<dataset>.inter``: pass ``out_dir = data_path / name``.

    Args:
        seq: the sequences to write (not modified).
        out_dir: folder for the file (created if needed).
        name: dataset name; the file is ``<name>.inter``.
    """
    if not name or any(c in name for c in "/\\"):
        raise ValueError(f"name {name!r} must be a plain file stem such as 'beauty'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.inter"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("user_id:token\titem_id:token\ttimestamp:float\n")
            for user, items in zip(seq.user_ids, seq.sequences):
                fh.writelines(f"{user}\t{item}\t{t}\n" for t, item in enumerate(items))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
