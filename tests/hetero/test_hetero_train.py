import json

import pytest
import torch
from torch import nn

from graphcl.hetero.params import (
    HeCoEval,
    HeCoModel,
    HeCoParams,
    HeCoTrain,
    HeteroEval,
    MEOWModel,
    MEOWParams,
    MEOWTrain,
)
from graphcl.hetero.train import evaluate, train_and_evaluate
from graphcl.hetero.trainer import fit
from graphcl.registry import TrialPruned
from tests.hetero.synthetic import make_planted_hetero


class _ScriptedModel(nn.Module):
    """A model whose loss follows a script: epoch ``k`` reports ``curve[k]``; its gradient is 1, so
    Adam moves ``w`` every step and each epoch's parameters can be told apart."""

    def __init__(self, curve):
        super().__init__()
        self.curve = list(curve)
        self.w = nn.Parameter(torch.zeros(1))
        self.seen = []  # w at each loss call: the parameters that produced curve[k]

    def loss(self, inputs):
        self.seen.append(float(self.w))
        return self.w - self.w.detach() + self.curve[len(self.seen) - 1]

    def embed(self, inputs):
        return self.w.detach().expand(3, 2).clone()


class _NoInputs:
    def to(self, *args, **kwargs):
        return self


CURVE = [5.0, 4.0, 3.0, 3.5, 2.5, 2.75, 2.625, 2.875, 2.25, 9.0, 9.0]  # exact in float32


@pytest.mark.parametrize("restore_best", [True, False])
def test_fit_restores_the_best_loss_weights_and_stops_after_patience(restore_best):
    model = _ScriptedModel(CURVE)
    params = MEOWParams(train=MEOWTrain(epochs=len(CURVE), patience=3, lr=0.1, restore_best=restore_best))
    result = fit(model, _NoInputs(), params, device="cpu")
    # best 2.5 at epoch 4; epochs 5, 6, 7 do not improve: stop after epoch 7 (2.25 at epoch 8 is never seen)
    assert (result.best_epoch, result.best_loss, result.epochs) == (4, 2.5, 8)
    assert result.history == CURVE[:8] and len(model.seen) == 8
    assert len(set(model.seen)) == 8  # every step moved w
    expected = model.seen[4] if restore_best else float(model.w)
    assert float(model.w) == pytest.approx(expected, abs=0) and torch.all(result.embeddings == expected)
    if not restore_best:  # the last step's parameters, after the update of epoch 7
        assert float(model.w) not in model.seen


def test_fit_runs_the_budget_without_a_plateau():
    model = _ScriptedModel([3.0, 2.0, 1.0])
    result = fit(model, _NoInputs(), MEOWParams(train=MEOWTrain(epochs=3, patience=5, restore_best=True)), device="cpu")
    assert (result.epochs, result.best_epoch) == (3, 2) and float(model.w) == model.seen[2]
    assert result.stats()["interrupted_at_epoch"] is None


def test_fit_monitor_sees_embeddings_every_eval_every_epochs():
    calls = []
    fit(
        _ScriptedModel([3.0, 2.0, 1.0, 0.5]),
        _NoInputs(),
        MEOWParams(train=MEOWTrain(epochs=4), eval=HeteroEval(eval_every=2)),
        device="cpu",
        monitor=lambda epoch, z: calls.append((epoch, z.shape)),
    )
    assert calls == [(1, (3, 2)), (3, (3, 2))]


def test_fit_needs_no_labels():
    data = make_planted_hetero(num_papers=40)
    del data["paper"].y
    from graphcl.hetero import MEOW, ToMEOWInputs

    params = MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5]), train=MEOWTrain(epochs=2))
    inputs = ToMEOWInputs(params, target="paper")(data)
    result = fit(MEOW(params, inputs), inputs, params, device="cpu")
    assert result.embeddings.shape == (40, 64) and len(result.history) == 2


