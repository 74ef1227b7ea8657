"""Node classification with logistic regression on frozen embeddings (HeCo/MEOW protocol),
scored by batched Macro/Micro-F1."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import roc_auc_score


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


def logreg_evaluate(
    embeds: torch.Tensor,
    labels: torch.Tensor,
    train_idx: torch.Tensor,
    val_idx: torch.Tensor,
    test_idx: torch.Tensor | None,
    lr: float = 0.01,
    weight_decay: float = 0.0,
    repeats: int = 50,
    iterations: int = 200,
    seed: int = 0,
) -> dict[str, float]:
    """The evaluation of HeCo and MEOW (``utils/evaluate.py``, from DMGI).

    ``repeats`` logistic regressions (Xavier-uniform weights, zero bias, Adam with ``lr`` and
    ``weight_decay``, full-batch cross-entropy on the training nodes) are trained for
    ``iterations`` steps each. After every step, validation and test predictions are scored; per
    repeat the test Macro-F1 (resp. Micro-F1) is read at the step of best validation Macro-F1
    (resp. Micro-F1; first such step), and the test AUC (one-vs-rest, softmax scores) at the
    best-validation-Micro-F1 step (the official code reuses that step index for the AUC). Results are
    means and standard deviations over repeats.
    The repeats are trained together as one batched model; Adam is element-wise, so each repeat
    follows exactly the updates it would get alone.

    Args:
        embeds: ``[N, D]`` node embeddings (detached).
        labels: ``[N]`` class ids.
        train_idx, val_idx, test_idx: node ids of the splits; ``test_idx=None`` never reads a test
            node (validation-only model selection) and returns only the ``val_*`` keys.
        lr: Adam learning rate (``eva_lr``).
        weight_decay: Adam weight decay (``eva_wd``).
        repeats: number of independently initialised classifiers (50 in the papers).
        iterations: training steps per classifier (200 in the papers).
        seed: seed of the initialisations.

    Returns:
        ``macro_f1``, ``micro_f1``, ``auc``, ``accuracy`` (test, at the best validation step),
        ``val_macro_f1`` / ``val_micro_f1`` (best validation scores), and ``*_std`` for the test metrics
        (with ``test_idx=None``: only ``val_macro_f1`` and ``val_micro_f1``).
    """
    if repeats < 1 or iterations < 1:
        raise ValueError(f"repeats and iterations must be >= 1, got {repeats} and {iterations}")
    embeds = embeds.detach().float().cpu()
    labels = torch.as_tensor(labels).long().cpu()
    num_classes = int(labels.max()) + 1
    dim = embeds.size(1)
    gen = torch.Generator().manual_seed(seed)
    bound = float(np.sqrt(6.0 / (dim + num_classes)))  # xavier_uniform_ of nn.Linear(dim, C)
    weight = ((torch.rand(repeats, dim, num_classes, generator=gen) * 2 - 1) * bound).requires_grad_()
    bias = torch.zeros(repeats, 1, num_classes, requires_grad=True)
    opt = torch.optim.Adam([weight, bias], lr=lr, weight_decay=weight_decay)
    with_test = test_idx is not None
    if not with_test:  # an empty test split: no test node is indexed, scored or returned
        test_idx = torch.zeros(0, dtype=torch.long)
    x_tr, x_va, x_te = embeds[train_idx], embeds[val_idx], embeds[test_idx]
    y_tr, y_va, y_te = labels[train_idx], labels[val_idx], labels[test_idx]
    best_val_ma = torch.full((repeats,), -1.0)
    best_val_mi = torch.full((repeats,), -1.0)
    best_val_acc = torch.full((repeats,), -1.0)
    test_ma, test_mi, test_acc = torch.zeros(repeats), torch.zeros(repeats), torch.zeros(repeats)
    test_proba = torch.zeros(repeats, len(test_idx), num_classes)
    for _ in range(iterations):
        opt.zero_grad()
        logits = torch.baddbmm(bias, x_tr.expand(repeats, -1, -1), weight)
        # sum over repeats: each repeat's gradient only depends on its own loss
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, num_classes), y_tr.repeat(repeats), reduction="sum"
        ) / len(train_idx)
        loss.backward()
        opt.step()
        with torch.no_grad():
            lv = torch.baddbmm(bias, x_va.expand(repeats, -1, -1), weight)
            pv = lv.argmax(-1)
            v_ma, v_mi = f1_scores(pv, y_va, num_classes)
            if not with_test:
                best_val_ma, best_val_mi = torch.maximum(v_ma, best_val_ma), torch.maximum(v_mi, best_val_mi)
                continue
            lt = torch.baddbmm(bias, x_te.expand(repeats, -1, -1), weight)
            pt = lt.argmax(-1)
            t_ma, t_mi = f1_scores(pt, y_te, num_classes)
            v_acc = (pv == y_va).float().mean(1)
            up = v_ma > best_val_ma
            best_val_ma = torch.where(up, v_ma, best_val_ma)
            test_ma = torch.where(up, t_ma, test_ma)
            up = v_mi > best_val_mi
            best_val_mi = torch.where(up, v_mi, best_val_mi)
            test_mi = torch.where(up, t_mi, test_mi)
            test_proba[up] = torch.softmax(lt[up], dim=-1)
            up = v_acc > best_val_acc
            best_val_acc = torch.where(up, v_acc, best_val_acc)
            test_acc = torch.where(up, (pt == y_te).float().mean(1), test_acc)
    if not with_test:
        return {"val_macro_f1": float(best_val_ma.mean()), "val_micro_f1": float(best_val_mi.mean())}
    y_np = y_te.numpy()
    if num_classes == 2:
        aucs = np.array([roc_auc_score(y_np, p[:, 1].numpy()) for p in test_proba])
    else:
        aucs = np.array([roc_auc_score(y_np, p.numpy(), multi_class="ovr") for p in test_proba])
    return {
        "macro_f1": float(test_ma.mean()),
        "macro_f1_std": float(test_ma.std(unbiased=False)),
        "micro_f1": float(test_mi.mean()),
        "micro_f1_std": float(test_mi.std(unbiased=False)),
        "auc": float(aucs.mean()),
        "auc_std": float(aucs.std()),
        "accuracy": float(test_acc.mean()),
        "val_macro_f1": float(best_val_ma.mean()),
        "val_micro_f1": float(best_val_mi.mean()),
    }
