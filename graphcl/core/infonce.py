"""Generalised InfoNCE: many positives, weighted negatives, row chunks."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint as _checkpoint

from graphcl.core._checks import (
    REDUCTIONS,
    SIMILARITIES,
    check_choice,
    check_embeddings,
    check_optional_positive_int,
    check_positive_float,
    reduce,
    similarity_inputs,
)
from graphcl.core._pairs import NegativeWeights, PositiveMask


# Exponent cap for zero-weight pairs (they contribute 0 to the loss but their exp is still
# evaluated, and is their weight's gradient): keeps 0 * exp(.) from becoming 0 * inf = NaN when
# such a pair is far more similar than every counted one. Set just below overflow for the dtype
# (float32 ~78, float64 ~699), so the gradient is exact unless it would itself overflow.
def _zero_weight_exp_cap(dtype: torch.dtype) -> float:
    return math.log(torch.finfo(dtype).max) - 10.0


class InfoNCE(nn.Module):
    r"""InfoNCE with several positives per anchor and weighted negatives.

    InfoNCE / CPC (van den Oord et al., 2018, "Representation Learning with Contrastive Predictive
    Coding"), in the multi-positive form of HeCo (Wang et al., KDD 2021) and MEOW (Yu et al., 2023),
    with per-pair negative weights (MEOW's cluster-based hard weights, AdaMEOW's learned weights).

    For anchor :math:`i` with positive set :math:`P(i)` and similarity :math:`s_{ij}`:

    .. math::
        \ell_i = -\log \frac{\sum_{p\in P(i)} e^{s_{ip}/\tau}}
                 {[\sum_{p\in P(i)} e^{s_{ip}/\tau}] + \sum_{j\notin P(i)} w_{ij}\, e^{s_{ij}/\tau}}

    where the bracketed term is present only with ``positives_in_denominator=True``. The weights
    apply to negatives only (positives always count with weight 1); ``w_ij = 0`` removes negative
    ``j`` for anchor ``i``. Everything is computed in log space with a per-row shift, so large
    similarities do not overflow.

    Args:
        temperature: :math:`\tau > 0`.
        similarity: ``"cosine"`` (rows L2-normalised first) or ``"dot"``.
        positives_in_denominator: include the positive mass in the denominator (InfoNCE/HeCo, default)
            or not (MEOW's official code, DCL-style).
        symmetric: also compute the candidates->anchors direction (transposed mask and weights) and
            average the two per-row losses; needs ``M == N``. A callable ``neg_weights`` is then called
            for the reverse direction too, so it must describe a symmetric matrix.
        reduction: ``"mean"`` over anchors, ``"sum"``, or ``"none"`` (per-anchor ``[N]``).
        chunk_size: process this many anchor rows at a time; ``None`` = all rows at once. Only a
            ``[chunk_size, M]`` block of similarities exists at any time.
        weigh_positives: with ``positives_in_denominator=True`` and ``neg_weights`` given, multiply the
            positives' denominator terms by their weights too (the numerator stays unweighted). This
            is AdaMEOW's official ``weight_InfoNce``: ``-log(e^{s_ii/t} / sum_j w_ij e^{s_ij/t})``
            with a learned ``w_ij = MLP(z_i + z_j)`` on every pair, the positive included.
        checkpoint: with ``chunk_size``, recompute each block in backward
            (``torch.utils.checkpoint``) instead of keeping every block's graph, so the backward
            pass also holds one block at a time. Gradients are identical either way.

    Forward:
        anchors: ``[N, D]`` float.
        candidates: ``[M, D]`` float, same dtype/device; ``None`` uses ``anchors`` (then anchor i's
            default positive is itself: pass ``pos_mask`` for single-view use).
        pos_mask: ``[N, M]`` bool or 0/1 float, dense or torch sparse (COO/CSR); ``None`` = pair
            ``i`` with candidate ``i`` (needs ``M == N``). Every anchor needs at least one positive
            (ValueError naming the anchors otherwise).
        neg_weights: ``[N, M]`` tensor of weights >= 0, or ``callable(row_start, row_stop)`` returning
            the ``[row_stop - row_start, M]`` block (computed lazily per chunk, may carry gradients),
            or ``None`` (all 1), or :class:`~graphcl.core.ClusterNegativeWeights` (MEOW's cluster
            weights, summed in factorised form without weight blocks; anchors and candidates are its
            N nodes). With ``chunk_size`` and ``checkpoint=True`` the callable is called again for
            each block during backward (under the same RNG state, so dropout replays), so it must
            not have side effects.

    Example:
        >>> loss = InfoNCE(temperature=0.5)
        >>> z1, z2 = torch.randn(8, 16), torch.randn(8, 16)
        >>> loss(z1, z2).shape
        torch.Size([])
    """

    def __init__(
        self,
        temperature: float = 0.5,
        similarity: str = "cosine",
        positives_in_denominator: bool = True,
        symmetric: bool = False,
        reduction: str = "mean",
        chunk_size: int | None = None,
        checkpoint: bool = True,
        weigh_positives: bool = False,
    ):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        self.similarity = check_choice(similarity, "similarity", SIMILARITIES)
        self.positives_in_denominator = bool(positives_in_denominator)
        self.symmetric = bool(symmetric)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)
        self.chunk_size = check_optional_positive_int(chunk_size, "chunk_size")
        self.checkpoint = bool(checkpoint)
        self.weigh_positives = bool(weigh_positives)
        if self.weigh_positives and not self.positives_in_denominator:
            raise ValueError(
                "weigh_positives=True needs positives_in_denominator=True (it weights the positives' denominator terms)"
            )

    def extra_repr(self) -> str:
        return (
            f"temperature={self.temperature}, similarity={self.similarity!r}, "
            f"positives_in_denominator={self.positives_in_denominator}, symmetric={self.symmetric}, "
            f"reduction={self.reduction!r}, chunk_size={self.chunk_size}, weigh_positives={self.weigh_positives}"
        )

    def forward(
        self, anchors: torch.Tensor, candidates: torch.Tensor | None = None, pos_mask=None, neg_weights=None
    ) -> torch.Tensor:
        check_embeddings(anchors, "anchors")
        if candidates is None:
            candidates = anchors
        else:
            check_embeddings(candidates, "candidates", like=anchors)
        n, m = anchors.shape[0], candidates.shape[0]
        if self.symmetric and n != m:
            raise ValueError(f"symmetric=True needs as many candidates as anchors, got {n} and {m}")
        mask = PositiveMask(pos_mask, n, m, anchors.device)
        weights = NegativeWeights(neg_weights, n, m, anchors.device)
        a, c = similarity_inputs(anchors, candidates, self.similarity)
        per_row = self._direction(a, c, mask, weights)
        if self.symmetric:
            per_row = 0.5 * (per_row + self._direction(c, a, mask.transposed(), weights.transposed()))
        return reduce(per_row, self.reduction)

    def _direction(
        self, a: torch.Tensor, c: torch.Tensor, mask: PositiveMask, weights: NegativeWeights
    ) -> torch.Tensor:
        n = a.shape[0]
        step = self.chunk_size or n
        use_checkpoint = self.checkpoint and self.chunk_size is not None and torch.is_grad_enabled()
        parts = []
        for start in range(0, n, step):
            stop = min(n, start + step)
            rows, _ = mask.pairs(start, stop)
            lonely = (torch.bincount(rows, minlength=stop - start) == 0).nonzero().flatten()
            if lonely.numel():
                raise ValueError(
                    f"anchors {(lonely[:10] + start).tolist()} have no positive in pos_mask; "
                    "every anchor needs at least one (drop those rows or add self-pairs)"
                )
            # The mask block is rebuilt inside _rows rather than passed in: checkpoint keeps its
            # tensor inputs alive until backward, which for [chunk, M] blocks would add up to N x M.
            if use_checkpoint:
                part = _checkpoint(self._rows, a[start:stop], c, mask, weights, start, stop, use_reentrant=False)
            else:
                part = self._rows(a[start:stop], c, mask, weights, start, stop)
            parts.append(part)
        return torch.cat(parts)

    def _rows(
        self, a: torch.Tensor, c: torch.Tensor, mask: PositiveMask, weights: NegativeWeights, start: int, stop: int
    ) -> torch.Tensor:
        """Per-anchor loss of one block of rows ``[stop - start]``."""
        # scaling the [n, D] side instead of the [n, M] product saves one block-sized temporary
        logits = (a / self.temperature) @ c.t()
        neg_inf = torch.finfo(logits.dtype).min
        pos_pairs = mask.pairs(start, stop)
        log_num = _positive_logsumexp(logits, *pos_pairs)
        if weights.clusters is not None:
            return self._cluster_rows(logits, log_num, weights, pos_pairs, start)
        w = weights.rows(start, stop, logits.dtype)
        if w is None and self.positives_in_denominator:
            return torch.logsumexp(logits, dim=1) - log_num
        pos = mask.rows(start, stop)
        if w is None:
            _check_has_negative(~pos, start, what="negative (every candidate is a positive)")
            return torch.logsumexp(logits.masked_fill(pos, neg_inf), dim=1) - log_num
        if self.weigh_positives:
            coef = w
        else:
            coef = torch.where(pos, 1.0 if self.positives_in_denominator else 0.0, w)
        if not coef.requires_grad:
            # Fixed weights: log-domain logsumexp(logit + log w); log 0 = -inf drops a pair and
            # contributes no gradient.
            log_den = torch.logsumexp(logits + coef.log(), dim=1)
            self._check_denominator(torch.isfinite(log_den), start)
            return log_den - log_num
        # Learned weights: coef enters as a plain factor (not as log coef) so that gradients reach
        # weights that are exactly 0; one autograd function with a hand-written backward.
        log_den = _WeightedLogSumExp.apply(logits, coef)
        self._check_denominator(log_den > float("-inf"), start)
        return log_den - log_num

    def _cluster_rows(
        self,
        logits: torch.Tensor,
        log_num: torch.Tensor,
        weights: NegativeWeights,
        pos_pairs: tuple[torch.Tensor, torch.Tensor],
        start: int,
    ) -> torch.Tensor:
        """Same as the weighted path for ClusterNegativeWeights, without an [n, M] weight block."""
        if self.weigh_positives:  # positives count with their cluster weight like any pair
            none = torch.empty(0, dtype=torch.long, device=logits.device)
            pos_pairs = (none, none)
        assert weights.clusters is not None  # only called when weights hold clusters
        log_neg = weights.clusters.log_weighted_sum(logits, start, *pos_pairs)
        if self.positives_in_denominator and not self.weigh_positives:
            return torch.logaddexp(log_neg, log_num) - log_num
        self._check_denominator(torch.isfinite(log_neg), start)
        return log_neg - log_num

    def _check_denominator(self, nonempty: torch.Tensor, start: int) -> None:
        """Refuse anchors whose denominator is empty (all weights 0): their loss would be -inf."""
        if self.weigh_positives:
            what = "pair with weight > 0 (weigh_positives=True)"
        else:
            what = "negative with weight > 0"
        _check_has_negative(nonempty[:, None], start, what)


class _WeightedLogSumExp(torch.autograd.Function):
    """``log sum_j c_ij e^{x_ij}`` per row, for weights ``c >= 0`` that may be exactly 0.

    Forward: shift by the row max of ``x + log c`` (``log 0 = -inf`` drops a pair), so the largest
    counted term is exactly 1. Backward: with ``p_ij = e^{x_ij - L_i}``, ``dx = c p`` and ``dc = p``;
    ``dc`` is finite for zero weights (``d/dc log c`` would not be). The exponent is capped so that a
    zero-weight pair far above the counted ones gives a large, finite ``dc`` rather than ``inf``
    (and ``0 * inf = NaN`` in ``dx``). Six block-sized passes each way.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, coef: torch.Tensor) -> torch.Tensor:
        t = x + coef.log()
        shift = t.amax(dim=1)
        safe = torch.where(torch.isfinite(shift), shift, 0.0)  # an empty row stays -inf, not NaN
        out = safe + (t - safe[:, None]).exp_().sum(dim=1).log()
        ctx.save_for_backward(x, coef, out)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, coef, out = ctx.saved_tensors
        p = (x - out[:, None]).clamp_(max=_zero_weight_exp_cap(x.dtype)).exp_().mul_(grad[:, None])
        return coef * p, p


def _positive_logsumexp(logits: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """log sum_{p in P(i)} e^{logit_ip} per row, from the positive entries only.

    Gathering the (few) positives avoids a second block-sized masked copy of the logits, which
    autograd would also keep for backward. Every row has at least one positive (checked earlier).
    """
    values = logits[rows, cols]
    with torch.no_grad():
        shift = torch.full((logits.shape[0],), float("-inf"), dtype=logits.dtype, device=logits.device)
        shift = shift.scatter_reduce(0, rows, values, reduce="amax")
    total = torch.zeros_like(shift).index_add(0, rows, torch.exp(values - shift[rows]))
    return shift + total.log()


def _check_has_negative(counted: torch.Tensor, start: int, what: str) -> None:
    """An anchor whose denominator has nothing in it would get loss -inf (or NaN): refuse it."""
    empty = (~counted.any(dim=1)).nonzero().flatten()
    if empty.numel():
        raise ValueError(
            f"anchors {(empty[:10] + start).tolist()} have no {what} in the denominator, "
            "so their loss is undefined; keep at least one such candidate or set "
            "positives_in_denominator=True"
        )
