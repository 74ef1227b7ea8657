import json

import pytest
import yaml

import graphcl.registry as registry
from graphcl.config import load_run_config
from graphcl.runner import run_training
from tests.toy_model import ENTRY


@pytest.fixture(autouse=True)
def toy(monkeypatch):
    monkeypatch.setitem(registry.MODELS, "toy", ENTRY)


def _run(tmp_path, seed=0):
    return load_run_config(
        {"task": "rec", "model": "toy", "dataset": "ml-100k", "seed": seed, "out_dir": str(tmp_path)}
    )


def test_run_folder_records_config_versions_and_metrics(tmp_path):
    run_dir, metrics = run_training(_run(tmp_path))
    assert run_dir.parent == tmp_path
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert cfg["model"] == "toy" and cfg["params"] == {"lr": 0.1, "epochs": 3}
    assert "torch" in json.loads((run_dir / "versions.json").read_text())
    assert json.loads((run_dir / "metrics.json").read_text()) == metrics


def test_same_seed_same_metrics(tmp_path):
    _, a = run_training(_run(tmp_path, seed=1))
    _, b = run_training(_run(tmp_path, seed=1))
    _, c = run_training(_run(tmp_path, seed=2))
    assert a == b and a != c


def test_report_receives_every_epoch(tmp_path):
    seen = []
    run_training(_run(tmp_path), report=lambda step, value: seen.append(step))
    assert seen == [0, 1, 2]


def test_pruning_propagates(tmp_path):
    def prune(step, value):
        raise registry.TrialPruned()

    with pytest.raises(registry.TrialPruned):
        run_training(_run(tmp_path), report=prune)


def test_log_lines_land_in_the_run_folder(tmp_path):
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    try:
        run_dir, _ = run_training(_run(tmp_path))
    finally:
        root.setLevel(level)
    assert "toy on ml-100k, seed 0" in (run_dir / "train.log").read_text()
    # the handler is removed after the run: later runs do not write into this folder
    assert not any(getattr(h, "baseFilename", "").startswith(str(run_dir)) for h in root.handlers)


def process_settings():
    import os

    import numpy as np
    import torch

    return {
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn": (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
        "anomaly": torch.is_anomaly_enabled(),
        "env": {k: os.environ.get(k) for k in ("PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG")},
        "numpy": sorted(dir(np)),
    }


@pytest.mark.parametrize("env", [{}, {"PYTHONHASHSEED": "42", "CUBLAS_WORKSPACE_CONFIG": ":16:8"}])
def test_a_run_leaves_the_process_settings_as_they_were(tmp_path, monkeypatch, env):
    import torch

    for name in ("PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before_flags = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    try:
        before = process_settings()
        run_training(_run(tmp_path))
        assert process_settings() == before
    finally:
        torch.use_deterministic_algorithms(before_flags)
