"""Read precomputed semantic embeddings (e.g. the official SRA-CL ``*_semantic_embeddings.pt``).

Accepted layouts, for ids ``1..num`` (0 is padding):

- an ordered matrix (``.npy`` array or ``.pt`` tensor) of ``num`` rows (row ``i`` is id ``i+1``)
  or ``num + 1`` rows (row 0 is the padding row and is ignored);
- ids next to vectors: ``.npz`` with arrays ``ids`` and ``embeddings``, or ``.pt`` holding
  ``{"ids": ..., "embeddings": ...}`` or ``{id: vector}``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from graphcl.utils.errors import MissingFileError


def load_embedding_file(path: str | Path, num: int, what: str = "item") -> torch.Tensor:
    """Return a float tensor ``[num + 1, D]`` whose row ``i`` is id ``i`` (row 0 zeros).

    Args:
        path: ``.npy``, ``.npz`` or ``.pt`` file (layouts in the module docstring).
        num: number of ids (items or users); every id ``1..num`` must have a vector.
        what: ``"item"`` or ``"user"``, used in error messages.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{what} embedding file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        obj = np.load(path, allow_pickle=False)
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            if "ids" not in z or "embeddings" not in z:
                raise ValueError(f"{path}: an .npz embedding file needs arrays 'ids' and 'embeddings', found {list(z)}")
            obj = {"ids": z["ids"], "embeddings": z["embeddings"]}
    elif suffix == ".pt":
        obj = torch.load(path, map_location="cpu", weights_only=True)
    else:
        raise ValueError(f"{path}: unsupported embedding file type {suffix!r}; use .npy, .npz or .pt")

    if isinstance(obj, dict) and "embeddings" in obj:
        ids, vectors = torch.as_tensor(np.asarray(obj["ids"])).long(), _matrix(obj["embeddings"], path)
    elif isinstance(obj, dict):
        ids = torch.tensor([int(k) for k in obj], dtype=torch.long)
        vectors = _matrix(torch.stack([torch.as_tensor(np.asarray(v)) for v in obj.values()]), path)
    else:
        vectors = _matrix(obj, path)
        if vectors.size(0) == num + 1:
            vectors = vectors[1:]  # a padding row 0 is part of the file
        if vectors.size(0) != num:
            raise ValueError(
                f"{path}: ordered {what} embedding matrix has {vectors.size(0)} rows but there are "
                f"{num} {what}s; give {num} rows (id order) or {num + 1} (row 0 = padding), or an id column"
            )
        ids = torch.arange(1, num + 1)
    return _scatter(ids, vectors, num, what, path)


def _matrix(x, path: Path) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    if t.dim() != 2 or not t.is_floating_point():
        raise ValueError(f"{path}: embeddings must be a 2-D float matrix, got shape {tuple(t.shape)} dtype {t.dtype}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{path}: embeddings contain NaN or inf")
    return t.float()


def _scatter(ids: torch.Tensor, vectors: torch.Tensor, num: int, what: str, path: Path) -> torch.Tensor:
    if ids.dim() != 1 or ids.numel() != vectors.size(0):
        raise ValueError(f"{path}: {ids.numel()} ids for {vectors.size(0)} embedding rows")
    if ids.numel() and (ids.min() < 1 or ids.max() > num):
        raise ValueError(f"{path}: {what} ids must lie in 1..{num}, found {int(ids.min())}..{int(ids.max())}")
    if ids.unique().numel() != ids.numel():
        raise ValueError(f"{path}: duplicate {what} ids in the embedding file")
    out = torch.zeros(num + 1, vectors.size(1))
    out[ids] = vectors
    covered = torch.zeros(num + 1, dtype=torch.bool)
    covered[ids] = True
    missing = (~covered[1:]).nonzero().flatten() + 1
    if missing.numel():
        raise ValueError(
            f"{path}: {missing.numel()} {what}s have no embedding (e.g. ids {missing[:5].tolist()}); "
            "the file must cover every id of the dataset"
        )
    return out
