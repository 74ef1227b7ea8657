"""A toy "model" for the tuner's tests: a noisy quadratic in lr / hidden_dim, reported per epoch.

The best configuration is lr = 10**-2.5 (about 3.2e-3), hidden_dim = 96, activation = elu.
Trials with ``params.bad: true`` report very low values (the pruning test relies on it), and
``sleep`` seconds per epoch make trials take wall time without using CPU (worker tests).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from graphcl.utils.task import Task


@dataclass
class ToyOptim:
    """Nested section, so nested search-space paths can be tested.

    Args:
        kind: optimiser name.
        momentum: momentum in [0, 1).
    """

    kind: Literal["sgd", "adam"] = "adam"
    momentum: float = 0.9

    def __post_init__(self) -> None:
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")


@dataclass
class ToyParams:
    """Hyperparameters of the toy objective.

    Args:
        lr: learning rate (> 0).
        hidden_dim: width in 1..1024.
        activation: relu or elu (elu scores slightly higher).
        epochs: reports per run.
        sleep: seconds slept per epoch.
        noise: std of the Gaussian noise on each report.
        bad: when true, every report is near zero (a clearly bad trial).
        optim: nested optimiser section.
    """

    lr: float = 1e-3
    hidden_dim: int = 64
    activation: Literal["relu", "elu"] = "relu"
    epochs: int = 4
    sleep: float = 0.0
    noise: float = 0.002
    bad: bool = False
    optim: ToyOptim = field(default_factory=ToyOptim)

    def __post_init__(self) -> None:
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not 1 <= self.hidden_dim <= 1024:
            raise ValueError(f"hidden_dim must be in 1..1024, got {self.hidden_dim}")
        if self.activation == "relu" and self.optim.kind == "sgd" and self.hidden_dim > 1000:
            raise ValueError("relu + sgd + hidden_dim > 1000 is not allowed (combination check)")


def quality(p: ToyParams) -> float:
    """Noise-free final validation score of ``p`` (at most 1.0)."""
    q = 1.0 - (math.log10(p.lr) + 2.5) ** 2 / 4 - ((p.hidden_dim - 96) / 256) ** 2
    return q + (0.02 if p.activation == "elu" else 0.0)


def train(run, run_dir: Path, report=None) -> dict:
    p: ToyParams = run.params
    rng = random.Random(run.seed * 1000 + p.hidden_dim)
    val = 0.0
    for epoch in range(p.epochs):
        if p.sleep:
            time.sleep(p.sleep)
        target = 0.01 if p.bad else quality(p)
        val = target * (1 - 0.5 ** (epoch + 1)) + rng.gauss(0, p.noise)
        if report is not None:
            report(epoch, val)
    test = val - 0.01 + rng.gauss(0, p.noise)
    (Path(run_dir) / "toy.txt").write_text(f"{val}\n")
    return {
        "val": {"macro_f1_20": val, "nmi": val / 2},
        "test": {"macro_f1_20": test, "nmi": test / 2},
        "epochs": p.epochs,
    }


def evaluate(run_dir: Path, run=None) -> dict:
    return {"val": float((Path(run_dir) / "toy.txt").read_text())}


# registered by the tests as ``registry.MODELS["toy"] = ENTRY`` (a hetero-like task)
ENTRY = Task(name="hetero", params={"toy": ToyParams}, train=train, evaluate=evaluate, metrics=("macro_f1_20", "nmi"))
