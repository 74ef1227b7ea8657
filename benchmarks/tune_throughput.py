"""Tuning throughput: finished trials per second with 1, 2, 4 local workers per storage.

Usage::

    python benchmarks/tune_throughput.py --workers 1 2 4 --trials 24 --sleep 2.0 \\
        --pg-url postgresql://graphcl:graphcl@127.0.0.1:5432/graphcl_test --json tune_throughput.json

The objective is the toy model of the tests (``tests/tuning/toy_model.py``) with a sleep per
epoch, so a trial takes wall time without needing a CPU core: throughput shows what the storage
and the worker loop allow, not how many cores the machine has. Each configuration is a fresh
study (``bench_<storage>_<k>w_<random>``) run through ``graphcl.tuning`` exactly as
``graphcl tune --workers k`` runs it (spawned worker processes), without the summary re-runs.

Reported per row: trials/s over the trials' own span (first trial start to last trial end, from
the storage's timestamps; excludes process start-up) and over the wall time of the call
(includes spawning and importing torch in each worker), and the speed-up against 1 worker.
Ideal per-trial time is ``epochs * sleep``; the rest is per-trial overhead (storage round trips,
run folder writing, garbage collection between trials).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def run_one(storage_kind: str, url: str, workers: int, trials: int, sleep: float, epochs: int, out: Path) -> dict:
    import optuna
    import yaml

    from graphcl import registry
    from graphcl.tuning import commands
    from graphcl.tuning.storage import with_postgres_driver
    from tests.tuning.conftest import tune_args
    from tests.tuning.toy_model import ENTRY

    registry.MODELS["toy"] = ENTRY
    name = f"bench_{storage_kind}_{workers}w_{uuid.uuid4().hex[:6]}"
    (out / "base.yaml").write_text(
        yaml.safe_dump(
            {"task": "hetero", "model": "toy", "dataset": "toy", "params": {"epochs": epochs, "sleep": sleep}}
        )
    )
    study_path = out / f"{name}.yaml"
    study_path.write_text(
        yaml.safe_dump(
            {
                "base_config": "base.yaml",
                "study_name": name,
                "n_trials": trials,
                "final_seeds": [],
                "pruner": {"type": "none"},
                "sampler": {"type": "random", "seed": 0},
                "search_space": {"params.train.lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True}},
            }
        )
    )
    args = tune_args(study_path, out / "runs", storage=url, workers=workers)
    study_cfg, job, _, _ = commands.prepare(args)
    commands.create_or_load(study_cfg, job.storage_url)
    start = time.perf_counter()
    commands.run_workers(job, workers)
    wall = time.perf_counter() - start
    storage = (
        with_postgres_driver(url) if url.startswith("postgresql") else commands.create_or_load(study_cfg, url)._storage
    )
    study = optuna.load_study(study_name=name, storage=storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    span = (max(t.datetime_complete for t in done) - min(t.datetime_start for t in done)).total_seconds()
    per_trial = [(t.datetime_complete - t.datetime_start).total_seconds() for t in done]
    surplus = sum(t.state == optuna.trial.TrialState.FAIL for t in study.trials)
    if url.startswith("postgresql"):
        optuna.delete_study(study_name=name, storage=storage)  # keep the test database small
    return {
        "storage": storage_kind,
        "workers": workers,
        "trials": len(done),
        "surplus_failed": surplus,
        "span_s": span,
        "wall_s": wall,
        "trials_per_s_span": len(done) / span,
        "trials_per_s_wall": len(done) / wall,
        "mean_trial_s": sum(per_trial) / len(per_trial),
        "ideal_trial_s": epochs * sleep,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--trials", type=int, default=24, help="trials per study")
    parser.add_argument("--sleep", type=float, default=1.0, help="seconds slept per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="epochs (reports) per trial")
    parser.add_argument(
        "--storages", nargs="+", default=["journal", "postgres"], choices=["journal", "postgres", "sqlite"]
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("GRAPHCL_TEST_PG_URL"),
        help="PostgreSQL URL (default: $GRAPHCL_TEST_PG_URL); postgres rows are skipped without it",
    )
    parser.add_argument("--json", default="tune_throughput.json", help="output JSON file")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for kind in args.storages:
            if kind == "postgres" and not args.pg_url:
                print("postgres: skipped (no --pg-url / GRAPHCL_TEST_PG_URL)")
                continue
            for k in args.workers:
                url = {
                    "journal": f"journal://{out / f'j{k}.log'}",
                    "sqlite": f"sqlite:///{out / f's{k}.db'}",
                    "postgres": args.pg_url,
                }[kind]
                row = run_one(kind, url, k, args.trials, args.sleep, args.epochs, out)
                rows.append(row)
                print(f"{kind} {k} worker(s): {row['trials_per_s_span']:.3f} trials/s", flush=True)
    for row in rows:
        base = next(r for r in rows if r["storage"] == row["storage"] and r["workers"] == min(args.workers))
        row["speedup_span"] = row["trials_per_s_span"] / base["trials_per_s_span"]

    header = f"{'storage':<10}{'workers':>8}{'trials':>8}{'trial s':>9}{'ideal s':>9}{'trials/s':>10}{'speed-up':>10}{'trials/s (wall)':>17}"
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        print(
            f"{r['storage']:<10}{r['workers']:>8}{r['trials']:>8}{r['mean_trial_s']:>9.2f}{r['ideal_trial_s']:>9.2f}"
            f"{r['trials_per_s_span']:>10.3f}{r['speedup_span']:>10.2f}{r['trials_per_s_wall']:>17.3f}"
        )
    record = {
        "command": " ".join([Path(sys.executable).name] + sys.argv),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": os.getloadavg(),
        },
        "settings": {"trials": args.trials, "sleep": args.sleep, "epochs": args.epochs},
        "rows": rows,
    }
    Path(args.json).write_text(json.dumps(record, indent=2, default=str))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
