"""Building blocks of MEOW, AdaMEOW and HeCo: sparse graph products, per-type input encoders,
the GCNs, semantic attention and HeCo's network-schema encoder."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class _SpMM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a_csr, at_csr, x):
        ctx.at = at_csr
        return a_csr @ x

    @staticmethod
    def backward(ctx, grad):
        return None, None, ctx.at @ grad


class SparseOperator:
    """A fixed sparse ``[N, M]`` matrix applied to dense ``[M, D]`` inputs (``op @ x``).

    ``torch.sparse.mm`` on a COO matrix is slow on CPU, mostly in backward. Graph operators are
    constants here, so the matrix and its transpose are stored in CSR and the backward is one
    more CSR product (MEOW on ACM: 7.1 -> 4.1 s/epoch on one CPU thread).

    Args:
        matrix: torch sparse (COO or CSR) or dense matrix; it is copied, never modified. Its
            values are stored as float32 (cast with :meth:`to`).
    """

    def __init__(self, matrix: torch.Tensor):
        m = matrix.coalesce() if matrix.is_sparse else matrix.to_sparse()
        m = m.float()
        self.shape = tuple(m.shape)
        self.csr = m.to_sparse_csr()
        self.csr_t = m.t().coalesce().to_sparse_csr()

    def __matmul__(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad:
            return _SpMM.apply(self.csr, self.csr_t, x)
        return self.csr @ x

    def to(self, device=None, dtype: torch.dtype | None = None) -> SparseOperator:
        """A copy on ``device`` with values of ``dtype`` (``None``: unchanged)."""
        out = SparseOperator.__new__(SparseOperator)
        out.shape = self.shape
        out.csr, out.csr_t = self.csr.to(device=device, dtype=dtype), self.csr_t.to(device=device, dtype=dtype)
        return out


class TypeEncoder(nn.Module):
    """Map the nodes of one type to ``out_dim``: ``Linear(x)`` when the type has features, an
    ``Embedding`` (= a linear map of one-hot features, as HeCo uses for featureless types)
    otherwise.

    Args:
        num_nodes: nodes of this type.
        in_dim: feature width, or ``None`` for featureless types.
        out_dim: output width.
        xavier_gain: if set, Xavier-normal initialisation with this gain (HeCo uses 1.414;
            default ``None``: PyTorch's defaults, Xavier gain 1 for the embedding table).
    """

    def __init__(self, num_nodes: int, in_dim: int | None, out_dim: int, xavier_gain: float | None = None):
        super().__init__()
        self.num_nodes = num_nodes
        if in_dim is None:
            self.embed = nn.Embedding(num_nodes, out_dim)
            nn.init.xavier_normal_(self.embed.weight, gain=xavier_gain or 1.0)
            self.bias = nn.Parameter(torch.zeros(out_dim))
            self.linear = None
        else:
            self.linear = nn.Linear(in_dim, out_dim)
            if xavier_gain is not None:
                nn.init.xavier_normal_(self.linear.weight, gain=xavier_gain)
            self.embed = None

    def forward(self, x: torch.Tensor | None, node_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: features (ignored for embedding tables). ``node_mask``: ``[N]`` 0/1 factors
        zeroing the one-hot input of masked nodes (feature masking for featureless types)."""
        if self.linear is not None:
            if x is None:
                raise ValueError("this node type was built with features; pass its feature matrix")
            return self.linear(x)
        h = self.embed.weight
        if node_mask is not None:
            h = h * node_mask[:, None]
        return h + self.bias


class MEOWGCN(nn.Module):
    r"""The GCN encoder of MEOW (Yu et al., arXiv:2212.13847; official ``encoder.GCN``).

    ``H1 = PReLU(A · drop(X W1))``, ``Z = A · drop(H1 W2)``, then ``Z`` is standardised over
    all of its entries (the official code applies a LayerNorm whose shape is the whole matrix).

    Args:
        in_dim: input width.
        hidden_dim: width after the first layer.
        out_dim: output width.
        dropout: dropout applied to ``X W`` in each layer (MEOW's ``params.model.dropout``).
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, dropout: float):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(in_dim, hidden_dim))
        self.w2 = nn.Parameter(torch.empty(hidden_dim, out_dim))
        for w in (self.w1, self.w2):  # official reset_parameters: U(-1/sqrt(out), 1/sqrt(out))
            bound = 1.0 / math.sqrt(w.size(1))
            nn.init.uniform_(w, -bound, bound)
        self.act = nn.PReLU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, adj) -> torch.Tensor:
        """``adj``: a :class:`SparseOperator` or torch sparse matrix."""
        h = self.act(adj @ self.dropout(x @ self.w1))
        z = adj @ self.dropout(h @ self.w2)
        return F.layer_norm(z, tuple(z.shape), eps=1e-5)


class MetaPathGCN(nn.Module):
    """One GCN layer of HeCo's meta-path view (official ``mp_encoder.GCN``): ``PReLU(A X W + b)``.

    Args:
        dim: input and output width.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.fc = nn.Linear(dim, dim, bias=False)
        nn.init.xavier_normal_(self.fc.weight, gain=1.414)
        self.bias = nn.Parameter(torch.zeros(dim))
        self.act = nn.PReLU()

    def forward(self, x: torch.Tensor, adj) -> torch.Tensor:
        return self.act(adj @ self.fc(x) + self.bias)


class SemanticAttention(nn.Module):
    r"""Semantic attention of HAN (Wang et al., WWW 2019) as used by HeCo and MEOW.

    ``beta_m = softmax_m( a^T · mean_i tanh(W z^m_i + b) )``, output ``sum_m beta_m z^m``.

    Args:
        dim: embedding width.
        attn_drop: dropout on the attention vector ``a`` (default 0).
    """

    def __init__(self, dim: int, attn_drop: float = 0.0):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        nn.init.xavier_normal_(self.fc.weight, gain=1.414)
        self.att = nn.Parameter(torch.empty(1, dim))
        nn.init.xavier_normal_(self.att, gain=1.414)
        self.attn_drop = nn.Dropout(attn_drop)

    def forward(self, embeds: list[torch.Tensor]) -> torch.Tensor:
        att = self.attn_drop(self.att)
        scores = torch.stack([(att @ torch.tanh(self.fc(z)).mean(dim=0)).squeeze() for z in embeds])
        beta = torch.softmax(scores, dim=0)
        return sum(b * z for b, z in zip(beta, embeds))


def sample_neighbors(
    ptr: torch.Tensor, col: torch.Tensor, k: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``[N, k]`` neighbour ids per row of the CSR graph ``(ptr, col)``: without replacement when a
    node has at least ``k`` neighbours, with replacement otherwise (HeCo's sampling)."""
    n = ptr.numel() - 1
    deg = ptr[1:] - ptr[:-1]
    if (deg == 0).any():
        bad = (deg == 0).nonzero().flatten()[:5].tolist()
        raise ValueError(f"nodes {bad} have no network-schema neighbour; HeCo needs at least one per type")
    row = torch.repeat_interleave(torch.arange(n), deg)
    # without replacement: random key per edge, keep the k smallest keys of each row
    keys = torch.rand(row.numel(), generator=generator)
    order = torch.argsort(keys)
    order = order[torch.argsort(row[order], stable=True)]
    rank = torch.arange(row.numel()) - ptr[:-1][row[order]]
    picked = order[rank < k]
    out = torch.empty(n, k, dtype=torch.long)
    full = deg >= k
    out[full] = col[picked[full[row[picked]]]].view(-1, k)
    # with replacement for nodes of low degree
    low = (~full).nonzero().flatten()
    if low.numel():
        offs = (torch.rand(low.numel(), k, generator=generator) * deg[low, None]).long()
        out[low] = col[ptr[low, None] + offs]
    return out


class SchemaEncoder(nn.Module):
    r"""Network-schema view encoder of HeCo (Wang et al., KDD 2021, Sec. 4.2).

    For each neighbour type ``t``: attend over the sampled neighbours with
    ``alpha = softmax(LeakyReLU(a_t^T [h_i || h_j]))``, apply ELU; fuse the types by semantic
    attention.

    Args:
        hidden_dim: embedding width.
        num_types: number of neighbour types.
        attn_drop: dropout on the attention vectors (default 0).
    """

    def __init__(self, hidden_dim: int, num_types: int, attn_drop: float = 0.0):
        super().__init__()
        self.intra = nn.ParameterList()
        for _ in range(num_types):
            a = nn.Parameter(torch.empty(1, 2 * hidden_dim))
            nn.init.xavier_normal_(a, gain=1.414)
            self.intra.append(a)
        self.attn_drop = nn.Dropout(attn_drop)
        self.inter = SemanticAttention(hidden_dim, attn_drop)

    def forward(
        self, h_target: torch.Tensor, h_neighbors: list[torch.Tensor], neighbors: list[torch.Tensor]
    ) -> torch.Tensor:
        """``neighbors[t]``: ``[N, s_t]`` sampled ids into ``h_neighbors[t]``."""
        embeds = []
        for a, h_nei, idx in zip(self.intra, h_neighbors, neighbors):
            nei = h_nei[idx]  # [N, s, D]
            ref = h_target[:, None, :].expand_as(nei)
            att = F.leaky_relu(torch.cat([ref, nei], dim=-1) @ self.attn_drop(a).t())
            att = torch.softmax(att, dim=1)
            embeds.append(F.elu((att * nei).sum(dim=1)))
        return self.inter(embeds)
