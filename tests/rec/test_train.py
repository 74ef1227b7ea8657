"""train() / evaluate() end to end on a tiny synthetic set, through graphcl's runner."""

import json

import pytest

from graphcl.config import load_run_config
from graphcl.registry import TrialPruned
from graphcl.runner import run_training
from rec import train as rec_train
from tests.rec.conftest import InterruptAtEpoch

KEYS = {"hr@5", "ndcg@5", "hr@10", "ndcg@10", "hr@20", "ndcg@20"}
SMALL = [
    "params.model.hidden_size=16",
    "params.model.inner_size=32",
    "params.model.max_seq_length=10",
    "params.train.epochs=3",
    "params.train.train_batch_size=64",
    "params.eval.eval_batch_size=16",
]


@pytest.fixture
def synthetic_loader(monkeypatch, tiny_data):
    monkeypatch.setattr(rec_train, "load_sequence_data", lambda name, root=None: tiny_data)


@pytest.mark.parametrize("model", ["sasrec", "cl4srec", "mclrec"])
def test_train_and_evaluate_end_to_end(model, tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": model, "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)}, SMALL
    )
    reported = []
    run_dir, metrics = run_training(run, report=lambda step, value: reported.append((step, value)))
    assert set(metrics["val"]) == KEYS and set(metrics["test"]) == KEYS
    assert metrics["epochs"] == 3 and metrics["seconds_per_epoch"] > 0
    assert [s for s, _ in reported] == [1, 2, 3]
    assert (run_dir / "model.pt").is_file() and json.loads((run_dir / "metrics.json").read_text())
    again = rec_train.evaluate(run_dir, run)
    assert again["test"] == pytest.approx(metrics["test"])  # same weights, same numbers


def test_learns_the_synthetic_pattern(tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)},
        SMALL
        + [
            "params.train.epochs=30",
            "params.train.learning_rate=0.01",
            "params.model.hidden_dropout_prob=0.1",
            "params.model.attn_dropout_prob=0.1",
        ],
    )
    _, metrics = run_training(run)
    assert metrics["test"]["hr@5"] > 0.5  # next item = current + 1: random would give 5/30


def test_report_can_prune(tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)}, SMALL
    )

    def prune(step, value):
        raise TrialPruned()

    with pytest.raises(TrialPruned):
        run_training(run, report=prune)


def test_early_stopping(tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)},
        SMALL + ["params.train.epochs=50", "params.train.stopping_step=1", "params.train.learning_rate=1e-9"],
    )
    _, metrics = run_training(run)  # weights barely move: validation stops improving at once
    assert metrics["epochs"] == 2


def test_unknown_model_and_missing_run_dir(tmp_path):
    with pytest.raises(KeyError, match="known"):
        rec_train.model_class("gru4rec")
    with pytest.raises(FileNotFoundError, match="model.pt"):
        rec_train.evaluate(tmp_path, None)


def _four_epoch_run(tmp_path, name):
    return load_run_config(
        {"task": "rec", "model": "cl4srec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path / name)},
        SMALL + ["params.train.epochs=4"],
    )


def test_resume_after_an_interrupt_gives_the_uninterrupted_result(tmp_path, synthetic_loader, monkeypatch, caplog):
    from graphcl.runner import resume_training
    from rec.cl4srec import CL4SRec

    _, expected = run_training(_four_epoch_run(tmp_path, "straight"))
    monkeypatch.setattr(CL4SRec, "on_epoch_start", InterruptAtEpoch(3), raising=False)
    run = _four_epoch_run(tmp_path, "cut")
    run_dir = tmp_path / "cut" / "run"
    with pytest.raises(KeyboardInterrupt):
        run_training(run, run_dir=run_dir)
    assert not (run_dir / "metrics.json").exists() and (run_dir / "last.pt").is_file()
    monkeypatch.delattr(CL4SRec, "on_epoch_start")
    caplog.set_level("INFO")
    _, resumed = resume_training(run_dir)
    for key in ("val", "test_p2", "test_p1", "epochs", "best_epoch", "stopped_early"):
        assert resumed[key] == expected[key], key
    assert [h["loss"] for h in resumed["history"]] == [h["loss"] for h in expected["history"]]
    assert "resumed" in caplog.text and "after epoch 2" in caplog.text


def test_resume_refuses_a_checkpoint_of_another_config(tmp_path, synthetic_loader):
    import yaml

    from graphcl.runner import resume_training
    from rec.trainer import CheckpointError

    run_dir = tmp_path / "run"
    run_training(_four_epoch_run(tmp_path, "x"), run_dir=run_dir)
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    config["params"]["train"]["learning_rate"] = 0.5
    (run_dir / "config.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(CheckpointError, match=r"params.train.learning_rate is 0.001 in the checkpoint but 0.5 now"):
        resume_training(run_dir)


def test_metrics_carry_both_protocols_and_the_run_settings(tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)}, SMALL
    )
    _, metrics = run_training(run)
    assert set(metrics["test_p2"]) == set(metrics["test_p1"]) == KEYS
    assert metrics["test"] == metrics["test_p2"] and metrics["protocol"] == "p2"
    assert all(metrics["test_p1"][k] >= metrics["test_p2"][k] - 1e-12 for k in KEYS if k.startswith("hr"))
    assert metrics["threads"] >= 1 and metrics["max_seq_length"] == 10 and metrics["max_train_batches"] is None
    assert set(metrics["history"][-1]["valid_p1"]) == KEYS


def test_all_positions_training_learns_the_pattern(tmp_path, synthetic_loader):
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": str(tmp_path)},
        SMALL
        + [
            "params.train.epochs=40",
            "params.train.learning_rate=0.01",
            "params.model.hidden_dropout_prob=0.1",
            "params.model.attn_dropout_prob=0.1",
            "params.train.train_targets=all_positions",
            "params.train.train_batch_size=8",
        ],
    )
    _, metrics = run_training(run)
    assert metrics["num_train_rows"] == 40  # one row per user
    assert metrics["test"]["hr@5"] > 0.5


def test_cli_interrupt_exits_130_and_resume_finishes_the_run(tmp_path, synthetic_loader, monkeypatch, capsys):
    import yaml

    from graphcl.cli import main
    from rec.cl4srec import CL4SRec

    config = tmp_path / "toy.yaml"
    run = {
        "task": "rec",
        "model": "cl4srec",
        "dataset": "ml-100k",
        "device": "cpu",
        "params": {"model": {"hidden_size": 16, "inner_size": 32, "max_seq_length": 10}, "train": {"epochs": 3}},
    }
    config.write_text(yaml.safe_dump(run))
    monkeypatch.setattr(CL4SRec, "on_epoch_start", InterruptAtEpoch(2), raising=False)
    assert main(["train", str(config), "--out-dir", str(tmp_path / "runs"), "--threads", "1"]) == 130
    monkeypatch.delattr(CL4SRec, "on_epoch_start")
    run_dir = next((tmp_path / "runs").iterdir())
    assert f"graphcl train --resume {run_dir}`" in capsys.readouterr().err
    assert main(["train", "--resume", str(run_dir), "--set", "seed=1"]) == 2  # the stored config decides
    assert main(["train", str(config), "--resume", str(run_dir)]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["train", "--resume", str(run_dir), "--threads", "1"]) == 0
    printed = capsys.readouterr().out
    assert "| P2 (all items) |" in printed and "| P1 (history masked) |" in printed
    metrics = yaml.safe_load((run_dir / "metrics.json").read_text())
    assert metrics["epochs"] == 3 and metrics["threads"] == 1
