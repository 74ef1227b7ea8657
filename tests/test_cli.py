import json

import pytest
import yaml

import graphcl.registry as registry
from graphcl.cli import main
from tests.toy_model import ENTRY


@pytest.fixture
def toy_config(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.MODELS, "toy", ENTRY)
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump({"task": "rec", "model": "toy", "dataset": "ml-100k", "params": {"epochs": 2}}))
    return path


def test_train_then_eval(toy_config, tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", str(toy_config), "--set", "params.lr=0.3", "--out-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    run_dir = next(out.iterdir())
    assert f"run folder: {run_dir}" in printed
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs"] == 2
    assert main(["eval", str(run_dir)]) == 0
    assert '"w"' in capsys.readouterr().out


def test_config_show_applies_overrides(toy_config, capsys):
    assert main(["config", "show", str(toy_config), "--set", "seed=5"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["seed"] == 5 and shown["params"] == {"lr": 0.1, "epochs": 2}


def test_bad_key_exits_2_with_message(toy_config, capsys):
    assert main(["config", "show", str(toy_config), "--set", "params.epochz=3"]) == 2
    err = capsys.readouterr().err
    assert "unknown key(s) ['epochz']" in err and "epochs" in err


def test_bad_value_exits_2(toy_config, capsys):
    assert main(["train", str(toy_config), "--set", "params.epochs=0"]) == 2
    assert "epochs must be >= 1" in capsys.readouterr().err


def test_unknown_config_name(capsys):
    assert main(["train", "hetero/does_not_exist"]) == 2
    assert "no config file 'hetero/does_not_exist'" in capsys.readouterr().err


def test_config_list_names_shipped_configs(capsys):
    assert main(["config", "list"]) == 0
    names = capsys.readouterr().out.split()
    assert all("/" in n and not n.endswith(".yaml") for n in names)


def test_eval_writes_metrics_and_clears_the_missing_evaluation_marker(toy_config, tmp_path):
    out = tmp_path / "runs"
    assert main(["train", str(toy_config), "--out-dir", str(out)]) == 0
    run_dir = next(out.iterdir())
    assert main(["eval", str(run_dir)]) == 0  # merged into the training metrics
    merged = json.loads((run_dir / "metrics.json").read_text())
    assert merged["epochs"] == 2 and "w" in merged["test"]
    (run_dir / "metrics.json").unlink()  # as after a second Ctrl-C during the evaluation
    (run_dir / "EVALUATION_MISSING.txt").write_text("evaluation did not finish\n")
    assert main(["eval", str(run_dir)]) == 0
    assert "w" in json.loads((run_dir / "metrics.json").read_text())["test"]
    assert not (run_dir / "EVALUATION_MISSING.txt").exists()
