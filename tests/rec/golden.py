"""Independent loop implementations of the recommenders' losses, written from the papers and the
official code (not from our vectorised modules), for the golden tests.

- Next-item cross entropy: SASRec / CL4SRec / MCLRec, ``-s_target + log sum_j exp(s_j)`` over ids
  ``0..num_items`` (RecBole's ``CrossEntropyLoss`` on ``seq_output @ item_emb.T``).
- NT-Xent (CL4SRec, Xie et al. 2022; RecBole-CL ``info_nce``; MCLRec's ``NCE``): the 2B views
  ``[a; b]``, for each row the partner is the positive and every other row but itself a
  negative; mean over the 2B rows of ``-log(e^{s_ip/t} / sum_{j != i} e^{s_ij/t})``.
- MCLRec's margin regulariser (``meta_contrast_rl_1`` in QinHsiu/MCLRec): per row ``p`` the
  partner similarity, ``n_max`` the hardest negative; ``mean relu(p - min(p, n_max)) +
  mean over negatives relu(max(p, n_max) - n)``.
- SRA-CL's synthesis (Cui et al. 2025): ``e_j = LeakyReLU_0.2(a^T [W s_u || W s_j])``,
  ``w = softmax(e)``, positive ``sum_j w_j h_j``.
"""

from __future__ import annotations

import torch


def cross_entropy(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    total = 0.0
    for row, target in zip(scores, targets.tolist()):
        total = total - row[target] + torch.logsumexp(row, dim=0)
    return total / scores.shape[0]


def nt_xent(a: torch.Tensor, b: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    z = torch.cat([a, b])
    n, batch = z.shape[0], a.shape[0]
    total = 0.0
    for i in range(n):
        partner = (i + batch) % n
        logits = [z[i] @ z[j] / temperature for j in range(n) if j != i]
        positive = z[i] @ z[partner] / temperature
        total = total - positive + torch.logsumexp(torch.stack(logits), dim=0)
    return total / n


def margin_regulariser(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    z = torch.cat([a, b])
    n, batch = z.shape[0], a.shape[0]
    positive_part, negative_part, negatives_seen = 0.0, 0.0, 0
    for i in range(n):
        partner = (i + batch) % n
        p = z[i] @ z[partner]
        negatives = [z[i] @ z[j] for j in range(n) if j not in (i, partner)]
        hardest = max(negatives, key=float)
        positive_part = positive_part + torch.relu(p - torch.minimum(p, hardest))
        for value in negatives:
            negative_part = negative_part + torch.relu(torch.maximum(p, hardest) - value)
            negatives_seen += 1
    return positive_part / n + negative_part / negatives_seen


def mclrec_meta(z1, z2, g1, g2, regulariser_weight: float = 0.1) -> torch.Tensor:
    """``NCE(z1, g2 z2) + NCE(z2, g1 z1) + NCE(g1 z1, g2 z2)`` (temperature 1, dot) plus the
    regulariser on the same three pairs (official ``use_rl: 1``)."""
    pairs = [(z1, g2(z2)), (z2, g1(z1)), (g1(z1), g2(z2))]
    loss = sum(nt_xent(a, b) for a, b in pairs)
    return loss + regulariser_weight * sum(margin_regulariser(a, b) for a, b in pairs)


def synthesised_positive(anchor_sem, neighbour_sem, neighbour_repr, project, attention, slope=0.2):
    """SRA-CL's attention-weighted positive, one row at a time."""
    rows = []
    for u in range(anchor_sem.shape[0]):
        wu = project @ anchor_sem[u]
        logits = []
        for j in range(neighbour_sem.shape[1]):
            e = attention @ torch.cat([wu, project @ neighbour_sem[u, j]])
            logits.append(torch.where(e > 0, e, slope * e))
        weights = torch.softmax(torch.stack(logits), dim=0)
        rows.append(sum(w * h for w, h in zip(weights, neighbour_repr[u])))
    return torch.stack(rows)
