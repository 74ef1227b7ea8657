"""Batched full-ranking evaluation of a sequential recommender on a leave-one-out part."""
from __future__ import annotations

import torch

from rec.metrics import KS, rank_metrics, target_ranks
from rec.recbole_compat import Interaction


def batch_interaction(model, seq: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor,
                      users: torch.Tensor | None = None) -> Interaction:
    """A RecBole ``Interaction`` with the model's field names."""
    fields = {model.ITEM_SEQ: seq, model.ITEM_SEQ_LEN: lengths, model.POS_ITEM_ID: target}
    if users is not None:
        fields[model.USER_ID] = users
    return Interaction(fields)


@torch.no_grad()
def evaluate_part(model, split, part: str, batch_size: int = 1024, exclude_history: bool = False,
                  device: str | torch.device = "cpu", ks=KS) -> dict[str, float]:
    """HR/NDCG@k over all items for ``split``'s ``"valid"`` or ``"test"`` rows.

    Args:
        model: a ``SequentialRecommender`` with ``full_sort_predict``.
        split: a :class:`rec.split.LeaveOneOut`.
        part: ``"valid"`` or ``"test"``.
        batch_size: users per scoring batch.
        exclude_history: drop the items of each user's input history from the ranking
            (off in the papers' protocol).
        device: where to score.
        ks: cut-offs.
    """
    seq, lengths, target, history = split.part(part)
    was_training = model.training
    model.eval()
    ranks = []
    try:
        for start in range(0, seq.shape[0], batch_size):
            rows = slice(start, start + batch_size)
            inter = batch_interaction(model, seq[rows], lengths[rows], target[rows], split.users[rows]).to(device)
            scores = model.full_sort_predict(inter)
            exclude = history[rows].to(device) if exclude_history else None
            ranks.append(target_ranks(scores, inter[model.POS_ITEM_ID], exclude).cpu())
    finally:
        model.train(was_training)
    return rank_metrics(torch.cat(ranks), ks)
