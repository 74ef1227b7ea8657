"""torchrun data parallelism: the process group from torchrun's environment, and who is rank 0.

Under ``torchrun --nproc_per_node N -m graphcl train CONFIG`` every process sees ``RANK``,
``WORLD_SIZE`` and ``LOCAL_RANK``; :func:`init_from_env` starts the process group (gloo on CPU,
NCCL on CUDA) only when ``WORLD_SIZE > 1``, so a plain ``graphcl train`` is unchanged. Only
``torch.distributed`` primitives are used (see docs/distributed.md).
"""

from __future__ import annotations

import os
from typing import Any

import torch
import torch.distributed as dist


def env_world_size() -> int:
    """``WORLD_SIZE`` set by torchrun (1 outside it)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def init_from_env(device: str = "auto") -> bool:
    """Start the default process group from torchrun's env vars when ``WORLD_SIZE > 1``
    (``device``: the run's ``cpu | cuda[:i] | auto``; CUDA uses NCCL and ``cuda:LOCAL_RANK``,
    the CPU gloo). Returns whether this process is now part of a group of several."""
    if env_world_size() <= 1:
        return False
    if dist.is_initialized():
        return dist.get_world_size() > 1
    cuda = device != "cpu" and torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend="nccl" if cuda else "gloo")
    return True


def is_distributed() -> bool:
    """A process group of more than one process is running."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def is_main() -> bool:
    """Rank 0 (or not distributed): the process that evaluates and writes files."""
    return rank() == 0


def local_device(device: torch.device) -> torch.device:
    """Under a process group, a CUDA ``device`` becomes this process's GPU ``cuda:LOCAL_RANK``."""
    if is_distributed() and device.type == "cuda":
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device


def broadcast(value: Any, src: int = 0) -> Any:
    """``value`` of rank ``src`` on every rank (picklable objects; a no-op when not distributed)."""
    if not is_distributed():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=src)
    return box[0]


def all_gather(value: Any) -> list[Any]:
    """Every rank's ``value``, in rank order (``[value]`` when not distributed)."""
    if not is_distributed():
        return [value]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, value)
    return out


def barrier() -> None:
    if is_distributed():
        dist.barrier()