def test_train_and_evaluate_saves_embeddings_and_metrics(tmp_path):
    data = make_planted_hetero(num_papers=60)
    params = MEOWParams(
        model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5]),
        train=MEOWTrain(epochs=3),
        eval=HeteroEval(final_eval_repeats=2, export_npy=True),
    )
    m = train_and_evaluate("meow", data, params, tmp_path, device="cpu")
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
    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=200, patience=1, lr=0.5),
        eval=HeCoEval(final_eval_repeats=1),
    )
    m = train_and_evaluate("heco", data, params, tmp_path, device="cpu")
    assert m["epochs"] < 200


def test_report_is_called_and_pruning_propagates(tmp_path):
    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=4),
        eval=HeCoEval(eval_every=2, eval_repeats=1, final_eval_repeats=1),
    )
    calls = []
    train_and_evaluate("heco", data, params, tmp_path / "a", device="cpu", report=lambda e, v: calls.append((e, v)))
    assert [e for e, _ in calls] == [1, 3] and all(0 <= v <= 1 for _, v in calls)

    def prune(epoch, value):
        raise TrialPruned()

    with pytest.raises(TrialPruned):
        train_and_evaluate("heco", data, params, tmp_path / "b", device="cpu", report=prune)


def test_evaluate_needs_a_run_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="embeddings.pt"):
        evaluate(tmp_path)


def test_objective_selects_the_reported_score(tmp_path):
    data = make_planted_hetero(num_papers=40)
    calls = {}
    for objective in ("macro_f1_20", "micro_f1_20"):
        params = HeCoParams(
            model=HeCoModel(schema_types=["author", "subject"]),
            train=HeCoTrain(epochs=1),
            eval=HeCoEval(eval_every=1, eval_repeats=1, objective=objective, final_eval_repeats=1),
        )
        train_and_evaluate(
            "heco",
            data,
            params,
            tmp_path / objective,
            device="cpu",
            report=lambda e, v, o=objective: calls.__setitem__(o, v),
        )
    assert set(calls) == {"macro_f1_20", "micro_f1_20"}
    assert all(0 <= v <= 1 for v in calls.values())


def test_long_runs_log_progress(caplog, monkeypatch):
    import graphcl.hetero.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "LOG_EVERY", 2)
    with caplog.at_level("INFO", logger="graphcl.hetero.trainer"):
        fit(_ScriptedModel([4.0, 3.0, 2.0, 1.0]), _NoInputs(), MEOWParams(train=MEOWTrain(epochs=4)), device="cpu")
    lines = [r.getMessage() for r in caplog.records if r.name == "graphcl.hetero.trainer"]
    assert [line.split(":")[0] for line in lines] == ["_ScriptedModel epoch 2", "_ScriptedModel epoch 4"]
    assert "best" in lines[0] and "s/epoch" in lines[0]


def test_interrupt_keeps_and_evaluates_a_plain_run(tmp_path, monkeypatch):
    from graphcl.hetero.heco import HeCo

    calls = {"n": 0}
    original_loss = HeCo.loss

    def interrupt_third_epoch(model_self, inputs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original_loss(model_self, inputs)

    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=50),
        eval=HeCoEval(final_eval_repeats=1),
    )
    monkeypatch.setattr(HeCo, "loss", interrupt_third_epoch)
    m = train_and_evaluate("heco", data, params, tmp_path, device="cpu")
    assert m["interrupted_at_epoch"] == 3 and m["epochs"] == 3
    assert (tmp_path / "embeddings.pt").is_file() and 0 <= m["test"]["macro_f1_20"] <= 1

    # a tuning trial (report given) or an interrupt before any finished epoch is not swallowed
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        train_and_evaluate("heco", data, params, tmp_path / "b", device="cpu", report=lambda e, v: None)
    calls["n"] = 2
    with pytest.raises(KeyboardInterrupt):
        train_and_evaluate("heco", data, params, tmp_path / "c", device="cpu")


def _interrupt_at_call(n_interrupt, original):
    calls = {"n": 0}

    def loss(model_self, inputs):
        calls["n"] += 1
        if calls["n"] == n_interrupt:
            raise KeyboardInterrupt
        return original(model_self, inputs)

    return loss


