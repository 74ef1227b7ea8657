"""AdaMEOW: MEOW's views with negative weights learned by a network on node pairs."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from graphcl.core import InfoNCE
from graphcl.hetero.meow_encoder import MEOWEncoder, check_embedding, project_unit
from graphcl.hetero.meow_inputs import MEOWInputs


class AdaMEOW(nn.Module):
    r"""AdaMEOW (Yu et al., arXiv:2212.13847, adaptive variant; official ``code_adameow``).

    Anchors are the projected fine embeddings, candidates the projected coarse ones. The weight of
    negative ``j`` for anchor ``i`` is ``w_ij = sigmoid(w2 · tanh(W1 (p_i + q_j) + b1) + b2)``
    (official MLP on the summed pair). Because the first layer is linear, ``W1 p_i`` and
    ``W1 q_j + b1`` are computed once and each InfoNCE block only forms ``[chunk, N, weight_hidden]``,
    so memory is O(N * chunk) instead of the official O(N^2 * D) pair tensor.

    Positives: each node's own coarse view, plus HeCo's ``pos.npz`` pairs when the inputs were
    built with ``positives="heco"`` (:class:`MEOWInputs`).

    Minimising the loss over ``w`` alone drives every weight to 0 (the denominator vanishes);
    the official code has no term against it. ``weight_reg`` adds
    ``mean_i (mean_j w_ij - 1)^2`` so the weights redistribute mass instead of vanishing.

    Args:
        inputs: the precomputed :class:`MEOWInputs`.
        hidden_dim: embedding width.
        proj_dim: projection width (``None``: ``hidden_dim``).
        tau: temperature.
        dropout: dropout rate.
        weight_hidden: hidden width of the pair-weight MLP.
        weight_reg: weight of the regulariser.
        chunk_size: anchor rows per block (``None``: 512; a block holds ``[chunk, N, weight_hidden]``).
        weigh_positives: weight the positive's denominator term too (official ``weight_InfoNce``:
            ``-log(e^{s_ii/t} / sum_j w_ij e^{s_ij/t})``, the positive included; unbounded below).
        embedding: what :meth:`embed` returns: ``"fused"`` (the attention fusion of the fine
            views, as the official ``get_embeds``) or ``"projected"`` (its unit-norm projection,
            the candidates the loss acts on; clusters better on ACM, see docs/hetero.md).
    """

    def __init__(self, inputs: MEOWInputs, hidden_dim: int = 64, proj_dim: int | None = None, tau: float = 1.0,
                 dropout: float = 0.3, weight_hidden: int = 16, weight_reg: float = 1.0,
                 chunk_size: int | None = None, weigh_positives: bool = False, embedding: str = "fused"):
        super().__init__()
        self.embedding = check_embedding(embedding)
        proj_dim = proj_dim or hidden_dim
        self.inputs = inputs
        self.encoder = MEOWEncoder(inputs.target, inputs.num_nodes, inputs.in_dims, inputs.context_types,
                                   hidden_dim, dropout)
        self.project = nn.Linear(hidden_dim, proj_dim)
        self.w1 = nn.Linear(proj_dim, weight_hidden)
        self.w2 = nn.Linear(weight_hidden, 1)
        self.weight_reg = weight_reg
        self.chunk_size = chunk_size or 512  # an unchunked pair tensor is N x N x weight_hidden floats
        # Per-block InfoNCE rows: AdaMEOW does the row chunking itself (see ``loss``).
        self.info = InfoNCE(temperature=tau, similarity="cosine", positives_in_denominator=True,
                            reduction="none", weigh_positives=weigh_positives)

    def _views(self):
        z_coarse, _, z = self.encoder(*self.inputs.encoder_args())
        return project_unit(self.project, z), project_unit(self.project, z_coarse), z

    def pair_weights(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``[n, M]`` weights from ``u = W1 p_rows`` ``[n, h]`` and ``v = W1 q + b1`` ``[M, h]``."""
        return torch.sigmoid(self.w2(torch.tanh(u[:, None, :] + v[None, :, :])).squeeze(-1))

    def loss(self) -> torch.Tensor:
        """InfoNCE over weighted negatives + ``weight_reg * mean_i (mean_j w_ij - 1)^2``.

        Anchor rows are processed in checkpointed blocks of ``chunk_size``; each block's pair
        weights (the costly ``[chunk, N, weight_hidden]`` tanh) are computed once per forward and
        once per backward recompute, and feed both the InfoNCE denominator and the regulariser.
        """
        fine, coarse, _ = self._views()
        u = F.linear(fine, self.w1.weight)
        v = self.w1(coarse)
        n, step = fine.size(0), self.chunk_size
        use_checkpoint = torch.is_grad_enabled()
        rows, means = [], []
        for start in range(0, n, step):
            stop = min(n, start + step)
            args = (fine[start:stop], coarse, u[start:stop], v, start)
            if use_checkpoint:
                r, m = checkpoint(self._block, *args, use_reentrant=False)
            else:
                r, m = self._block(*args)
            rows.append(r)
            means.append(m)
        loss = torch.cat(rows).mean()
        if self.weight_reg > 0:
            loss = loss + self.weight_reg * ((torch.cat(means) - 1.0) ** 2).mean()
        return loss

    def _block(self, fine_rows: torch.Tensor, coarse: torch.Tensor, u_rows: torch.Tensor, v: torch.Tensor,
               start: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-anchor InfoNCE terms ``[n]`` and row means of the pair weights ``[n]`` of one block."""
        w = self.pair_weights(u_rows, v)
        n = fine_rows.size(0)
        idx = torch.arange(n, device=fine_rows.device)
        if self.inputs.pos_mask is None:
            pos = torch.zeros(n, coarse.size(0), dtype=torch.bool, device=fine_rows.device)
            pos[idx, idx + start] = True  # anchor start + i's positive is candidate start + i
        else:  # HeCo's pairs (diagonal included): rows start .. start + n of the mask
            pos = self.inputs.pos_mask.index_select(0, idx + start).to_dense() > 0
        return self.info(fine_rows, coarse, pos_mask=pos, neg_weights=w), w.mean(dim=1)

    def embed(self) -> torch.Tensor:
        """Node embeddings without dropout: the fused fine-grained view, or its unit-norm
        projection when ``embedding="projected"``."""
        return self.encoder.embed(self.inputs, self.project if self.embedding == "projected" else None)
