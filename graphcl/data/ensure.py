"""Make sure a dataset's files are present and intact: download what is missing, hash every file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from graphcl.data.checksum import sha256_file
from graphcl.data.download import download_file
from graphcl.data.errors import ChecksumError, MissingDataError
from graphcl.data.registry import dataset_info
from graphcl.data.root import resolve_data_root


def recbole_package_dir() -> Path:
    """Folder of the installed ``recbole`` package, found without importing it (importing
    RecBole is slow and patches global state; see ``rec/recbole.py``)."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDataError("RecBole is not installed; install graphcl's dependencies (recbole==1.2.1)")
    return Path(list(spec.submodule_search_locations)[0])


def dataset_dir(name: str, root: str | Path | None = None, registry: dict | None = None) -> Path:
    """Folder holding the files of dataset ``name``: ``<data root>/<folder>``, or for
    ``recbole_builtin`` datasets ``<recbole package>/<folder>``.

    Args:
        name: dataset name in the registry.
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache); unused for builtins.
        registry: registry mapping to use instead of the shipped one (tests).
    """
    info = dataset_info(name, registry)
    if info["kind"] == "recbole_builtin":
        return recbole_package_dir() / info["folder"]
    return resolve_data_root(root) / info["folder"]


def _fetch_hint(name: str, root: Path) -> str:
    return f"run `graphcl data fetch {name} --data-root {root}` (or set GRAPHCL_DATA to a folder holding it)"


def _check_existing(name: str, path: Path, meta: dict) -> None:
    """Check size, then sha256, of a present file (every load: an edit that kept size and mtime
    is caught too)."""
    size, expected = meta.get("size"), meta.get("sha256")
    actual_size = path.stat().st_size
    fix = f"delete {path} and run `graphcl data fetch {name}` to download it again"
    if size is not None and actual_size != size:
        raise ChecksumError(
            f"{path} of dataset {name!r} has {actual_size} bytes, the registry expects {size} "
            f"(truncated or a different version); {fix}"
        )
    if expected is None:
        return  # registered without a hash: verified by its statistics and content checks only
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumError(f"{path} of dataset {name!r} has sha256 {actual}, the registry expects {expected}; {fix}")


def _download_missing(name: str, path: Path, meta: dict, data_root: Path) -> None:
    url = meta.get("url")
    elsewhere = (
        f"{path} of dataset {name!r} is missing under the data root {data_root}; if the data lives "
        "elsewhere, point --data-root (or GRAPHCL_DATA) at that folder"
    )
    if not url:
        raise MissingDataError(f"{elsewhere}, else place the file there by hand (it has no download URL)")
    try:
        download_file(url, path, meta.get("sha256"))
    except MissingDataError as exc:
        raise MissingDataError(f"{elsewhere}; downloading it failed: {exc}") from exc


def ensure_dataset(
    name: str, root: str | Path | None = None, download: bool = True, *, registry: dict | None = None
) -> Path:
    """Check every file of dataset ``name`` and return the folder holding them.

    Missing files are downloaded from their registered URL (when ``download``), written
    atomically and checked against their sha256. Present files are checked for size and hash
    on every call.

    Args:
        name: dataset name in the registry.
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        download: fetch missing files; if ``False`` a missing file raises
            :class:`~graphcl.data.errors.MissingDataError`.
        registry: registry mapping to use instead of the shipped one (tests).
    """
    info = dataset_info(name, registry)
    folder = dataset_dir(name, root, registry)
    builtin = info["kind"] == "recbole_builtin"
    for filename, meta in info["files"].items():
        meta = meta or {}
        path = folder / filename
        if path.is_file():
            _check_existing(name, path, meta)
        elif builtin:
            raise MissingDataError(f"{path} is missing from the RecBole install; reinstall recbole==1.2.1")
        elif not download:
            raise MissingDataError(
                f"{path} of dataset {name!r} is missing; {_fetch_hint(name, resolve_data_root(root))}"
            )
        else:
            _download_missing(name, path, meta, resolve_data_root(root))
    return folder


def missing_files(name: str, root: str | Path | None = None, registry: dict | None = None) -> list[str]:
    """Names of the files of ``name`` absent under the root (no hashing).

    Args:
        name: dataset name in the registry.
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        registry: registry mapping to use instead of the shipped one (tests).
    """
    folder = dataset_dir(name, root, registry)
    return [f for f in dataset_info(name, registry)["files"] if not (folder / f).is_file()]
