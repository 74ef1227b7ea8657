"""On-disk cache of text embeddings keyed by encoder identity + a hash of the texts.

Embedding tens of thousands of item/user texts is the slow part of SRA-CL's preprocessing on a
CPU, so the result is stored once. The key covers the encoder (``encoder.name``) and every text
in order: editing one title, reordering items or switching models gives a new key, never a
stale hit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

import torch

from graphcl.utils.run_files import save_atomic


class TextEncoder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> torch.Tensor: ...


def embedding_key(encoder_name: str, texts: list[str]) -> str:
    """sha256 over the encoder name and the texts (length-prefixed, so no two lists collide)."""
    h = hashlib.sha256()
    h.update(encoder_name.encode())
    for text in texts:
        data = text.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def cached_encode(
    texts: list[str], encoder: TextEncoder, cache_dir: str | Path | None, tag: str = "emb"
) -> torch.Tensor:
    """``encoder.encode(texts)``, read from / written to ``cache_dir`` when it is given.

    Args:
        texts: the texts, in the row order of the result.
        encoder: anything with ``name`` and ``encode(list[str]) -> Tensor[N, D]``.
        cache_dir: folder of cache files; ``None`` disables caching.
        tag: file-name prefix (``"items"``, ``"users"``) so a cache folder stays readable.
    """
    if cache_dir is None:
        return _checked(encoder.encode(list(texts)), len(texts))
    key = embedding_key(encoder.name, list(texts))
    path = Path(cache_dir) / f"{tag}-{key[:24]}.pt"
    if path.is_file():
        stored = torch.load(path, map_location="cpu", weights_only=True)
        if stored.get("key") == key:
            return _checked(stored["embeddings"], len(texts))
    emb = _checked(encoder.encode(list(texts)), len(texts))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_atomic({"key": key, "encoder": encoder.name, "embeddings": emb}, path)
    return emb


def _checked(emb: torch.Tensor, n: int) -> torch.Tensor:
    if not isinstance(emb, torch.Tensor) or emb.dim() != 2 or emb.size(0) != n:
        shape = tuple(emb.shape) if isinstance(emb, torch.Tensor) else type(emb).__name__
        raise ValueError(f"encoder returned {shape}; expected a [{n}, D] tensor, one row per text")
    if not torch.isfinite(emb).all():
        raise ValueError("encoder returned non-finite embeddings")
    return emb.float()
