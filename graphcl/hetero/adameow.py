"""AdaMEOW: MEOW's views with negative weights learned by a network on node pairs."""

from __future__ import annotations

import functools
import logging

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from graphcl.core import InfoNCE
from graphcl.hetero.inputs import MEOWInputs
from graphcl.hetero.meow_encoder import MEOWEncoder, project_unit
from graphcl.hetero.params import AdaMEOWParams

log = logging.getLogger(__name__)


class AdaMEOW(nn.Module):
    r"""AdaMEOW (Yu et al., arXiv:2212.13847, adaptive variant; official ``code_adameow``).

    Anchors are the projected fine embeddings, candidates the projected coarse ones. The weight of
    negative ``j`` for anchor ``i`` is ``w_ij = sigmoid(w2 · tanh(W1 (p_i + q_j) + b1) + b2)``
    (official MLP on the summed pair). Because the first layer is linear, ``W1 p_i`` and
    ``W1 q_j + b1`` are computed once and each InfoNCE block only forms ``[chunk, N, weight_hidden]``,
    so memory is O(N * chunk) instead of the official O(N^2 * D) pair tensor.

    Positives: each node's own coarse view, plus HeCo's ``pos.npz`` pairs when the inputs were
    built with ``positives="heco"`` (rebuilt from the meta-paths with ``"metapath"``;
    ``inputs.pos_mask``).

    Minimising the loss over ``w`` alone drives every weight to 0 (the denominator vanishes);
    the official code has no term against it. ``weight_reg`` adds
    ``mean_i (mean_j w_ij - 1)^2`` so the weights redistribute mass instead of vanishing.

    Args:
        params: the hyperparameters (:class:`~graphcl.hetero.params.AdaMEOWParams`:
            ``hidden_dim``, ``proj_dim``, ``tau``, ``dropout``, ``weight_hidden``, ``weight_reg``,
            ``chunk_size`` anchor rows per block, ``weigh_positives`` for the official
            ``weight_InfoNce`` ``-log(e^{s_ii/t} / sum_j w_ij e^{s_ij/t})`` (positive included;
            unbounded below), ``embedding``).
        inputs: the :class:`~graphcl.hetero.inputs.MEOWInputs` it will train on (sizes are read
            from them; they are not kept).
    """

    def __init__(self, params: AdaMEOWParams, inputs: MEOWInputs):
        super().__init__()
        if not isinstance(params, AdaMEOWParams):
            raise TypeError(f"AdaMEOW needs AdaMEOWParams, got {type(params).__name__}")
        self.params = params
        proj_dim = params.model.proj_dim or params.model.hidden_dim
        self.encoder = MEOWEncoder(inputs, params.model.hidden_dim, params.model.dropout)
        self.project = nn.Linear(params.model.hidden_dim, proj_dim)
        self.w1 = nn.Linear(proj_dim, params.model.weight_hidden)
        self.w2 = nn.Linear(params.model.weight_hidden, 1)
        # Per-block InfoNCE rows: AdaMEOW does the row chunking itself (see ``loss``).
        self.info = InfoNCE(
            temperature=params.model.tau,
            similarity="cosine",
            positives_in_denominator=True,
            reduction="none",
            weigh_positives=params.model.weigh_positives,
        )

    def _views(self, inputs: MEOWInputs):
        z_coarse, _, z = self.encoder(inputs)
        return project_unit(self.project, z), project_unit(self.project, z_coarse), z

    def pair_weights(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``[n, M]`` weights from ``u = W1 p_rows`` ``[n, h]`` and ``v = W1 q + b1`` ``[M, h]``."""
        if self.params.train.compile_pair_weights:
            return _compiled_pair_weights()(u, v, self.w2.weight, self.w2.bias)
        return _pair_weights(u, v, self.w2.weight, self.w2.bias)

    def loss(self, inputs: MEOWInputs) -> torch.Tensor:
        """InfoNCE over weighted negatives + ``weight_reg * mean_i (mean_j w_ij - 1)^2``.

        Anchor rows are processed in checkpointed blocks of ``chunk_size``; each block's pair
        weights (the costly ``[chunk, N, weight_hidden]`` tanh) are computed once per forward and
        once per backward recompute, and feed both the InfoNCE denominator and the regulariser.
        """
        fine, coarse, _ = self._views(inputs)
        u = F.linear(fine, self.w1.weight)
        v = self.w1(coarse)
        n = fine.size(0)
        step = self.params.train.chunk_size or n
        use_checkpoint = torch.is_grad_enabled()
        rows, means = [], []
        for start in range(0, n, step):
            stop = min(n, start + step)
            args = (fine[start:stop], coarse, u[start:stop], v, start, inputs.pos_mask)
            if use_checkpoint:
                # a compiled pair network saves other tensors when it is re-run in backward than in
                # forward, which the non-reentrant checkpoint refuses; the reentrant one re-runs
                # the block as a whole and keeps the same O(chunk * N) memory
                reentrant = self.params.train.compile_pair_weights
                r, m = checkpoint(self._block, *args, use_reentrant=reentrant)
            else:
                r, m = self._block(*args)
            rows.append(r)
            means.append(m)
        loss = torch.cat(rows).mean()
        if self.params.model.weight_reg > 0:
            loss = loss + self.params.model.weight_reg * ((torch.cat(means) - 1.0) ** 2).mean()
        return loss

    def _block(
        self,
        fine_rows: torch.Tensor,
        coarse: torch.Tensor,
        u_rows: torch.Tensor,
        v: torch.Tensor,
        start: int,
        pos_mask: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-anchor InfoNCE terms ``[n]`` and row means of the pair weights ``[n]`` of one block."""
        w = self.pair_weights(u_rows, v)
        n = fine_rows.size(0)
        idx = torch.arange(n, device=fine_rows.device)
        if pos_mask is None:
            pos = torch.zeros(n, coarse.size(0), dtype=torch.bool, device=fine_rows.device)
            pos[idx, idx + start] = True  # anchor start + i's positive is candidate start + i
        else:  # HeCo's pairs (diagonal included): rows start .. start + n of the mask
            pos = pos_mask.index_select(0, idx + start).to_dense() > 0
        return self.info(fine_rows, coarse, pos_mask=pos, neg_weights=w), w.mean(dim=1)

    def embed(self, inputs: MEOWInputs) -> torch.Tensor:
        """Node embeddings without dropout: the fused fine-grained view, or its unit-norm
        projection when ``params.model.embedding="projected"``."""
        return self.encoder.embed(inputs, self.project if self.params.model.embedding == "projected" else None)


def _pair_weights(u: torch.Tensor, v: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(F.linear(torch.tanh(u[:, None, :] + v[None, :, :]), weight, bias).squeeze(-1))


@functools.cache
def _compiled_pair_weights():
    """``torch.compile`` of :func:`_pair_weights` (fused loops over the ``[n, M, h]`` chain, 1.8x
    faster forward + backward at ACM's shapes on one CPU thread), or the eager function where
    compilation is unavailable."""
    try:
        compiled = torch.compile(_pair_weights, dynamic=False)
        with torch.enable_grad():  # first called inside a checkpointed (no-grad) forward
            probe = torch.zeros(2, 3, requires_grad=True)
            compiled(probe, torch.zeros(4, 3), torch.zeros(1, 3), torch.zeros(1)).sum().backward()
        return compiled
    except Exception as exc:  # no C++ compiler, unsupported platform, ...
        log.warning(
            "compile_pair_weights: torch.compile failed (%s: %s); using the eager pair network", type(exc).__name__, exc
        )
        return _pair_weights
