"""Row-chunk access to positive masks and negative weights (private helpers of InfoNCE).

Both are read one block of anchor rows at a time so that a loss never needs the full
``[N, M]`` matrix at once; a sparse positive mask stays sparse until a block is densified.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from graphcl.core.cluster_weights import ClusterNegativeWeights


class PositiveMask:
    """Positive pairs of ``[N, M]`` anchors x candidates, dense bool or sparse indices."""

    def __init__(self, mask, num_rows: int, num_cols: int, device: torch.device):
        self.shape = (num_rows, num_cols)
        self.device = device
        self.dense: torch.Tensor | None = None
        self.rows_idx: torch.Tensor | None = None
        self.cols_idx: torch.Tensor | None = None
        if mask is None:
            if num_rows != num_cols:
                raise ValueError(
                    f"pos_mask=None pairs anchor i with candidate i, which needs as many candidates as "
                    f"anchors; got {num_rows} anchors and {num_cols} candidates: pass pos_mask [N, M]"
                )
            idx = torch.arange(num_rows, device=device)
            self.rows_idx, self.cols_idx = idx, idx
            return
        if not isinstance(mask, torch.Tensor):
            raise TypeError(
                f"pos_mask must be a torch.Tensor [N, M] (bool, or float of 0/1), got {type(mask).__name__}"
            )
        if tuple(mask.shape) != self.shape:
            raise ValueError(f"pos_mask has shape {tuple(mask.shape)} but anchors x candidates is {self.shape}")
        if mask.device != device:
            raise ValueError(f"pos_mask is on {mask.device} but the anchors are on {device}; move it")
        if mask.dtype != torch.bool and not mask.is_floating_point():
            raise TypeError(f"pos_mask must be bool or float (0/1), got dtype {mask.dtype}")
        if mask.layout == torch.strided:
            if mask.dtype != torch.bool:
                _check_binary(mask)
                mask = mask != 0
            self.dense = mask
            return
        if mask.layout in (torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
            mask = mask.to_sparse_coo()
        if mask.layout != torch.sparse_coo:
            raise TypeError(f"pos_mask layout {mask.layout} is not supported; use a dense or sparse COO/CSR tensor")
        mask = mask.coalesce()
        values = mask.values()
        if values.dtype != torch.bool:
            _check_binary(values)
        keep = values != 0  # explicit zeros in a sparse mask are not positives
        indices = mask.indices()[:, keep]
        # coalesce() sorts by (row, col), so each row block is a contiguous slice
        self.rows_idx, self.cols_idx = indices[0], indices[1]

    def _indices(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(rows_idx, cols_idx)`` of the sparse form (call only when ``dense`` is None)."""
        # every constructor path sets either dense or both index vectors
        assert self.rows_idx is not None and self.cols_idx is not None
        return self.rows_idx, self.cols_idx

    def pairs(self, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Positive pairs of rows ``[start, stop)`` as (row - start, col) index vectors."""
        if self.dense is not None:
            rows, cols = self.dense[start:stop].nonzero(as_tuple=True)
            return rows, cols
        rows_idx, cols_idx = self._indices()
        lo = int(torch.searchsorted(rows_idx, start))
        hi = int(torch.searchsorted(rows_idx, stop))
        return rows_idx[lo:hi] - start, cols_idx[lo:hi]

    def rows(self, start: int, stop: int) -> torch.Tensor:
        """Dense bool block ``[stop - start, M]``."""
        if self.dense is not None:
            return self.dense[start:stop]
        rows_idx, cols_idx = self._indices()
        lo = int(torch.searchsorted(rows_idx, start))
        hi = int(torch.searchsorted(rows_idx, stop))
        block = torch.zeros(stop - start, self.shape[1], dtype=torch.bool, device=self.device)
        block[rows_idx[lo:hi] - start, cols_idx[lo:hi]] = True
        return block

    def transposed(self) -> PositiveMask:
        out = PositiveMask.__new__(PositiveMask)
        out.shape = (self.shape[1], self.shape[0])
        out.device = self.device
        out.dense, out.rows_idx, out.cols_idx = None, None, None
        if self.dense is not None:
            out.dense = self.dense.t()
            return out
        rows_idx, cols_idx = self._indices()
        order = torch.argsort(cols_idx * self.shape[1] + rows_idx)
        out.rows_idx, out.cols_idx = cols_idx[order], rows_idx[order]
        return out


def _check_binary(values: torch.Tensor) -> None:
    if not ((values == 0) | (values == 1)).all():
        raise ValueError("a float pos_mask must hold only 0 and 1; use neg_weights for weighting or a bool mask")


class NegativeWeights:
    """Per-pair weights ``[N, M]``: None (all ones), a tensor, ``callable(start, stop) -> [n, M]``, or
    :class:`ClusterNegativeWeights` (``clusters``: InfoNCE uses its factorised sum instead of blocks)."""

    def __init__(self, weights, num_rows: int, num_cols: int, device: torch.device, transpose: bool = False):
        self.shape = (num_rows, num_cols)
        self.device = device
        self.fn: Callable[[int, int], torch.Tensor] | None = None
        self.tensor: torch.Tensor | None = None
        self.clusters: ClusterNegativeWeights | None = None
        if weights is None:
            return
        if isinstance(weights, ClusterNegativeWeights):
            weights.check_shape(num_rows, num_cols, device)
            self.clusters = self.fn = weights  # still callable for dense blocks; symmetric, so transposes as is
            return
        if callable(weights) and not isinstance(weights, torch.Tensor):
            self.fn = weights
            return
        if not isinstance(weights, torch.Tensor):
            raise TypeError(
                "neg_weights must be None, a tensor [N, M] or callable(row_start, row_stop) -> "
                f"[n, M]; got {type(weights).__name__}"
            )
        if weights.device != device:
            raise ValueError(f"neg_weights is on {weights.device} but the anchors are on {device}; move it")
        if weights.layout != torch.strided:
            weights = weights.to_dense()
        expected = (num_cols, num_rows) if transpose else self.shape
        if tuple(weights.shape) != expected:
            raise ValueError(f"neg_weights has shape {tuple(weights.shape)} but anchors x candidates is {expected}")
        self.tensor = weights.t() if transpose else weights

    @property
    def is_none(self) -> bool:
        return self.fn is None and self.tensor is None

    def transposed(self) -> NegativeWeights:
        """Weights for the reverse direction (candidates as anchors).

        A callable is reused as is: in symmetric mode it must describe a symmetric matrix.
        """
        if self.tensor is not None:
            return NegativeWeights(self.tensor, self.shape[1], self.shape[0], self.device, transpose=True)
        return NegativeWeights(self.fn, self.shape[1], self.shape[0], self.device)

    def rows(self, start: int, stop: int, dtype: torch.dtype) -> torch.Tensor | None:
        if self.is_none:
            return None
        if self.tensor is not None:
            block = self.tensor[start:stop]
            where = "neg_weights"
        else:
            assert self.fn is not None  # not is_none and no tensor: the weights are a callable
            block = self.fn(start, stop)
            where = f"neg_weights({start}, {stop})"
            if not isinstance(block, torch.Tensor):
                raise TypeError(f"{where} must return a tensor, got {type(block).__name__}")
            if tuple(block.shape) != (stop - start, self.shape[1]):
                raise ValueError(
                    f"{where} returned shape {tuple(block.shape)}, expected {(stop - start, self.shape[1])}"
                )
            if block.device != self.device:
                raise ValueError(f"{where} returned a tensor on {block.device}; the anchors are on {self.device}")
        if not block.is_floating_point():
            block = block.to(dtype)
        with torch.no_grad():
            # one pass in the common case: min/max propagate NaN, which then fails both tests
            low, high = torch.aminmax(block.detach())
            if not (bool(low >= 0) and bool(high < float("inf"))):
                if not torch.isfinite(block).all():
                    raise ValueError(f"{where} contains NaN or inf")
                raise ValueError(f"{where} contains negative values; weights must be >= 0 (0 drops a negative)")
        return block.to(dtype)
