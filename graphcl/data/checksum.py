"""sha256 of files, and a small stamp store so that loaders do not re-hash unchanged files.

Verification caching (see ``docs/data.md``): after a file's sha256 has been checked, its
absolute path, size, ``mtime_ns`` and hash are recorded in ``<user cache>/verified.json``.
Later calls trust a file whose size and mtime still match the stamp and whose registry hash is
unchanged; any edit, truncation or replacement changes size or mtime and triggers a re-hash.
``graphcl data verify`` always re-hashes. If the stamp file cannot be written (read-only home),
files are simply hashed every time.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from graphcl.data.root import user_cache_dir

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of the file at ``path`` (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp_path() -> Path:
    """Location of the verification stamps (``<user cache>/verified.json``)."""
    return user_cache_dir() / "verified.json"


def _read_stamps() -> dict:
    try:
        with open(stamp_path(), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # no stamps yet, or a damaged stamp file: re-hash


def _key(path: Path) -> tuple[str, dict]:
    st = path.stat()
    return str(path.resolve()), {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def read_stamps() -> dict:
    """All recorded stamps (read once per dataset check, then passed to :func:`is_stamped`)."""
    return _read_stamps()


def is_stamped(path: Path, sha256: str, stamps: dict | None = None) -> bool:
    """True when ``path`` was verified against ``sha256`` and has not changed since."""
    key, meta = _key(path)
    return (read_stamps() if stamps is None else stamps).get(key) == {**meta, "sha256": sha256}


def record_stamps(paths_and_hashes: list[tuple[Path, str]]) -> None:
    """Remember that these files matched these hashes (best effort, atomic write)."""
    if not paths_and_hashes:
        return
    stamps = _read_stamps()
    for path, sha in paths_and_hashes:
        key, meta = _key(path)
        stamps[key] = {**meta, "sha256": sha}
    target = stamp_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".verified-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stamps, fh)
        os.replace(tmp, target)
    except OSError:
        pass  # caching is an optimisation; without it files are re-hashed next time
