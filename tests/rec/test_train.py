"""train() / evaluate() end to end on a tiny synthetic set, through graphcl's runner."""
import json

import pytest

from graphcl.config import load_run_config
from graphcl.registry import TrialPruned
from graphcl.runner import run_training
from rec import train as rec_train

KEYS = {"hr@5", "ndcg@5", "hr@10", "ndcg@10", "hr@20", "ndcg@20"}
SMALL = ["params.hidden_size=16", "params.inner_size=32", "params.max_seq_length=10", "params.epochs=3",
         "params.train_batch_size=64", "params.eval_batch_size=16"]


@pytest.fixture
def synthetic_loader(monkeypatch, tiny_data):
    monkeypatch.setattr(rec_train, "load_sequence_data", lambda name, root=None: tiny_data)


@pytest.mark.parametrize("model", ["sasrec", "cl4srec", "mclrec"])
def test_train_and_evaluate_end_to_end(model, tmp_path, synthetic_loader):
    run = load_run_config({"task": "rec", "model": model, "dataset": "toy", "device": "cpu",
                           "out_dir": str(tmp_path)}, SMALL)
    reported = []
    run_dir, metrics = run_training(run, report=lambda step, value: reported.append((step, value)))
    assert set(metrics["val"]) == KEYS and set(metrics["test"]) == KEYS
    assert metrics["epochs"] == 3 and metrics["seconds_per_epoch"] > 0
    assert [s for s, _ in reported] == [1, 2, 3]
    assert (run_dir / "model.pt").is_file() and json.loads((run_dir / "metrics.json").read_text())
    again = rec_train.evaluate(run_dir)
    assert again["test"] == pytest.approx(metrics["test"])  # same weights, same numbers


def test_learns_the_synthetic_pattern(tmp_path, synthetic_loader):
    run = load_run_config({"task": "rec", "model": "sasrec", "dataset": "toy", "device": "cpu",
                           "out_dir": str(tmp_path)},
                          SMALL + ["params.epochs=30", "params.learning_rate=0.01", "params.hidden_dropout_prob=0.1",
                                   "params.attn_dropout_prob=0.1"])
    _, metrics = run_training(run)
    assert metrics["test"]["hr@5"] > 0.5  # next item = current + 1: random would give 5/30


def test_report_can_prune(tmp_path, synthetic_loader):
    run = load_run_config({"task": "rec", "model": "sasrec", "dataset": "toy", "device": "cpu",
                           "out_dir": str(tmp_path)}, SMALL)

    def prune(step, value):
        raise TrialPruned()

    with pytest.raises(TrialPruned):
        run_training(run, report=prune)


def test_early_stopping(tmp_path, synthetic_loader):
    run = load_run_config({"task": "rec", "model": "sasrec", "dataset": "toy", "device": "cpu",
                           "out_dir": str(tmp_path)},
                          SMALL + ["params.epochs=50", "params.stopping_step=1", "params.learning_rate=1e-9"])
    _, metrics = run_training(run)  # weights barely move: validation stops improving at once
    assert metrics["epochs"] == 2


def test_unknown_model_and_missing_run_dir(tmp_path):
    with pytest.raises(KeyError, match="known"):
        rec_train.model_class("gru4rec")
    with pytest.raises(FileNotFoundError, match="model.pt"):
        rec_train.evaluate(tmp_path)
