"""Metrics of a short SASRec run on ml-100k: one process vs ``torchrun --nproc_per_node 2`` (issue 20).

For each seed, trains the shipped ``rec/sasrec_ml-100k`` config for ``--epochs`` epochs (dropout
on: the ranks draw their own masks, so the two runs are not bitwise equal) once as a single process
and once under torchrun (gloo, CPU, ``--threads`` per process), reads each run's ``metrics.json``
and prints test HR/NDCG@20 under both protocols side by side, with the mean and sample std over
seeds of each side and of their difference.

    PYTHONPATH=. GRAPHCL_DATA=/work/shared/data python benchmarks/rec_ddp_parity.py --seeds 0 1 2 \\
        --out benchmarks/results/rec_ddp_parity.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from rec_repro import git_commit  # noqa: E402

KEYS = ("hr@20", "ndcg@20")


def run(launcher: list[str], seed: int, epochs: int, threads: int, out_dir: Path) -> dict:
    args = ["train", "rec/sasrec_ml-100k", "--threads", str(threads), "--out-dir", str(out_dir)]
    args += ["--set", f"seed={seed}", "--set", f"params.train.epochs={epochs}", "--set", "device=cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(REPO)}
    subprocess.run(launcher + args, check=True, cwd=REPO, env=env, capture_output=True, text=True)
    (run_dir,) = out_dir.iterdir()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {p: {k: metrics[f"test_{p}"][k] for k in KEYS} for p in ("p2", "p1")} | {"epochs": metrics["epochs"]}


def mean_std(values: list[float]) -> str:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {std:.4f}"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--nproc", type=int, default=2)
    p.add_argument("--threads", type=int, default=1, help="torch threads per process")
    p.add_argument("--out", help="JSON file for the rows")
    args = p.parse_args(argv)
    single = [sys.executable, "-m", "graphcl"]
    ddp = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={args.nproc}", "-m"]
    ddp += ["graphcl"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            for name, launcher in (("single", single), (f"torchrun x{args.nproc}", ddp)):
                out = Path(tmp) / f"{name.replace(' ', '_')}-{seed}"
                rows.append({"seed": seed, "run": name, **run(launcher, seed, args.epochs, args.threads, out)})
                print(rows[-1], flush=True)
    print("| run | P2 HR@20 | P2 NDCG@20 | P1 HR@20 | P1 NDCG@20 |\n|---|---|---|---|---|")
    for name in dict.fromkeys(r["run"] for r in rows):
        mine = [r for r in rows if r["run"] == name]
        cells = [mean_std([r[pr][k] for r in mine]) for pr in ("p2", "p1") for k in KEYS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.out:
        meta = {
            "config": "rec/sasrec_ml-100k",
            "epochs": args.epochs,
            "threads_per_process": args.threads,
            "nproc": args.nproc,
            "commit": git_commit(),
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_avg": os.getloadavg(),
        }
        Path(args.out).write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
