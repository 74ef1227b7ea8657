"""Sparse (constant) x dense products with a fast backward.

``torch.sparse.mm`` on a COO matrix is slow on CPU, mostly in backward. Graph operators here are
constants, so :class:`SparseOperator` stores the matrix and its transpose in CSR and the
backward is one more CSR product.
"""
from __future__ import annotations

import torch


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

    Args:
        matrix: torch sparse (COO or CSR) or dense matrix; it is copied, never modified.
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

    def to(self, device) -> "SparseOperator":
        out = SparseOperator.__new__(SparseOperator)
        out.shape, out.csr, out.csr_t = self.shape, self.csr.to(device), self.csr_t.to(device)
        return out

    def to_dense(self) -> torch.Tensor:
        return self.csr.to_dense()
