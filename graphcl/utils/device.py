"""The torch device a run asks for (``device: auto | cpu | cuda[:i]`` in run configs)."""
from __future__ import annotations

import torch


def resolve_device(name: str) -> torch.device:
    """``torch.device`` for ``name``: ``"auto"`` is CUDA when available, else the CPU.

    Raises ``RuntimeError`` when CUDA is asked for but absent (instead of failing later, inside
    the first ``.to()``).
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} requested but CUDA is not available; use device: cpu or auto")
    return torch.device(name)
