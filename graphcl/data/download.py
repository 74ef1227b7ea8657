"""Download one file atomically while hashing it (``http(s)://`` and ``file://`` URLs)."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from graphcl.data.errors import ChecksumError, MissingDataError

_CHUNK = 1 << 20


def download_file(url: str, dest: Path, sha256: str | None = None, timeout: float = 60.0) -> str:
    """Fetch ``url`` to ``dest`` and return its sha256.

    The bytes go to a temporary file beside ``dest`` that is renamed into place only after the
    hash matched, so an interrupted or corrupt download never leaves a file at ``dest``.

    Args:
        url: source address (``https://``, ``http://`` or ``file://``).
        dest: final path; parent folders are created.
        sha256: expected hex digest, or ``None`` to accept any content.
        timeout: socket timeout in seconds.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
            for block in iter(lambda: response.read(_CHUNK), b""):
                digest.update(block)
                out.write(block)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise MissingDataError(
            f"could not download {url} to {dest}: {exc}. Check the network, or download the file "
            f"by hand and place it at {dest}"
        ) from exc
    actual = digest.hexdigest()
    if sha256 is not None and actual != sha256:
        tmp.unlink(missing_ok=True)
        raise ChecksumError(
            f"downloaded {url} has sha256 {actual}, the registry expects {sha256}; the source "
            f"changed or the transfer was corrupted: retry, or place a correct copy at {dest}"
        )
    os.replace(tmp, dest)
    return actual
