"""ID-free fallback item semantics: PPMI co-occurrence + truncated SVD ("cooc-ppmi-svd").

SRA-CL needs item text. The Amazon Beauty/Sports files shipped for ICLRec are relabelled
(``user item item ...``) without the asin mapping, so their metadata cannot be aligned. This
fallback replaces text embeddings by a classic distributional item vector: positive pointwise
mutual information of items co-occurring within ``window`` positions of each other in the
users' TRAINING histories (validation/test items excluded), factorised with a truncated SVD.
It carries collaborative, not semantic, signal; results obtained with it are labelled as such.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import svds

from rec.sracl.user_profiles import training_history


def cooccurrence_item_embeddings(
    sequences: list[list[int]], num_items: int, dim: int = 64, window: int = 3, holdout: int = 2, seed: int = 0
) -> torch.Tensor:
    """Return ``[num_items + 1, dim]`` float vectors (row 0 and unseen items are zero).

    Args:
        sequences: users' item lists in time order, ids ``1..num_items``.
        num_items: number of items.
        dim: output size (capped at ``num_items - 1``).
        window: items at most this many positions apart co-occur.
        holdout: items held out at the end of each sequence (never counted).
        seed: seed of the SVD's start vector (deterministic output).
    """
    if dim < 1 or window < 1:
        raise ValueError(f"dim and window must be >= 1, got {dim}, {window}")
    rows, cols = [], []
    for seq in sequences:
        hist = np.asarray(training_history(seq, holdout), dtype=np.int64)
        if hist.size and (hist.min() < 1 or hist.max() > num_items):
            raise ValueError(f"item ids must lie in 1..{num_items}")
        for d in range(1, window + 1):
            rows.append(hist[:-d])
            cols.append(hist[d:])
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    n = num_items + 1
    counts = sp.coo_matrix((np.ones(2 * r.size), (np.r_[r, c], np.r_[c, r])), shape=(n, n)).tocsr()
    counts.sum_duplicates()
    total = counts.sum()
    out = torch.zeros(n, dim)
    if total == 0:
        return out
    marg = np.asarray(counts.sum(1)).ravel()
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (marg[coo.row] * marg[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
    k = min(dim, n - 2)
    if k < 1 or ppmi.nnz == 0:
        return out
    v0 = np.random.default_rng(seed).standard_normal(n)
    u, s, _ = svds(ppmi.astype(np.float64), k=k, v0=v0)
    vec = u * np.sqrt(s)[None, :]
    out[:, :k] = torch.from_numpy(vec[:, ::-1].copy()).float()  # largest singular values first
    out[0] = 0.0
    return out
