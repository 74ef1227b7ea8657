"""Top-k cosine nearest neighbours for SRA-CL's user and item retrieval.

SRA-CL (Cui et al., NeurIPS 2025) retrieves, for every user, the k most semantically similar
users (cross-sequence positives) and for every item the k most similar items (substitution
candidates). This uses faiss (exact inner-product index on L2-normalised vectors) when it is
installed and a batched torch matmul + topk otherwise; both return the same neighbours up to
ties.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def topk_neighbours(
    embeddings: torch.Tensor,
    k: int,
    exclude_self: bool = True,
    backend: Literal["auto", "faiss", "torch"] = "auto",
    batch_size: int = 4096,
    valid: torch.Tensor | None = None,
) -> torch.Tensor:
    """Indices ``[N, k]`` of each row's k most cosine-similar rows, most similar first.

    Args:
        embeddings: ``[N, D]`` float vectors (normalised here; zero rows stay zero).
        k: neighbours per row; needs ``k <= N - 1`` with ``exclude_self`` (else ``k <= N``).
        exclude_self: never return a row as its own neighbour (also when duplicates tie).
        backend: ``"faiss"``, ``"torch"`` or ``"auto"`` (faiss when importable).
        batch_size: query rows per step (bounds the ``[batch, N]`` score block in memory).
        valid: optional bool ``[N]``; rows marked False (e.g. the padding item 0, items without
            text) are never returned as neighbours.
    """
    if not isinstance(embeddings, torch.Tensor) or embeddings.dim() != 2:
        raise ValueError("embeddings must be a 2-D tensor [N, D]")
    if not embeddings.is_floating_point():
        raise ValueError(f"embeddings must be floating point, got {embeddings.dtype}")
    n = embeddings.size(0)
    candidates = n if valid is None else int(valid.sum())
    limit = candidates - 1 if exclude_self else candidates
    if not 1 <= k <= limit:
        raise ValueError(f"k={k} but only {limit} candidate neighbours exist; choose 1 <= k <= {limit}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if backend not in ("auto", "faiss", "torch"):
        raise ValueError(f"backend must be 'auto', 'faiss' or 'torch', got {backend!r}")
    if backend == "faiss" and not faiss_available():
        raise ImportError("backend='faiss' but faiss is not installed: pip install faiss-cpu, or use backend='torch'")
    x = F.normalize(embeddings.detach().float().cpu(), dim=1)
    if valid is not None and (valid.shape != (n,) or valid.dtype != torch.bool):
        raise ValueError(f"valid must be a bool tensor of shape [{n}]")
    use_faiss = backend == "faiss" or (backend == "auto" and faiss_available())
    # One extra candidate covers the row itself (invalid rows score -inf / are not indexed).
    fetch = min(n, k + 1)
    out = torch.empty(n, k, dtype=torch.long)
    search = _faiss_search(x, valid) if use_faiss else None
    for start in range(0, n, batch_size):
        q = x[start : start + batch_size]
        if search is not None:
            scores, idx = search(q, fetch)
        else:
            sim = q @ x.T
            if valid is not None:
                sim[:, ~valid] = float("-inf")
            scores, idx = sim.topk(fetch, dim=1)
        out[start : start + q.size(0)] = _drop_self_and_invalid(idx, start, k, exclude_self, valid)
    return out


def _faiss_search(keys: torch.Tensor, valid: torch.Tensor | None):
    import faiss

    ids = torch.arange(keys.size(0)) if valid is None else valid.nonzero().flatten()
    index = faiss.IndexIDMap(faiss.IndexFlatIP(keys.size(1)))
    index.add_with_ids(keys[ids].numpy(), ids.numpy().astype("int64"))

    def search(q: torch.Tensor, fetch: int):
        scores, idx = index.search(q.numpy(), min(fetch, ids.numel()))
        return torch.from_numpy(scores), torch.from_numpy(idx).long()

    return search


def _drop_self_and_invalid(
    idx: torch.Tensor, start: int, k: int, exclude_self: bool, valid: torch.Tensor | None
) -> torch.Tensor:
    rows = torch.arange(start, start + idx.size(0)).unsqueeze(1)
    keep = idx >= 0
    if exclude_self:
        keep &= idx != rows
    if valid is not None:
        keep &= valid[idx.clamp(min=0)]
    # Stable: the order of kept candidates (most similar first) is preserved.
    order = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices
    return idx.gather(1, order)[:, :k]
