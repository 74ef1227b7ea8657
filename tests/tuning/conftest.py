"""Fixtures of the tuning tests: the toy model in the registry and a study folder."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from graphcl import registry
from tests.tuning.toy_model import ENTRY

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def toy_model(monkeypatch):
    """Register the toy model as ``toy`` for this test only."""
    monkeypatch.setitem(registry.MODELS, "toy", ENTRY)
    return "toy"


def write_study(folder: Path, name: str = "toy_study", params: dict | None = None, **study) -> Path:
    """Write a toy base config and a study file in ``folder``; return the study path."""
    base = {
        "task": "hetero",
        "model": "toy",
        "dataset": "acm",
        "seed": 0,
        "device": "cpu",
        "params": {"epochs": 4, **(params or {})},
    }
    (folder / "toy_base.yaml").write_text(yaml.safe_dump(base))
    data = {
        "base_config": "toy_base.yaml",
        "objective": "macro_f1_20",
        "n_trials": 6,
        "seeds": [0],
        "final_seeds": [0, 1],
        "sampler": {"type": "tpe", "seed": 0, "args": {"n_startup_trials": 3}},
        "pruner": {"type": "none"},
        "search_space": {
            "params.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
            "params.hidden_dim": {"type": "int", "low": 16, "high": 256, "step": 16},
        },
        **study,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def tune_args(study: Path, out_dir: Path, **kw) -> argparse.Namespace:
    """Arguments as ``graphcl tune`` parses them."""
    args = {
        "study": str(study),
        "storage": None,
        "n_trials": None,
        "workers": 1,
        "data_root": None,
        "out_dir": str(out_dir),
        "set": [],
    }
    args.update(kw)
    return argparse.Namespace(**args)
