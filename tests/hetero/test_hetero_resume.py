"""Resumable hetero training: ``last.pt`` every ``train.checkpoint_every`` epochs, and a resumed run
gives exactly what an uninterrupted one gives (issue #18)."""

import json

import pytest
import torch

from graphcl.hetero.params import (
    AdaMEOWModel,
    AdaMEOWParams,
    AdaMEOWTrain,
    HeCoEval,
    HeCoModel,
    HeCoParams,
    HeCoTrain,
    HeteroEval,
    MEOWModel,
    MEOWParams,
    MEOWTrain,
)
from graphcl.hetero.train import train_and_evaluate
from graphcl.utils.errors import CheckpointError
from tests.hetero.synthetic import make_planted_hetero
from tests.hetero.test_hetero_train import _interrupt_at_call


def _meow(**train):
    settings = {"epochs": 7, "patience": 50, "checkpoint_every": 2, "resample_augmentations": True, **train}
    return MEOWParams(
        model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5]),
        train=MEOWTrain(**settings),
        eval=HeteroEval(final_eval_repeats=1, eval_every=2),
    )


def _heco(**train):
    return HeCoParams(
        model=HeCoModel(schema_types=["author", "subject"]),
        train=HeCoTrain(**{"epochs": 7, "patience": 50, "checkpoint_every": 2, **train}),
        eval=HeCoEval(final_eval_repeats=1),
    )


def _run(model, data, params, run_dir, **kwargs):
    torch.manual_seed(0)  # the runner seeds before building; the initial weights come from it
    return train_and_evaluate(model, data, params, run_dir, device="cpu", **kwargs)


def _adameow():
    return AdaMEOWParams(
        model=AdaMEOWModel(nei_max=[10, 10]),
        train=AdaMEOWTrain(epochs=7, patience=50, checkpoint_every=2, chunk_size=8),
        eval=HeteroEval(final_eval_repeats=1),
    )


def _model_class(model):
    from graphcl.hetero.adameow import AdaMEOW
    from graphcl.hetero.heco import HeCo
    from graphcl.hetero.meow import MEOW

    return {"meow": MEOW, "adameow": AdaMEOW, "heco": HeCo}[model]


CASES = [
    ("meow", _meow()),  # masks redrawn every epoch (inputs' generator), k-means seeded by the epoch counter
    ("meow", _meow(select="validation", patience=50)),  # the loop's validation state
    ("adameow", _adameow()),  # dropout inside checkpointed blocks: the global torch RNG
    ("heco", _heco(restore_best=True)),  # the model's neighbour-sampler generator, the best-loss weights
]


@pytest.mark.parametrize("model, params", CASES, ids=["meow", "meow-validation", "adameow", "heco"])
def test_resume_after_an_interrupt_gives_the_uninterrupted_result(tmp_path, monkeypatch, model, params):
    data = make_planted_hetero(num_papers=40)
    straight = _run(model, data, params, tmp_path / "straight")
    assert straight["checkpoint_epoch"] == 6 and straight["epochs"] == 7

    cls = _model_class(model)
    original = cls.loss
    monkeypatch.setattr(cls, "loss", _interrupt_at_call(6, original))  # during epoch 6: last.pt after 4
    stopped = _run(model, data, params, tmp_path / "b")
    assert (stopped["interrupted_at_epoch"], stopped["checkpoint_epoch"]) == (6, 4)
    monkeypatch.setattr(cls, "loss", original)
    torch.manual_seed(123)  # the resumed run restores the RNG states: what came before does not matter
    resumed = train_and_evaluate(model, data, params, tmp_path / "b", device="cpu", resume=True)

    embeddings = torch.load(tmp_path / "b" / "embeddings.pt")
    assert torch.equal(embeddings, torch.load(tmp_path / "straight" / "embeddings.pt"))
    history = json.loads((tmp_path / "b" / "loss_history.json").read_text())
    assert history == json.loads((tmp_path / "straight" / "loss_history.json").read_text())
    assert len(history) == 7
    for key in ("test", "epochs", "best_epoch", "best_loss", "evaluated_epoch", "selected_epoch", "best_val"):
        assert resumed[key] == straight[key], key
    assert resumed["val_evaluations"] == straight["val_evaluations"]
    assert resumed["interrupted_at_epoch"] is None and resumed["checkpoint_epoch"] == 6


def test_checkpoint_every_zero_writes_no_checkpoint_and_cannot_resume(tmp_path):
    data = make_planted_hetero(num_papers=40)
    m = _run("heco", data, _heco(epochs=3, checkpoint_every=0), tmp_path)
    assert not (tmp_path / "last.pt").exists() and m["checkpoint_epoch"] is None
    with pytest.raises(CheckpointError, match="last.pt does not exist"):
        _run("heco", data, _heco(epochs=3, checkpoint_every=0), tmp_path, resume=True)


def test_a_tuning_trial_writes_no_checkpoint(tmp_path):
    _run("heco", make_planted_hetero(num_papers=40), _heco(epochs=3), tmp_path, report=lambda e, v: None)
    assert not (tmp_path / "last.pt").exists()


