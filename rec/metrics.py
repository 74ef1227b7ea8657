"""Full-ranking metrics: HR@k and NDCG@k with one held-out item per user, vectorised."""
from __future__ import annotations

import math

import torch

KS = (5, 10, 20)


def target_ranks(scores: torch.Tensor, targets: torch.Tensor, exclude: torch.Tensor | None = None) -> torch.Tensor:
    """0-based rank of each row's target among all columns (items scoring strictly higher).

    Args:
        scores: ``[B, N]`` scores; column 0 (padding) is ignored.
        targets: ``[B]`` target column per row.
        exclude: optional ``[B, H]`` item ids to leave out of the ranking (history exclusion;
            0 entries are padding). The target itself is never excluded.

    Counting the items above the target costs one comparison per score and equals the
    target's position in a descending sort when no other item has exactly the target's score.
    Ties are resolved in the target's favour (optimistic; the official MCLRec code swaps the target's
    score into column 0 and takes ``torch.topk``, whose order among equal scores is
    implementation-defined); with float scores of a trained model exact ties do not occur in
    practice, but a constant-score model would get HR@k = 1.

    Raises:
        FloatingPointError: a rankable score is NaN (``nan > x`` is False, so a NaN target
            would otherwise rank first and a diverged model would score HR@k = 1).
    """
    if scores.dim() != 2 or targets.shape != scores.shape[:1]:
        raise ValueError(f"scores must be [B, N] and targets [B], got {tuple(scores.shape)} and {tuple(targets.shape)}")
    scores = scores.clone()
    target_score = scores.gather(1, targets.view(-1, 1))
    scores[:, 0] = float("-inf")
    if exclude is not None:
        scores.scatter_(1, exclude, float("-inf"))
    if bool(torch.isnan(scores).any()) or bool(torch.isnan(target_score).any()):
        raise FloatingPointError("scores contain NaN: the model diverged (NaN would rank the target "
                                 "first); lower learning_rate or check the checkpoint")
    above = scores > target_score
    return above.sum(dim=1)


def rank_metrics(ranks: torch.Tensor, ks=KS) -> dict[str, float]:
    """``hr@k`` and ``ndcg@k`` (means over rows) from 0-based target ranks."""
    ranks = ranks.double()
    out = {}
    for k in ks:
        hit = ranks < k
        out[f"hr@{k}"] = float(hit.double().mean()) if ranks.numel() else 0.0
        gain = torch.where(hit, 1.0 / torch.log2(ranks + 2.0), torch.zeros_like(ranks))
        out[f"ndcg@{k}"] = float(gain.mean()) if ranks.numel() else 0.0
    return out


def ndcg_single(rank: int) -> float:
    """NDCG of one relevant item at 0-based ``rank`` (for hand checks)."""
    return 1.0 / math.log2(rank + 2)
