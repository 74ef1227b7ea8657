"""Seeding for reproducible runs, and putting back the process-wide settings seeding changes."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator

import numpy as np
import torch

# environment variables seed_everything sets (PYTHONHASHSEED only affects child processes)
SEED_ENV_VARS = ("PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG")


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA).

    Args:
        seed: the seed.
        deterministic: also ask torch for deterministic kernels (same seed, same numbers on CPU).
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False


@contextlib.contextmanager
def process_settings_restored() -> Iterator[None]:
    """Within the block anything may change torch's deterministic-algorithm, cuDNN and
    anomaly-detection flags or :data:`SEED_ENV_VARS`; afterwards they are as before (the runner
    wraps every training run in this, so a library caller's process is left as it was)."""
    flags = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    cudnn = (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic)
    anomaly = torch.is_anomaly_enabled()
    env = {name: os.environ.get(name) for name in SEED_ENV_VARS}
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(flags[0], warn_only=flags[1])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = cudnn
        torch.autograd.set_detect_anomaly(anomaly)
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
