"""benchmarks/hetero_repro.py: config overrides reach every run and keep their rows apart."""

import json

from tests.benchmark_scripts import load_benchmark


def _metrics(ma_f1: float) -> dict:
    test = dict.fromkeys(["macro_f1_20", "macro_f1_40", "macro_f1_60", "micro_f1_20", "auc_20", "nmi", "ari"], ma_f1)
    return {
        "test": test,
        "epochs": 3,
        "seconds_per_epoch": 0.5,
        "peak_memory_mb": 10.0,
        "device": "cpu",
        "capped_at": 3,
    }


def test_overrides_reach_runs_and_label_rows(tmp_path, monkeypatch):
    mod = load_benchmark("hetero_repro")
    calls = []

    def fake_run_one(model, dataset, seed, data, max_epochs, device, extra=()):
        calls.append(list(extra))
        return _metrics(0.5 if extra else 0.9)

    monkeypatch.setattr(mod, "run_one", fake_run_one)
    monkeypatch.setattr("graphcl.data.load_hetero", lambda name, root=None: object())
    out = tmp_path / "r.json"
    common = ["--models", "meow", "--datasets", "acm", "--seeds", "0", "--max-epochs", "3", "--out", str(out)]
    assert mod.main(common) == 0
    assert mod.main(common + ["--set", "params.eval.final_eval_repeats=5"]) == 0
    assert calls == [[], ["params.eval.final_eval_repeats=5"]]
    rows = json.loads(out.read_text())
    assert [r["overrides"] for r in rows] == [[], ["params.eval.final_eval_repeats=5"]]
    lines = mod.table(rows).splitlines()[2:]
    assert len(lines) == 2  # not averaged together
    plain = next(line for line in lines if "[" not in line.split("|")[1])
    tagged = next(line for line in lines if "[params.eval.final_eval_repeats=5]" in line)
    assert "90.00" in plain and "50.00" in tagged


def test_old_rows_without_overrides_still_tabulate():
    mod = load_benchmark("hetero_repro")
    row = {"model": "heco", "dataset": "acm", "seed": 0, "capped_at": None, "metrics": _metrics(0.8)}
    assert "heco | acm | 1 | 80.00" in mod.table([row])
