"""Batched full-ranking evaluation of a sequential recommender on a leave-one-out part.

Both protocols of the literature come from one scoring pass:

- **P2** ranks the target among all items (RecBole; the MCLRec and SRA-CL papers);
- **P1** masks the items of the user's input history first (the ICLRec, ICSRec and BSARec
  papers): its rank is the P2 rank minus the distinct history items that score above the target.
"""
from __future__ import annotations

import torch

from rec.batch import SeqBatch
from rec.batching import length_sorted_chunks, trim
from rec.metrics import KS, rank_metrics

PROTOCOLS = ("p2", "p1")


def protocol_ranks(scores: torch.Tensor, targets: torch.Tensor,
                   history: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """0-based target ranks ``(p2 [B], p1 [B])`` (items scoring strictly higher; column 0,
    the padding id, never counts).

    Args:
        scores: ``[B, N]`` scores over item ids ``0..N-1``.
        targets: ``[B]`` target ids.
        history: ``[B, H]`` input-history ids (0 = padding; repeats and the target itself are
            never subtracted twice or at all).

    Ties go in the target's favour (see :func:`rec.metrics.target_ranks`). A NaN score raises
    ``FloatingPointError``: ``nan > x`` is False, so a diverged model would rank its target first.
    """
    if scores.dim() != 2 or targets.shape != scores.shape[:1] or history.shape[:1] != targets.shape:
        raise ValueError(f"scores must be [B, N], targets [B] and history [B, H], got {tuple(scores.shape)}, "
                         f"{tuple(targets.shape)} and {tuple(history.shape)}")
    if bool(torch.isnan(scores).any()):
        raise FloatingPointError("scores contain NaN: the model diverged (NaN would rank the target "
                                 "first); lower learning_rate or check the checkpoint")
    target_score = scores.gather(1, targets.view(-1, 1))
    p2 = (scores > target_score).sum(dim=1) - (scores[:, 0:1] > target_score).squeeze(1).long()
    items, _ = history.sort(dim=1)
    first = torch.ones_like(items, dtype=torch.bool)
    first[:, 1:] = items[:, 1:] != items[:, :-1]
    counted = first & (items > 0) & (items != targets.view(-1, 1))
    above = (scores.gather(1, items) > target_score) & counted
    return p2, p2 - above.sum(dim=1)


@torch.no_grad()
def evaluate_part(model, split, part: str, batch_size: int = 1024,
                  device: str | torch.device = "cpu", ks=KS) -> dict[str, dict[str, float]]:
    """HR/NDCG@k of ``split``'s ``"valid"`` or ``"test"`` rows under both protocols:
    ``{"p2": {"hr@5": ...}, "p1": {...}}``.

    Rows are scored in length order, each batch trimmed to its longest row (left-aligned
    inputs and a causal encoder: trimming changes no score, only the padding work).

    Args:
        model: a recommender with ``full_sort_scores(SeqBatch) -> [B, num_items + 1]``.
        split: a :class:`rec.split.LeaveOneOut`.
        part: ``"valid"`` or ``"test"``.
        batch_size: users per scoring batch.
        device: where to score.
        ks: cut-offs.
    """
    seq, lengths, target, history = split.part(part)
    was_training = model.training
    model.eval()
    ranks: dict[str, list[torch.Tensor]] = {name: [] for name in PROTOCOLS}
    try:
        for rows in length_sorted_chunks(lengths, batch_size):
            batch = SeqBatch(trim(seq[rows], lengths[rows]), lengths[rows], target[rows], split.users[rows]).to(device)
            scores = model.full_sort_scores(batch)
            rows_history = history[rows]
            rows_history = trim(rows_history, (rows_history > 0).sum(dim=1)).to(device)
            for name, value in zip(PROTOCOLS, protocol_ranks(scores, batch.target, rows_history)):
                ranks[name].append(value.cpu())
    finally:
        model.train(was_training)
    return {name: rank_metrics(torch.cat(values), ks) for name, values in ranks.items()}
