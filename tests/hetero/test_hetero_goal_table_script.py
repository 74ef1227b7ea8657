"""benchmarks/hetero_goal_table.py: which rows count, the statistics and the goal checklist."""

import json
import statistics

import pytest

from tests.benchmark_scripts import load_benchmark

COLUMNS = ["macro_f1_20", "macro_f1_40", "macro_f1_60", "micro_f1_20", "auc_20", "nmi", "ari"]


def _row(model, dataset, seed, value, select="validation", capped_at=None):
    test = dict.fromkeys(COLUMNS, value)
    return {
        "model": model,
        "dataset": dataset,
        "seed": seed,
        "select": select,
        "capped_at": capped_at,
        "metrics": {"test": test},
    }


def test_only_uncapped_validation_rows_count_once_per_seed():
    mod = load_benchmark("hetero_goal_table")
    rows = [
        _row("meow", "acm", 0, 0.80),
        _row("meow", "acm", 0, 0.90),  # a rerun of seed 0 replaces the first
        _row("meow", "acm", 1, 0.92),
        _row("meow", "acm", 2, 0.99, select="loss"),
        _row("meow", "acm", 3, 0.99, capped_at=100),
    ]
    runs = mod.selected_runs(rows)
    assert [r["seed"] for r in runs[("meow", "acm")]] == [0, 1]
    stats = mod.summary(runs[("meow", "acm")])
    mean, std, n = stats["macro_f1_20"]
    assert n == 2
    assert mean == pytest.approx(91.0)
    assert std == pytest.approx(100 * statistics.stdev([0.90, 0.92]))


def test_goal_status_needs_every_seed():
    mod = load_benchmark("hetero_goal_table")
    five = [_row("meow", "acm", s, 0.90) for s in range(5)]
    three = [_row("adameow", "acm", s, 0.89) for s in range(3)]
    stats = {key: mod.summary(group) for key, group in mod.selected_runs(five + three).items()}
    by_goal = {g["goal"]: g for g in mod.goals(stats, seeds=5)}
    assert by_goal["meow acm Ma-F1@20 >= HeCo paper"]["status"] == "met"  # 90.00 >= 88.56
    assert by_goal["meow acm Ma-F1@20 >= HeCo paper"]["ours"] == pytest.approx(90.0)
    assert by_goal["adameow acm Ma-F1@20 >= meow"]["status"] == "open (3/5 seeds, not met so far)"
    assert by_goal["meow acm NMI >= our HeCo"]["status"] == "open (no reference runs)"
    assert by_goal["meow dblp Ma-F1@20 >= HeCo paper"]["status"] == "open (no runs)"
    low = {
        key: mod.summary(group)
        for key, group in mod.selected_runs([_row("meow", "acm", s, 0.80) for s in range(5)]).items()
    }
    assert {g["goal"]: g for g in mod.goals(low, 5)}["meow acm Ma-F1@20 >= HeCo paper"]["status"] == "not met"


def test_cli_writes_table_and_json(tmp_path, capsys):
    mod = load_benchmark("hetero_goal_table")
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([_row("heco", "dblp", s, 0.91 + s / 100) for s in range(2)]))
    out = tmp_path / "goals.json"
    assert mod.main(["--rows", str(rows), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| heco | 2 | 91.50 ± 0.71 |" in printed
    written = json.loads(out.read_text())
    assert written["seeds"] == {"heco/dblp": [0, 1]}
    with pytest.raises(SystemExit):
        mod.main(["--rows", str(tmp_path / "missing.json")])
    assert "run benchmarks/hetero_select.py first" in capsys.readouterr().err


def test_another_config_is_its_own_row_with_the_same_goals():
    mod = load_benchmark("hetero_goal_table")
    shipped = [_row("meow", "acm", s, 0.90) for s in range(5)]
    shipped[0]["config"] = "meow_acm"  # naming the shipped config is the same as leaving it out
    cluster = [{**_row("meow", "acm", s, 0.70), "config": "meow_acm_cluster"} for s in range(5)]
    heco = [_row("heco", "acm", s, 0.60) for s in range(5)]
    runs = mod.selected_runs(shipped + cluster + heco)
    assert sorted(runs) == [("heco", "acm"), ("meow", "acm"), ("meow (meow_acm_cluster)", "acm")]
    stats = {key: mod.summary(group) for key, group in runs.items()}
    by_goal = {g["goal"]: g for g in mod.goals(stats, seeds=5)}
    assert by_goal["meow (meow_acm_cluster) acm NMI >= our HeCo"]["status"] == "met"  # 70 >= 60
    assert by_goal["meow acm NMI >= our HeCo"]["status"] == "met"
    table = mod.markdown(stats, mod.goals(stats, seeds=5))
    assert "| meow (meow_acm_cluster) | 5 | 70.00 ± 0.00 |" in table


def test_set_overrides_never_mix_with_the_shipped_rows():
    mod = load_benchmark("hetero_goal_table")
    rows = [_row("adameow", "acm", 0, 0.88), {**_row("adameow", "acm", 0, 0.91), "set": ["params.model.tau=0.5"]}]
    runs = mod.selected_runs(rows)
    assert sorted(runs) == [("adameow", "acm"), ("adameow (params.model.tau=0.5)", "acm")]
    assert runs[("adameow", "acm")][0]["metrics"]["test"]["nmi"] == 0.88


def test_a_goal_against_our_runs_waits_for_their_seeds_too():
    mod = load_benchmark("hetero_goal_table")
    rows = [_row("meow", "acm", s, 0.70) for s in range(5)] + [_row("heco", "acm", 0, 0.60)]
    stats = {key: mod.summary(group) for key, group in mod.selected_runs(rows).items()}
    by_goal = {g["goal"]: g for g in mod.goals(stats, seeds=5)}
    assert by_goal["meow acm NMI >= our HeCo"]["status"] == "open (reference 1/5, met so far)"
    assert by_goal["meow acm NMI >= our HeCo"]["reference"] == pytest.approx(60.0)
