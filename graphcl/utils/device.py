"""The torch device a run asks for (``device: auto | cpu | cuda[:i]`` in run configs)."""

from __future__ import annotations

import torch

from graphcl.utils.errors import UserError


def resolve_device(name: str) -> torch.device:
    """``torch.device`` for ``name``: ``"auto"`` is CUDA when available, else the CPU.

    Raises :class:`~graphcl.utils.errors.UserError` when CUDA is asked for but absent (instead of
    failing later, inside the first ``.to()``).
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UserError(f"device {name!r} requested but CUDA is not available on this machine; use device: cpu or auto")
    return torch.device(name)
