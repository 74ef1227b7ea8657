"""NT-Xent over the 2B views of a batch (SimCLR; CL4SRec / MCLRec in-batch form)."""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from graphcl.core._checks import (
    REDUCTIONS,
    SIMILARITIES,
    check_choice,
    check_embeddings,
    check_positive_float,
    check_two_views,
    reduce,
    two_view_logits,
)
from graphcl.utils.distributed import is_distributed


class NTXent(nn.Module):
    r"""Normalised-temperature cross entropy with in-batch negatives.

    SimCLR (Chen et al., ICML 2020) as used by CL4SRec (Xie et al., ICDE 2022) and MCLRec
    (Qin et al., SIGIR 2023), matching their official ``info_nce``: the two views are stacked into
    ``z = [z1; z2]`` (2B rows), ``sim = z z^T / t`` (or cosine / t), the diagonal is masked out and
    each row is a cross entropy whose target is the other view of the same sequence. Each row
    therefore has 1 positive and 2B - 2 negatives:

    .. math::
        \ell_i = -\log \frac{e^{s_{i,i\pm B}/t}}{\sum_{j \ne i} e^{s_{ij}/t}}, \qquad
        L = \frac{1}{2B} \sum_{i=1}^{2B} \ell_i

    Args:
        temperature: :math:`t > 0` (CL4SRec uses 1.0 with dot products).
        similarity: ``"dot"`` (CL4SRec default) or ``"cosine"``.
        reduction: ``"mean"`` over the 2B rows, ``"sum"``, or ``"none"`` (``[2B]``: rows of ``z1``
            then rows of ``z2``).
        gather_distributed: under ``torch.distributed`` (DDP, several processes) take the
            negatives from every rank's rows, as Lightly's ``NTXentLoss(gather_distributed=True)``:
            this rank's rows are the anchors, the gathered ``[z1; z2]`` of all ranks the
            candidates, and the gradient flows back to each row's own rank (autograd-aware
            ``all_gather``). Ranks may hold different numbers of rows. With one process it is
            the plain loss (default ``False``: each rank's own rows only).

    Forward:
        z1, z2: ``[B, D]`` views of the same B sequences, B >= 2.

    Example:
        >>> NTXent()(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    def __init__(
        self,
        temperature: float = 1.0,
        similarity: str = "dot",
        reduction: str = "mean",
        gather_distributed: bool = False,
    ):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        self.similarity = check_choice(similarity, "similarity", SIMILARITIES)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)
        self.gather_distributed = bool(gather_distributed)

    def extra_repr(self) -> str:
        gather = ", gather_distributed=True" if self.gather_distributed else ""
        return f"temperature={self.temperature}, similarity={self.similarity!r}, reduction={self.reduction!r}{gather}"

    def forward(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        if self.gather_distributed and is_distributed():
            return self._gathered(z1, z2)
        b = check_two_views(z1, z2, "NTXent", why="it has 2B - 2 in-batch negatives")
        logits = two_view_logits(z1, z2, self.similarity, self.temperature)
        logits.diagonal().fill_(float("-inf"))  # in place: O(B), not a [2B, 2B] mask (a fresh tensor)
        target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(z1.device)
        return reduce(F.cross_entropy(logits, target, reduction="none"), self.reduction)

    def _gathered(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        """Rows of this rank against the candidates of all ranks (see ``gather_distributed``)."""
        check_embeddings(z1, "z1")
        check_embeddings(z2, "z2", like=z1)
        b = z1.shape[0]
        z1_all, start = gather_rows(z1)
        z2_all, _ = gather_rows(z2)
        total = z1_all.shape[0]
        if total < 2:
            raise ValueError("NTXent needs a global batch of at least 2 (it has 2B - 2 in-batch negatives)")
        anchors, candidates = torch.cat([z1, z2]), torch.cat([z1_all, z2_all])
        if self.similarity == "cosine":
            anchors, candidates = F.normalize(anchors, dim=1), F.normalize(candidates, dim=1)
        logits = anchors @ candidates.t() / self.temperature
        own = torch.arange(start, start + b, device=z1.device)
        own = torch.cat([own, own + total])  # each anchor's own column in the candidates
        self_mask = torch.zeros_like(logits, dtype=torch.bool).scatter_(1, own[:, None], True)
        logits = logits.masked_fill(self_mask, float("-inf"))
        target = torch.cat([own[:b] + total, own[:b]])  # the other view of the same row
        return reduce(F.cross_entropy(logits, target, reduction="none"), self.reduction)


class _GatherRows(torch.autograd.Function):
    """All ranks' equal-shape ``x`` stacked in rank order; backward sums every rank's gradient of
    the stack (``all_reduce``: gloo has no ``reduce_scatter``) and keeps this rank's block."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        ctx.rows = x.shape[0]
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous()
        dist.all_reduce(grad)
        start = dist.get_rank() * ctx.rows
        return grad[start : start + ctx.rows]


def gather_rows(x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """``(rows of every rank stacked in rank order, offset of this rank's rows)``, with the
    gradient of each row sent back to its own rank. Ranks may hold different numbers of rows
    (``all_gather`` needs equal shapes: rows are padded, then cut back)."""
    sizes = [torch.zeros(1, dtype=torch.long, device=x.device) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, torch.tensor([x.shape[0]], device=x.device))
    counts = [int(n) for n in sizes]
    width = max(counts)
    stacked = _GatherRows.apply(F.pad(x, (0, 0, 0, width - x.shape[0])))
    parts = [stacked[r * width : r * width + n] for r, n in enumerate(counts)]
    return torch.cat(parts), sum(counts[: dist.get_rank()])
