"""A toy model registered in tests: trains nothing, reports a deterministic curve."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from graphcl.utils.task import Task


@dataclass
class ToyParams:
    lr: float = 0.1
    epochs: int = 3

    def __post_init__(self):
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")


def train(run, run_dir, report=None):
    w = torch.randn(())  # seeded by the runner: same seed, same result
    val = 0.0
    for epoch in range(run.params.epochs):
        val = float(1.0 - (run.params.lr - 0.3) ** 2 + 0.01 * w)
        if report is not None:
            report(epoch, val)
    torch.save({"w": w}, run_dir / "model.pt")
    return {"val": {"score": val}, "test": {"score": val - 0.01}, "epochs": run.params.epochs}


def evaluate(run_dir, run=None):
    w = torch.load(run_dir / "model.pt")["w"]
    return {"test": {"w": float(w)}}


ENTRY = Task(name="rec", params={"toy": ToyParams}, train=train, evaluate=evaluate, metrics=("score",))
