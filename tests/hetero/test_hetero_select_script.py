"""benchmarks/hetero_select.py: another shipped config, --set rows, kept run folders that resume."""

import json

import pytest

from tests.benchmark_scripts import load_benchmark
from tests.hetero.synthetic import make_planted_hetero

SMALL = ["params.model.nei_max=[5,5]", "params.model.num_clusters=[3,6]", "params.eval.final_eval_repeats=2"]


@pytest.fixture
def small_acm(monkeypatch):
    import graphcl.data

    monkeypatch.setattr(graphcl.data, "load_hetero", lambda name, root=None: make_planted_hetero(num_papers=60))


def _run(mod, tmp_path, *extra):
    argv = ["--model", "meow", "--dataset", "acm", "--selects", "validation", "--eval-every", "2"]
    argv += [f"--set={s}" for s in SMALL] + ["--out", str(tmp_path / "rows.json"), *extra]
    assert mod.main(argv) == 0
    return json.loads((tmp_path / "rows.json").read_text())[-1]


def test_rows_record_the_config_and_the_set_overrides(small_acm, tmp_path):
    mod = load_benchmark("hetero_select")
    row = _run(mod, tmp_path, "--config", "meow_acm_cluster", "--max-epochs", "2")
    assert row["config"] == "meow_acm_cluster" and row["set"] == SMALL
    assert row["capped_at"] == 2 and row["metrics"]["select"] == "validation"
    with pytest.raises(SystemExit, match="is meow on acm, not adameow on acm"):
        mod.main(["--model", "adameow", "--dataset", "acm", "--config", "meow_acm_cluster"])


def test_a_kept_run_folder_is_resumed_when_the_command_is_rerun(small_acm, tmp_path, caplog):
    mod = load_benchmark("hetero_select")
    args = ("--run-dir", str(tmp_path / "runs"), "--max-epochs", "4", "--set=params.train.checkpoint_every=2")
    first = _run(mod, tmp_path, *args)
    sets = [*SMALL, "params.train.checkpoint_every=2"]
    folder = tmp_path / "runs" / mod.run_folder_name("meow_acm", 0, "validation", sets)
    assert (folder / "last.pt").is_file() and first["metrics"]["resumed"] is False
    caplog.clear()
    with caplog.at_level("INFO", logger="graphcl.hetero.trainer"):
        second = _run(mod, tmp_path, *args)
    assert second["metrics"]["resumed"] is True
    assert "resumed" in caplog.text and "after epoch 4" in caplog.text  # not retrained from epoch 0


def test_other_set_overrides_get_their_own_run_folder():
    mod = load_benchmark("hetero_select")
    plain = mod.run_folder_name("adameow_aminer", 0, "validation", [])
    tuned = mod.run_folder_name("adameow_aminer", 0, "validation", ["params.train.lr=0.0007"])
    assert plain == "adameow_aminer-s0-validation"
    other = mod.run_folder_name("adameow_aminer", 0, "validation", ["params.train.lr=0.001"])
    assert tuned.startswith(plain + "-set") and tuned != other