@pytest.mark.parametrize(
    "model_name, params, evaluated",
    [
        (
            "meow",
            MEOWParams(
                model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5]),
                train=MEOWTrain(epochs=50),
                eval=HeteroEval(final_eval_repeats=1),
            ),
            "its last finished epoch 2",
        ),
        (
            "heco",
            HeCoParams(
                model=HeCoModel(schema_types=["author", "subject"]),
                train=HeCoTrain(epochs=50),
                eval=HeCoEval(final_eval_repeats=1),
            ),
            "its lowest-loss epoch",
        ),
    ],
)
def test_an_interrupted_run_names_the_epoch_it_evaluates(tmp_path, monkeypatch, caplog, model_name, params, evaluated):
    from graphcl.hetero.heco import HeCo
    from graphcl.hetero.meow import MEOW

    cls = MEOW if model_name == "meow" else HeCo
    monkeypatch.setattr(cls, "loss", _interrupt_at_call(3, cls.loss))
    with caplog.at_level("WARNING"):
        m = train_and_evaluate(model_name, make_planted_hetero(num_papers=40), params, tmp_path, device="cpu")
    assert f"interrupted during epoch 3: evaluating the parameters of {evaluated}" in caplog.text
    assert m["evaluated_epoch"] == (2 if model_name == "meow" else m["best_epoch"] + 1)
    assert not (tmp_path / "EVALUATION_MISSING.txt").exists()


def test_a_second_interrupt_during_evaluation_keeps_embeddings_and_a_marker(tmp_path, monkeypatch):
    import graphcl.hetero.train as train_module

    def interrupted_evaluation(run_dir):
        raise KeyboardInterrupt

    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=2),
        eval=HeCoEval(final_eval_repeats=1),
    )
    monkeypatch.setattr(train_module, "evaluate", interrupted_evaluation)
    with pytest.raises(KeyboardInterrupt):
        train_and_evaluate("heco", make_planted_hetero(num_papers=40), params, tmp_path, device="cpu")
    assert (tmp_path / "embeddings.pt").is_file() and (tmp_path / "eval_data.pt").is_file()
    assert "graphcl eval" in (tmp_path / "EVALUATION_MISSING.txt").read_text()


def test_a_truncated_embeddings_file_is_refused_by_name(tmp_path):
    from graphcl.utils.errors import UserError

    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=2),
        eval=HeCoEval(final_eval_repeats=1),
    )
    train_and_evaluate("heco", make_planted_hetero(num_papers=40), params, tmp_path, device="cpu")
    path = tmp_path / "embeddings.pt"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(UserError, match=r"embeddings.pt cannot be read .*truncated"):
        evaluate(tmp_path)


def _validation_params(epochs, patience, eval_every):
    return MEOWParams(
        train=MEOWTrain(epochs=epochs, patience=patience, lr=0.1, select="validation"),
        eval=HeteroEval(eval_every=eval_every),
    )


def test_validation_selection_restores_the_best_validated_weights_and_stops_after_patience():
    model = _ScriptedModel([1.0] * 20)  # a flat loss: loss-based early stopping would end after epoch 2
    scores = iter([0.5, 0.7, 0.6, 0.7, 0.9])  # validations after epochs 2, 4, 6, 8 (10 is never reached)
    seen = []

    def select(epoch, z):
        seen.append((epoch, float(z[0, 0])))
        return next(scores)

    result = fit(model, _NoInputs(), _validation_params(20, 2, 2), device="cpu", select=select)
    # best 0.7 after epoch 4; 0.6 and the tie 0.7 do not improve: stop after epoch 8
    assert [e for e, _ in seen] == [1, 3, 5, 7] and result.epochs == 8 and len(model.seen) == 8
    assert (result.selected_epoch, result.best_val, result.val_evaluations) == (4, 0.7, 4)
    assert result.evaluated_epoch == 4 and result.val_history == [[2, 0.5], [4, 0.7], [6, 0.6], [8, 0.7]]
    assert float(model.w) == model.seen[4] == seen[1][1]  # the weights after epoch 4's update, as validated
    assert torch.all(result.embeddings == model.seen[4])
    stats = result.stats()
    assert (stats["select"], stats["selected_epoch"], stats["best_val"], stats["val_evaluations"]) == (
        "validation",
        4,
        0.7,
        4,
    )


