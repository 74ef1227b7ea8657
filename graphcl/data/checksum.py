"""sha256 of dataset files.

Every load hashes every registered file (``docs/data.md`` has the cost: at most ~30 ms per
benchmark dataset), so a file edited in place is caught even when its size and mtime were kept.
"""

from __future__ import annotations

import hashlib
import os

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of the file at ``path`` (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
