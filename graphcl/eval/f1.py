"""Macro/Micro-F1 for many prediction vectors at once (torch, batched)."""
from __future__ import annotations

import torch


def f1_scores(preds: torch.Tensor, labels: torch.Tensor, num_classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Macro- and Micro-F1 of each row of ``preds`` ``[R, n]`` against ``labels`` ``[n]``.

    Same definitions as ``sklearn.metrics.f1_score(average="macro"/"micro")``: the macro average
    runs over the classes present in ``labels`` or ``preds`` (per row), a class with no true and
    no predicted sample is left out, and ``0/0`` counts as 0.
    """
    preds = preds.reshape(-1, labels.numel())
    onehot_p = torch.nn.functional.one_hot(preds, num_classes).float()  # [R, n, C]
    onehot_y = torch.nn.functional.one_hot(labels, num_classes).float()[None]  # [1, n, C]
    tp = (onehot_p * onehot_y).sum(dim=1)
    pred_count = onehot_p.sum(dim=1)
    true_count = onehot_y.sum(dim=1).expand_as(tp)
    denom = pred_count + true_count
    f1 = torch.where(denom > 0, 2 * tp / denom.clamp_min(1), torch.zeros_like(tp))
    present = denom > 0
    macro = (f1 * present).sum(dim=1) / present.sum(dim=1).clamp_min(1)
    micro = tp.sum(dim=1) / labels.numel()
    return macro, micro
