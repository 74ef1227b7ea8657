"""Argument and input checks shared by the losses (private).

Every check raises ``ValueError``/``TypeError`` whose message names the argument and says how to
fix it, so a shape slip in a model surfaces at the loss call instead of as a broadcast error.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SIMILARITIES = ("cosine", "dot")
REDUCTIONS = ("mean", "sum", "none")


def check_positive_float(value, name: str) -> float:
    """A finite number > 0 (temperatures, concentrations)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number > 0, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_optional_positive_int(value, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    return value


def check_embeddings(x, name: str, like: torch.Tensor | None = None) -> torch.Tensor:
    """A finite floating 2-D tensor ``[rows, dim]``; with ``like``: same dim, dtype and device."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape [rows, dim], got {type(x).__name__}")
    if x.dim() != 2:
        raise ValueError(f"{name} must be 2-D [rows, dim], got shape {tuple(x.shape)}; flatten extra dimensions first")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating tensor, got dtype {x.dtype}; call .float()")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (0 rows); the loss needs at least one row")
    if like is not None:
        if x.shape[1] != like.shape[1]:
            raise ValueError(
                f"{name} has dim {x.shape[1]} but the anchors have dim {like.shape[1]}; "
                "both must be embedded in the same space"
            )
        if x.dtype != like.dtype:
            raise TypeError(f"{name} has dtype {x.dtype} but the anchors have {like.dtype}; cast one of them")
        if x.device != like.device:
            raise ValueError(f"{name} is on {x.device} but the anchors are on {like.device}; move it")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf; check the encoder (learning rate, normalisation)")
    return x


def check_two_views(z1, z2, loss_name: str, why: str = "B = 1 has no negatives") -> int:
    """Validate two ``[B, D]`` views of the same batch; returns ``B`` (at least 2)."""
    check_embeddings(z1, "z1")
    check_embeddings(z2, "z2", like=z1)
    if z1.shape[0] != z2.shape[0]:
        raise ValueError(f"z1 and z2 must hold the same B rows (two views), got {z1.shape[0]} and {z2.shape[0]}")
    if z1.shape[0] < 2:
        raise ValueError(f"{loss_name} needs a batch of at least 2 ({why})")
    return z1.shape[0]


def two_view_logits(z1: torch.Tensor, z2: torch.Tensor, similarity: str, temperature: float) -> torch.Tensor:
    """``[2B, 2B]`` similarities / temperature of the stacked views ``[z1; z2]``."""
    z = torch.cat([z1, z2])
    if similarity == "cosine":
        z = F.normalize(z, dim=1)
    return z @ z.t() / temperature


def similarity_inputs(a: torch.Tensor, c: torch.Tensor, similarity: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Prepare embeddings so that ``a @ c.T`` is the requested similarity.

    Cosine normalises once here (O(N·D)) rather than inside every row chunk.
    """
    if similarity == "cosine":
        return F.normalize(a, dim=1), F.normalize(c, dim=1)
    return a, c


def reduce(values: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values
