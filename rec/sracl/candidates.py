"""What SRA-CL's per-prefix retrieval can return: other users, or other users' training prefixes.

The official SRA-CL code (Cui et al., NeurIPS 2025; `src_code/main.py`) embeds every training
prefix and matches each prefix against all the others, so a cross-sequence neighbour is a
*prefix* of another sequence, not a user's whole history. :func:`training_prefixes` builds that
candidate set from the training histories only (validation and test targets never enter), and
:func:`masked_topk` retrieves from it per batch, never returning a candidate owned by the
anchor's own user: the official table only drops column 0 ("itself"), so its neighbours can be
the same user's longer prefixes, which hold the anchor's own target.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from rec.sracl.user_profiles import training_history


def training_prefixes(
    sequences: list[list[int]], max_len: int, holdout: int = 2
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every non-empty prefix of every user's training history.

    Args:
        sequences: users' items in time order (full sequences; the last ``holdout`` items of
            each are the evaluation targets and are dropped first).
        max_len: items kept per prefix (its last ``max_len``), as the encoder sees them.
        holdout: trailing items per sequence held out for validation and test.

    Returns:
        ``seqs [P, max_len]`` (left-aligned, 0-padded), ``lens [P]`` and ``owner [P]`` (the row of
        the sequence each prefix comes from), users in row order, shorter prefixes first.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    histories = [training_history(s, holdout) for s in sequences]
    total = sum(len(h) for h in histories)
    seqs = torch.zeros(total, max_len, dtype=torch.long)
    lens = torch.zeros(total, dtype=torch.long)
    owner = torch.zeros(total, dtype=torch.long)
    row = 0
    for u, hist in enumerate(histories):
        for end in range(1, len(hist) + 1):
            window = hist[max(0, end - max_len) : end]
            seqs[row, : len(window)] = torch.tensor(window, dtype=torch.long)
            lens[row] = len(window)
            owner[row] = u
            row += 1
    return seqs, lens, owner


def masked_topk(
    query: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    query_owner: torch.Tensor,
    key_owner: torch.Tensor | None = None,
    valid: torch.Tensor | None = None,
    chunk: int = 256,
) -> torch.Tensor:
    """Indices ``[B, k]`` of each query's ``k`` most cosine-similar keys, most similar first.

    A key is never returned to a query with the same owner, nor when ``valid`` marks it False.
    Each query fetches ``k`` plus its owner's number of keys and drops its own afterwards, so no
    ``[B, P]`` owner comparison is made (it cost as much as the scoring itself).

    Args:
        query: ``[B, D]`` anchor vectors (normalised here).
        keys: ``[P, D]`` unit-norm candidate vectors (normalise once, outside the training loop).
        k: neighbours per query.
        query_owner: ``[B]`` owner (user) of each query.
        key_owner: ``[P]`` owner of each key; ``None``: key ``j`` is owned by ``j`` (keys are users).
        valid: optional bool ``[P]``.
        chunk: query rows scored at once (bounds the ``[chunk, P]`` score block).
    """
    if query.dim() != 2 or keys.dim() != 2 or query.size(1) != keys.size(1):
        raise ValueError(f"query [B, D] and keys [P, D] must share D, got {tuple(query.shape)} and {tuple(keys.shape)}")
    if query_owner.shape != query.shape[:1]:
        raise ValueError(f"query_owner must be [{query.size(0)}], got {tuple(query_owner.shape)}")
    if key_owner is None:
        key_owner = torch.arange(keys.size(0), device=keys.device)
    if key_owner.shape != keys.shape[:1] or (valid is not None and valid.shape != keys.shape[:1]):
        raise ValueError(f"key_owner and valid must be [{keys.size(0)}]")
    if not 1 <= k <= keys.size(0):
        raise ValueError(f"k={k} but there are {keys.size(0)} candidates")
    size = int(max(key_owner.max(), query_owner.max())) + 1
    own = torch.bincount(key_owner, minlength=size)[query_owner]  # keys each query must skip
    q = F.normalize(query.float(), dim=1)
    out = torch.empty(query.size(0), k, dtype=torch.long, device=query.device)
    for start in range(0, query.size(0), chunk):
        rows = slice(start, start + chunk)
        sim = q[rows] @ keys.T
        if valid is not None:
            sim.masked_fill_(~valid[None, :], float("-inf"))
        scores, idx = sim.topk(min(keys.size(0), k + int(own[rows].max())), dim=1)
        keep = (key_owner[idx] != query_owner[rows, None]) & ~torch.isinf(scores)
        if (keep.sum(1) < k).any():
            raise ValueError(f"a query has fewer than k={k} candidates of other owners; lower k_users")
        order = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices[:, :k]  # kept, best first
        out[rows] = idx.gather(1, order)
    return out