def test_validation_selection_is_capped_at_epochs_and_validates_the_last_epoch():
    model = _ScriptedModel([1.0] * 5)
    calls = []
    result = fit(
        model,
        _NoInputs(),
        _validation_params(5, 100, 2),
        device="cpu",
        select=lambda e, z: calls.append(e) or float(e),
    )
    assert calls == [1, 3, 4] and result.epochs == 5 and result.selected_epoch == 5 and result.best_val == 4.0
    assert float(model.w) == float(result.embeddings[0, 0])  # the last parameters were the best


def test_loss_selection_records_no_validation():
    result = fit(_ScriptedModel([3.0, 2.0]), _NoInputs(), MEOWParams(train=MEOWTrain(epochs=2)), device="cpu")
    assert result.stats()["select"] == "loss" and result.selected_epoch is None and result.val_evaluations == 0


def test_select_config_errors():
    from graphcl.config import ConfigError, from_dict

    with pytest.raises(ValueError, match=r"select must be one of \('loss', 'validation'\), got 'test'"):
        HeCoTrain(select="test")
    with pytest.raises(ValueError, match="needs eval.eval_every >= 1"):
        HeCoParams(train=HeCoTrain(select="validation"))
    with pytest.raises(ConfigError, match="eval_every"):
        from_dict(HeCoParams, {"train": {"select": "validation"}, "eval": {"eval_every": 0}})
    assert from_dict(HeCoParams, {"train": {"select": "validation"}, "eval": {"eval_every": 5}}).train.select == (
        "validation"
    )
    with pytest.raises(ValueError, match="needs a select callback"):
        fit(_ScriptedModel([1.0]), _NoInputs(), _validation_params(1, 1, 1), device="cpu")


@pytest.mark.parametrize("select", ["validation", "loss"])
def test_training_never_passes_the_test_split_to_the_classifier(tmp_path, monkeypatch, select):
    import graphcl.hetero.train as train_module
    from graphcl.eval import logreg_evaluate

    got = []

    def recording(embeds, labels, train_idx, val_idx, test_idx, **kwargs):
        got.append((train_idx, val_idx, test_idx))
        return logreg_evaluate(embeds, labels, train_idx, val_idx, test_idx, **kwargs)

    monkeypatch.setattr(train_module, "logreg_evaluate", recording)
    data = make_planted_hetero(num_papers=40)
    params = HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(epochs=4, patience=10, select=select),
        eval=HeCoEval(eval_every=1, eval_repeats=1, final_eval_repeats=1),
    )
    reported = []
    m = train_and_evaluate(
        "heco", data, params, tmp_path, device="cpu", report=lambda e, v: reported.append(v)
    )  # "loss": the tuner's report path
    test_nodes = set(data["paper"].test_idx_20.tolist())
    assert len(got) == 4 and len(reported) == 4
    for train_idx, val_idx, test_idx in got:
        assert test_idx is None and not test_nodes & set(train_idx.tolist() + val_idx.tolist())
    assert m["select"] == select and m["val_evaluations"] == (4 if select == "validation" else 0)
    if select == "validation":
        assert m["best_val"] == max(reported) and m["selected_epoch"] == reported.index(max(reported)) + 1
        assert json.loads((tmp_path / "val_history.json").read_text()) == [[e + 1, v] for e, v in enumerate(reported)]
        assert m["evaluated_epoch"] == m["selected_epoch"]
    assert 0 <= m["test"]["macro_f1_20"] <= 1  # the test split is read once, after training
