import json

import pytest
import torch

from graphcl.hetero.params import HeCoParams, MEOWParams
from graphcl.hetero.train import evaluate, fit
from graphcl.registry import TrialPruned
from tests.hetero.synthetic import make_planted_hetero


def test_fit_saves_embeddings_and_metrics(tmp_path):
    data = make_planted_hetero(num_papers=60)
    params = MEOWParams(epochs=3, nei_max=[10, 10], num_clusters=[3, 5], final_eval_repeats=2, export_npy=True)
    m = fit("meow", data, params, tmp_path, device="cpu")
    assert m["epochs"] == 3 and m["seconds_per_epoch"] > 0 and m["peak_memory_mb"] > 0
    assert m["interrupted_at_epoch"] is None
    for key in ("macro_f1_20", "micro_f1_20", "auc_20", "macro_f1_60", "nmi", "ari"):
        assert 0.0 <= m["test"][key] <= 1.0 or key == "ari"
    assert (tmp_path / "embeddings.npy").is_file()
    assert torch.load(tmp_path / "embeddings.pt").shape == (60, 64)
    assert evaluate(tmp_path)["test"] == m["test"]  # same seed, same numbers
    assert len(json.loads((tmp_path / "loss_history.json").read_text())) == 3


def test_early_stopping_on_loss(tmp_path):
    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(epochs=200, patience=1, lr=0.5, schema_types=["author", "subject"], final_eval_repeats=1)
    m = fit("heco", data, params, tmp_path, device="cpu")
    assert m["epochs"] < 200


def test_report_is_called_and_pruning_propagates(tmp_path):
    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(epochs=4, eval_every=2, eval_repeats=1, schema_types=["author", "subject"], final_eval_repeats=1)
    calls = []
    fit("heco", data, params, tmp_path / "a", device="cpu", report=lambda e, v: calls.append((e, v)))
    assert [e for e, _ in calls] == [1, 3] and all(0 <= v <= 1 for _, v in calls)

    def prune(epoch, value):
        raise TrialPruned()

    with pytest.raises(TrialPruned):
        fit("heco", data, params, tmp_path / "b", device="cpu", report=prune)


def test_evaluate_needs_a_run_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="embeddings.pt"):
        evaluate(tmp_path)


def test_objective_selects_the_reported_score(tmp_path):
    data = make_planted_hetero(num_papers=40)
    calls = {}
    for objective in ("macro_f1_20", "micro_f1_20"):
        params = HeCoParams(epochs=1, eval_every=1, eval_repeats=1, objective=objective,
                            schema_types=["author", "subject"], final_eval_repeats=1)
        fit("heco", data, params, tmp_path / objective, device="cpu",
            report=lambda e, v, o=objective: calls.__setitem__(o, v))
    assert set(calls) == {"macro_f1_20", "micro_f1_20"}
    assert all(0 <= v <= 1 for v in calls.values())


def test_long_runs_log_progress(tmp_path, caplog, monkeypatch):
    import graphcl.hetero.train as train_module

    monkeypatch.setattr(train_module, "LOG_EVERY", 2)
    data = make_planted_hetero(num_papers=40)
    params = MEOWParams(epochs=4, nei_max=[10, 10], num_clusters=[3, 5], final_eval_repeats=1)
    with caplog.at_level("INFO", logger="graphcl.hetero.train"):
        fit("meow", data, params, tmp_path, device="cpu")
    lines = [r.getMessage() for r in caplog.records if r.name == "graphcl.hetero.train"]
    assert [line.split(":")[0] for line in lines] == ["meow epoch 2", "meow epoch 4"]
    assert "best" in lines[0] and "s/epoch" in lines[0]


def test_interrupt_keeps_and_evaluates_a_plain_run(tmp_path, monkeypatch):
    import graphcl.hetero.train as train_module

    calls = {"n": 0}

    def interrupt_third_epoch(model_self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original_loss(model_self)

    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(epochs=50, schema_types=["author", "subject"], final_eval_repeats=1)
    model = train_module.build_model("heco", data, params)
    original_loss = type(model).loss
    monkeypatch.setattr(type(model), "loss", interrupt_third_epoch)
    m = fit("heco", data, params, tmp_path, device="cpu")
    assert m["interrupted_at_epoch"] == 3 and m["epochs"] == 3
    assert (tmp_path / "embeddings.pt").is_file() and 0 <= m["test"]["macro_f1_20"] <= 1

    # a tuning trial (report given) or an interrupt before any finished epoch is not swallowed
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        fit("heco", data, params, tmp_path / "b", device="cpu", report=lambda e, v: None)
    calls["n"] = 2
    with pytest.raises(KeyboardInterrupt):
        fit("heco", data, params, tmp_path / "c", device="cpu")
