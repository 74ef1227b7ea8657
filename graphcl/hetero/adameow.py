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

    def _pair_inputs(self, fine: torch.Tensor, coarse: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # W1 (p_i + q_j) + b1 split as u_i + v_j: the [N, N, h] pair sum is never built
        return F.linear(fine, self.w1.weight), self.w1(coarse)

    @torch.no_grad()
    def negative_weights(self, inputs: MEOWInputs) -> torch.Tensor:
        """``[N, N]`` learned weights ``w_ij`` of every (anchor, candidate) pair, without dropout
        (for inspection: the loss never builds the whole matrix)."""
        was_training = self.training
        self.eval()
        try:
            fine, coarse, _ = self._views(inputs)
            u, v = self._pair_inputs(fine, coarse)
            step = self.params.train.chunk_size or u.size(0)
            return torch.cat([self.pair_weights(u[i : i + step], v) for i in range(0, u.size(0), step)])
        finally:
            self.train(was_training)

    def loss(self, inputs: MEOWInputs) -> torch.Tensor:
        """InfoNCE over weighted negatives + ``weight_reg * mean_i (mean_j w_ij - 1)^2``.

        Anchor rows are processed in checkpointed blocks of ``chunk_size``; each block's pair
        weights (the costly ``[chunk, N, weight_hidden]`` tanh) are computed once per forward and
        once per backward recompute, and feed both the InfoNCE denominator and the regulariser.
        """
        fine, coarse, _ = self._views(inputs)
        u, v = self._pair_inputs(fine, coarse)
        n = fine.size(0)
        step = self.params.train.chunk_size or n
        use_checkpoint = torch.is_grad_enabled()
        if self.params.train.compile_pair_weights:
            _compiled_pair_weights()  # probe the compiler here: a checkpoint counts saved tensors
        rows, means = [], []
        for start in range(0, n, step):
            stop = min(n, start + step)
            args = (fine[start:stop], coarse, u[start:stop], v, start, inputs.pos_mask)
            if use_checkpoint:
                r, m = checkpoint(self._block, *args, use_reentrant=False)
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


def _tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh; in float32 the rational approximation of Eigen's ``generic_fast_tanh_float``
    (``x p(x^2) / q(x^2)``, clamped at +-7.905; max abs error 4e-7), which compiles to plain
    multiply-adds, 4-5x faster than the vectorised library tanh at AdaMEOW's ``[chunk, N, 16]``."""
    if x.dtype != torch.float32:
        return torch.tanh(x)
    x = x.clamp(-7.90531110763549805, 7.90531110763549805)
    x2 = x * x
    p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13
    for c in (-8.60467152213735e-11, 5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04):
        p = p * x2 + c
    p = x * (p * x2 + 4.89352455891786e-03)
    q = x2 * 1.19825839466702e-06 + 1.18534705686654e-04
    q = (q * x2 + 2.26843463243900e-03) * x2 + 4.89352518554385e-03
    return p / q


def _fused_weights(u: torch.Tensor, v: torch.Tensor, a: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    # a reduction over h inside one loop nest: the [n, M, h] tanh is never stored
    return torch.sigmoid((_tanh(u[:, None, :] + v[None, :, :]) * a).sum(-1) + bias)


def _fused_grads(u: torch.Tensor, v: torch.Tensor, a: torch.Tensor, g: torch.Tensor):
    """Gradients of ``sum_ij g_ij s_ij`` (``s = a . tanh(u_i + v_j)``) for u, v and a."""
    t = _tanh(u[:, None, :] + v[None, :, :])
    d = g[:, :, None] * (1 - t * t)
    return d.sum(1) * a, d.sum(0) * a, (g[:, :, None] * t).sum((0, 1))


class _FusedPairWeights(torch.autograd.Function):
    """:func:`_pair_weights` through two compiled kernels (forward, and a backward written out by
    hand) that recompute the ``[n, M, h]`` tanh instead of saving it: only u, v, a and the ``[n, M]``
    weights are kept for backward."""

    @staticmethod
    def forward(ctx, u, v, weight, bias):
        a = weight.reshape(-1)
        _rows_dynamic(u)
        w = _compiled(_fused_weights)(u, v, a, bias)
        ctx.save_for_backward(u, v, a, w)
        return w

    @staticmethod
    def backward(ctx, grad_w):
        u, v, a, w = ctx.saved_tensors
        g = grad_w * w * (1 - w)  # d loss / d logit
        _rows_dynamic(u, g)
        du, dv, da = _compiled(_fused_grads)(u, v, a, g)
        return du, dv, da.reshape(1, -1), g.sum().reshape(1)


@functools.cache
def _compiled(fn):
    return torch.compile(fn, dynamic=False)


def _rows_dynamic(*tensors: torch.Tensor) -> None:
    # one kernel for every row-block size (the last block is shorter); N and weight_hidden stay
    # static (a fully dynamic kernel was 19% slower per ACM epoch). torch recompiles at most 8
    # times per function, then runs it eagerly: a tuning study meets a new shape per dataset and
    # weight_hidden only.
    for t in tensors:
        torch._dynamo.mark_dynamic(t, 0)


@functools.cache
def _compiled_pair_weights():
    """The compiled pair network (:class:`_FusedPairWeights`; forward + backward about 5x faster
    than the eager chain and 3.4x faster than the compiled chain at AMiner's block shape on one CPU
    thread), or the eager function where compilation is unavailable."""
    try:
        with torch.enable_grad():  # the caller may be in no-grad mode (evaluation)
            probe = torch.zeros(2, 3, requires_grad=True)
            _FusedPairWeights.apply(probe, torch.zeros(4, 3), torch.zeros(1, 3), torch.zeros(1)).sum().backward()
        return _FusedPairWeights.apply
    except Exception as exc:  # no C++ compiler, unsupported platform, ...
        log.warning(
            "compile_pair_weights: torch.compile failed (%s: %s); using the eager pair network", type(exc).__name__, exc
        )
        return _pair_weights