def test_the_checkpoint_is_replaced_atomically(tmp_path):
    _run("heco", make_planted_hetero(num_papers=40), _heco(epochs=5), tmp_path)
    assert (tmp_path / "last.pt").is_file() and not (tmp_path / "last.pt.tmp").exists()
    assert torch.load(tmp_path / "last.pt", weights_only=True)["loop"]["epoch"] == 4


def test_resume_refuses_another_config_or_dataset_and_names_the_difference(tmp_path):
    data = make_planted_hetero(num_papers=40)
    _run("heco", data, _heco(epochs=3), tmp_path)
    with pytest.raises(CheckpointError, match=r"params\.train\.lr is 0\.0008 in the checkpoint but 0\.01 now"):
        _run("heco", data, _heco(epochs=3, lr=0.01), tmp_path, resume=True)
    with pytest.raises(CheckpointError, match=r"seed is 0 in the checkpoint but 1 now"):
        _run("heco", data, _heco(epochs=3), tmp_path, resume=True, seed=1)
    with pytest.raises(CheckpointError, match=r"data\.sha256 is '[0-9a-f]+' in the checkpoint but"):
        _run("heco", make_planted_hetero(num_papers=40, seed=1), _heco(epochs=3), tmp_path, resume=True)
    # checkpoint_every is no part of the fingerprint: a resumed run may checkpoint more or less often
    m = _run("heco", data, _heco(epochs=3, checkpoint_every=1), tmp_path, resume=True)
    assert m["epochs"] == 3


def test_resume_refuses_a_corrupt_checkpoint(tmp_path):
    data = make_planted_hetero(num_papers=40)
    _run("heco", data, _heco(epochs=3), tmp_path)
    path = tmp_path / "last.pt"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="last.pt is not a readable checkpoint.*truncated"):
        _run("heco", data, _heco(epochs=3), tmp_path, resume=True)
    torch.save({"something": "else"}, path)
    with pytest.raises(CheckpointError, match="not a hetero checkpoint"):
        _run("heco", data, _heco(epochs=3), tmp_path, resume=True)


def test_checkpoint_every_is_validated():
    with pytest.raises(ValueError, match="checkpoint_every must be >= 0"):
        MEOWTrain(checkpoint_every=-1)


def test_cli_interrupt_says_how_to_resume_and_resume_finishes_the_run(tmp_path, monkeypatch, capsys, caplog):
    import yaml

    from graphcl.cli import main
    from graphcl.hetero.heco import HeCo

    monkeypatch.setattr("graphcl.data.load_hetero", lambda name, root=None: make_planted_hetero(num_papers=40))
    config = tmp_path / "toy.yaml"
    params = {"train": {"epochs": 5, "checkpoint_every": 2}, "eval": {"final_eval_repeats": 1}}
    config.write_text(
        yaml.safe_dump({"task": "hetero", "model": "heco", "dataset": "acm", "device": "cpu", "params": params})
    )
    argv = ["train", str(config), "--threads", "1"]
    assert main([*argv, "--out-dir", str(tmp_path / "straight")]) == 0
    straight = next((tmp_path / "straight").iterdir())

    original = HeCo.loss
    monkeypatch.setattr(HeCo, "loss", _interrupt_at_call(4, original))  # during epoch 4: last.pt after 2
    assert main([*argv, "--out-dir", str(tmp_path / "runs")]) == 0  # interrupted, evaluated, as before
    run_dir = next((tmp_path / "runs").iterdir())
    err = capsys.readouterr().err
    assert "interrupted during epoch 4" in err and "continue training from epoch 2" in err
    assert f"`graphcl train --resume {run_dir}`" in err
    monkeypatch.setattr(HeCo, "loss", original)
    with caplog.at_level("INFO"):
        assert main(["train", "--resume", str(run_dir), "--threads", "1"]) == 0
    assert "--resume" not in capsys.readouterr().err
    resumed, expected = (json.loads((d / "metrics.json").read_text()) for d in (run_dir, straight))
    assert resumed["test"] == expected["test"] and resumed["epochs"] == 5 and resumed["interrupted_at_epoch"] is None
    assert f"HeCo resumed {run_dir / 'last.pt'} after epoch 2" in caplog.text


def test_cli_interrupt_before_the_first_checkpoint_says_the_run_cannot_be_resumed(tmp_path, monkeypatch, capsys):
    import yaml

    from graphcl.cli import main
    from graphcl.hetero.heco import HeCo

    monkeypatch.setattr("graphcl.data.load_hetero", lambda name, root=None: make_planted_hetero(num_papers=40))
    config = tmp_path / "toy.yaml"
    params = {"train": {"epochs": 5, "checkpoint_every": 3}, "eval": {"final_eval_repeats": 1}}
    config.write_text(
        yaml.safe_dump({"task": "hetero", "model": "heco", "dataset": "acm", "device": "cpu", "params": params})
    )
    monkeypatch.setattr(HeCo, "loss", _interrupt_at_call(2, HeCo.loss))
    assert main(["train", str(config), "--threads", "1", "--out-dir", str(tmp_path / "runs")]) == 0
    run_dir = next((tmp_path / "runs").iterdir())
    assert f"before a checkpoint was written; {run_dir} cannot be resumed" in capsys.readouterr().err
    assert main(["train", "--resume", str(run_dir)]) == 2
    assert "last.pt does not exist" in capsys.readouterr().err
