"""MoCHi: InfoNCE with synthetic hard negatives mixed from the hardest real ones."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core._checks import REDUCTIONS, check_choice, check_embeddings, check_positive_float, reduce


class HardNegativeMixing(nn.Module):
    r"""InfoNCE with MoCHi synthetic hard negatives.

    Kalantidis et al., "Hard Negative Mixing for Contrastive Learning", NeurIPS 2020. Features are
    L2-normalised. For query :math:`q` with positive key :math:`k` and negatives :math:`n_j`, sort the
    negatives by :math:`q\cdot n_j` and keep the ``num_hard`` hardest :math:`\tilde N`. Then synthesise

    * ``num_mix`` points :math:`h = \mathrm{norm}(\alpha n_i + (1-\alpha) n_j)`,
      :math:`n_i, n_j \in \tilde N` drawn uniformly, :math:`\alpha \sim U(0, 1)`;
    * ``num_query_mix`` points :math:`h' = \mathrm{norm}(\beta q + (1-\beta) n_j)`,
      :math:`n_j \in \tilde N`, :math:`\beta \sim U(0, \beta_{max})` (paper: 0.5, so the negative dominates).

    Synthetic points are detached (constants, as in the paper: gradients flow only through
    :math:`q\cdot k` and :math:`q\cdot n_j` / :math:`q\cdot h`). The loss is

    .. math::
        \ell = -\log \frac{e^{q\cdot k/\tau}}{e^{q\cdot k/\tau} + \sum_j e^{q\cdot n_j/\tau}
               + \sum_h e^{q\cdot h/\tau} + \sum_{h'} e^{q\cdot h'/\tau}}

    Args:
        temperature: :math:`\tau > 0` (MoCo: 0.2).
        num_hard: N, hardest negatives to mix from (paper: 1024 with a 65k queue).
        num_mix: s, synthetic negatives mixed from pairs of hard negatives.
        num_query_mix: s', synthetic negatives mixed with the query.
        query_mix_max: :math:`\beta_{max} \in (0, 1]`.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (``[B]``).

    Forward:
        query: ``[B, D]``; positive_key: ``[B, D]``;
        negatives: ``[K, D]`` shared negatives (a MoCo queue), or ``None`` to use the other rows'
        positive keys (in-batch, B - 1 negatives each);
        generator: optional ``torch.Generator`` for reproducible mixing.

    Example:
        >>> loss = HardNegativeMixing(num_hard=4, num_mix=4, num_query_mix=2)
        >>> loss(torch.randn(8, 16), torch.randn(8, 16)).shape
        torch.Size([])
    """

    def __init__(
        self,
        temperature: float = 0.2,
        num_hard: int = 64,
        num_mix: int = 32,
        num_query_mix: int = 16,
        query_mix_max: float = 0.5,
        reduction: str = "mean",
    ):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        for name, value, low in (
            ("num_hard", num_hard, 1),
            ("num_mix", num_mix, 0),
            ("num_query_mix", num_query_mix, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        self.num_hard, self.num_mix, self.num_query_mix = num_hard, num_mix, num_query_mix
        if isinstance(query_mix_max, bool) or not isinstance(query_mix_max, (int, float)) or not 0 < query_mix_max <= 1:
            raise ValueError(f"query_mix_max must be in (0, 1], got {query_mix_max!r}")
        self.query_mix_max = float(query_mix_max)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def forward(
        self,
        query: torch.Tensor,
        positive_key: torch.Tensor,
        negatives: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        q, k, negs, valid = self._prepare(query, positive_key, negatives)
        synthetic = self.synthesize(q, negs, valid, generator)
        pos_logit = (q * k).sum(dim=1, keepdim=True)
        neg_logits = (q @ negs.t()).masked_fill(~valid, float("-inf"))
        syn_logits = torch.einsum("bd,bsd->bs", q, synthetic)
        logits = torch.cat([pos_logit, neg_logits, syn_logits], dim=1) / self.temperature
        return reduce(torch.logsumexp(logits, dim=1) - logits[:, 0], self.reduction)

    def _prepare(self, query, positive_key, negatives):
        check_embeddings(query, "query")
        check_embeddings(positive_key, "positive_key", like=query)
        if positive_key.shape[0] != query.shape[0]:
            raise ValueError(
                f"positive_key must have one row per query ({query.shape[0]}), got {positive_key.shape[0]}"
            )
        q, k = F.normalize(query, dim=1), F.normalize(positive_key, dim=1)
        if negatives is None:
            if q.shape[0] < 2:
                raise ValueError("in-batch negatives (negatives=None) need a batch of at least 2; pass negatives")
            valid = ~torch.eye(q.shape[0], dtype=torch.bool, device=q.device)
            return q, k, k, valid
        check_embeddings(negatives, "negatives", like=query)
        valid = torch.ones(q.shape[0], negatives.shape[0], dtype=torch.bool, device=q.device)
        return q, k, F.normalize(negatives, dim=1), valid

    @torch.no_grad()
    def synthesize(
        self, q: torch.Tensor, negs: torch.Tensor, valid: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Synthetic negatives ``[B, num_mix + num_query_mix, D]`` (unit norm, detached).

        ``q`` and ``negs`` must be L2-normalised; ``valid[b, j]`` says whether ``negs[j]`` is a
        negative of query ``b``.
        """
        b, d = q.shape
        count = self.num_mix + self.num_query_mix
        if count == 0:
            return q.new_zeros(b, 0, d)
        hard = min(self.num_hard, int(valid.sum(dim=1).min()))
        scores = (q @ negs.t()).masked_fill(~valid, float("-inf"))
        top = negs[scores.topk(hard, dim=1).indices]  # [B, hard, D], hardest first

        def draw(shape):
            return torch.rand(shape, generator=generator, device=q.device, dtype=q.dtype)

        def pick(s):
            idx = (draw((b, s)) * hard).long().clamp(max=hard - 1)
            return torch.gather(top, 1, idx[..., None].expand(b, s, d))

        parts = []
        if self.num_mix:
            alpha = draw((b, self.num_mix, 1))
            parts.append(alpha * pick(self.num_mix) + (1 - alpha) * pick(self.num_mix))
        if self.num_query_mix:
            beta = draw((b, self.num_query_mix, 1)) * self.query_mix_max
            parts.append(beta * q[:, None, :] + (1 - beta) * pick(self.num_query_mix))
        return F.normalize(torch.cat(parts, dim=1), dim=2)
