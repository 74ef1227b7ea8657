"""Readers for the HeCo file formats that turn any failure into an error naming the file.

``nei_*.npy`` files are NumPy object arrays, which need ``allow_pickle=True``; they are only
read after :func:`graphcl.data.ensure_dataset` has checked their sha256 against the registry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

from graphcl.data.errors import CorruptDataError


def _corrupt(path: Path, problem: str) -> CorruptDataError:
    return CorruptDataError(
        f"{path}: {problem}; the file is corrupt or from another version: delete it and run "
        "`graphcl data fetch` (or `graphcl data verify` to see which files differ)"
    )


def read_array(path: Path, allow_pickle: bool = False) -> np.ndarray:
    """A ``.npy`` array."""
    try:
        return np.load(path, allow_pickle=allow_pickle)
    except Exception as exc:  # numpy raises ValueError, OSError, EOFError, UnpicklingError...
        raise _corrupt(path, f"cannot be read as a NumPy array ({exc})") from exc


def read_matrix(path: Path) -> sp.spmatrix | np.ndarray:
    """A scipy sparse ``.npz`` (``sp.save_npz``) or a dense array stored under an ``.npz`` name
    (HeCo's ``dblp/t_feat.npz`` is really a ``.npy`` file)."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.ndarray):
            return loaded
        with loaded:
            if "format" in loaded.files:
                return sp.load_npz(path)
            if len(loaded.files) == 1:
                return loaded[loaded.files[0]]
            raise ValueError(f"unexpected arrays {loaded.files}")
    except CorruptDataError:
        raise
    except Exception as exc:
        raise _corrupt(path, f"cannot be read as a sparse or dense matrix ({exc})") from exc


def read_edges(path: Path) -> np.ndarray:
    """An edge list with two integer ids per line, as an ``[E, 2]`` int64 array."""
    try:
        edges = np.loadtxt(path, dtype=np.int64, ndmin=2)
    except Exception as exc:
        raise _corrupt(path, f"is not a list of integer id pairs ({exc})") from exc
    if edges.size and edges.shape[1] != 2:
        raise _corrupt(path, f"has {edges.shape[1]} columns per line, expected 2 (source id, target id)")
    return edges.reshape(-1, 2)


def check_ids(path: Path, ids: np.ndarray, n: int, what: str) -> None:
    """Raise if any id is outside ``[0, n)``."""
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise _corrupt(path, f"has {what} ids in [{ids.min()}, {ids.max()}], outside [0, {n})")


def check_shape(path: Path, shape: tuple, expected: tuple) -> None:
    if tuple(shape) != tuple(expected):
        raise _corrupt(path, f"has shape {tuple(shape)}, expected {tuple(expected)}")


def corrupt(path: Path, problem: str) -> CorruptDataError:
    """The error for an inconsistent file (public for the loaders)."""
    return _corrupt(path, problem)


def to_sparse_tensor(m: sp.spmatrix) -> torch.Tensor:
    """Coalesced float32 sparse COO tensor of a scipy matrix (duplicates summed)."""
    csr = sp.csr_matrix(m, dtype=np.float32)
    csr.sum_duplicates()  # also sorts indices: the COO below is in coalesced order
    coo = csr.tocoo()
    index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    return torch.sparse_coo_tensor(
        index, torch.from_numpy(coo.data), coo.shape, is_coalesced=True, check_invariants=False
    )  # built sorted and deduplicated above
