"""Reproduction benchmark: SASRec / CL4SRec / MCLRec / SRA-CL x datasets x seeds, next to the papers.

Runs each shipped config ``configs/rec/<model>_<dataset>.yaml`` (leave-one-out, full ranking,
early stopping on validation NDCG@20) in its own run folder under ``--runs-dir``, and appends one
row per finished run to ``--rows`` (``benchmarks/results/rec_repro.json``): model, dataset, seed,
commit, overrides, epochs, best epoch, threads, seconds per epoch, ``valid``, ``test_p2``,
``test_p1``. An interrupted run (Ctrl-C, SIGTERM, a session that ends) continues from its
``last.pt`` when the same command is run again; a run whose row exists is skipped.

    python benchmarks/rec_repro.py --models sasrec --datasets beauty --seeds 0 1 2 --runs-dir /work/rec_runs
    python benchmarks/rec_repro.py --table          # mean +- sample std of the rows, beside the papers

Start long runs from a git worktree at a fixed commit (the row records it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
ROWS = Path("benchmarks/results/rec_repro.json")
METRIC_KEYS = ("hr@5", "ndcg@5", "hr@10", "ndcg@10", "hr@20", "ndcg@20")

# HR@20 / NDCG@20 under P2 (all items ranked). MCLRec paper (Qin et al., SIGIR 2023) Table 2 at
# max_len 50 (its SASRec and CL4SRec rows equal ICSRec's, which masks history: compare with P1
# too); SRA-CL paper (Cui et al., NeurIPS 2025) at max_len 20, "w/o semantic" ablation and SASRec.
PAPER_P2 = {
    ("sasrec", "beauty", 50): (0.0894, 0.0386),
    ("cl4srec", "beauty", 50): (0.0974, 0.0428),
    ("mclrec", "beauty", 50): (0.1243, 0.0539),
    ("sasrec", "sports", 50): (0.0500, 0.0224),
    ("cl4srec", "sports", 50): (0.0557, 0.0238),
    ("mclrec", "sports", 50): (0.0734, 0.0319),
    ("sracl", "beauty", 20): (0.1265, 0.0532),
    ("sracl", "sports", 20): (0.0772, 0.0311),
    ("sasrec", "beauty", 20): (0.1206, 0.0518),
    ("sasrec", "sports", 20): (0.0745, 0.0296),
}
# P1 (training items masked) anchors at max_len 50: ICSRec (Qin et al., WSDM 2024), BSARec (AAAI 2024).
PAPER_P1 = {
    ("icsrec", "beauty"): (0.1298, 0.0663),
    ("icsrec", "sports"): (0.0794, 0.0393),
    ("bsarec", "beauty"): (0.1373, 0.0703),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=["sasrec", "cl4srec", "mclrec"])
    p.add_argument("--datasets", nargs="+", default=["beauty", "sports"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="extra config override")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1: shared machine)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    p.add_argument("--runs-dir", default="runs/rec_repro", help="parent of the per-run folders (outside the repo)")
    p.add_argument("--rows", default=str(ROWS), help="JSON file the finished runs' rows are appended to")
    p.add_argument("--table", action="store_true", help="only print the table of --rows")
    p.add_argument("--tcmalloc", action="store_true", help=f"re-run with LD_PRELOAD={TCMALLOC}")
    return p.parse_args(argv)


def maybe_reexec_with_tcmalloc(args) -> bool:
    """Re-execute this script with tcmalloc preloaded; returns whether tcmalloc is active."""
    if not args.tcmalloc:
        return False
    if "tcmalloc" in os.environ.get("LD_PRELOAD", ""):
        return True
    if not Path(TCMALLOC).is_file():
        sys.exit(f"--tcmalloc: {TCMALLOC} not found; install it with `apt-get install libtcmalloc-minimal4`")
    env = dict(os.environ, LD_PRELOAD=f"{TCMALLOC} {os.environ.get('LD_PRELOAD', '')}".strip())
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def git_commit() -> str:
    """HEAD of the checkout this script runs from, with ``-dirty`` for uncommitted changes."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def overrides_of(args) -> dict:
    """The ``--set`` overrides as a mapping (stored in each row; device and paths are not)."""
    out = {}
    for text in args.set:
        key, _, value = text.partition("=")
        out[key] = value
    return out


def run_folder(args, model: str, dataset: str, seed: int) -> Path:
    tag = "".join(f"_{k.split('.')[-1]}={v}" for k, v in sorted(overrides_of(args).items()))
    return Path(args.runs_dir) / f"{model}-{dataset}-s{seed}{tag}"


def run_one(model: str, dataset: str, seed: int, args) -> dict:
    """Start, resume or collect one run; return its result row."""
    from graphcl.cli import resolve_config_path
    from graphcl.config import load_run_config
    from graphcl.runner import resume_training, run_training

    folder = run_folder(args, model, dataset, seed)
    commit = git_commit()
    if (folder / "metrics.json").is_file():
        metrics = json.loads((folder / "metrics.json").read_text())
    elif (folder / "last.pt").is_file():
        print(f"resuming {folder}", flush=True)
        _, metrics = resume_training(folder)
    else:
        overrides = [f"seed={seed}", f"device={args.device}", *args.set]
        if args.data_root:
            overrides.append(f"data_root={args.data_root}")
        run = load_run_config(resolve_config_path(f"rec/{model}_{dataset}"), overrides)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "commit.txt").write_text(commit + "\n")
        _, metrics = run_training(run, run_dir=folder)
    started = (folder / "commit.txt").read_text().strip() if (folder / "commit.txt").is_file() else "unknown"
    row = result_row(model, dataset, seed, args, metrics, folder, started)
    if started != commit:
        row["finished_at_commit"] = commit
    return row


def result_row(model, dataset, seed, args, metrics, folder, commit) -> dict:
    return {
        "model": model,
        "dataset": dataset,
        "seed": seed,
        "commit": commit,
        "overrides": overrides_of(args),
        "max_seq_length": metrics["max_seq_length"],
        "epochs_run": metrics["epochs"],
        "best_epoch": metrics["best_epoch"],
        "stopped_early": metrics["stopped_early"],
        "max_train_batches": metrics["max_train_batches"],
        "threads": metrics["threads"],
        "seconds_per_epoch": metrics["seconds_per_epoch"],
        "valid": metrics["val"],
        "test_p2": metrics["test_p2"],
        "test_p1": metrics["test_p1"],
        "machine": f"{platform.node()} {platform.platform()} ({os.cpu_count()} cpus)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "run_dir": str(folder),
    }


def load_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    return data["rows"] if isinstance(data, dict) else data


def append_row(path: Path, row: dict) -> None:
    """Add ``row`` unless the same run (model, dataset, seed, overrides, max_len) is there; a
    lock file keeps two benchmark processes from losing each other's rows."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = load_rows(path)
        if any(same_run(r, row) for r in rows):
            return
        rows.append(row)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rows": rows}, indent=1, default=float) + "\n")
        os.replace(tmp, path)


def same_run(a: dict, b: dict) -> bool:
    keys = ("model", "dataset", "seed", "overrides", "max_seq_length")
    return all(a.get(k) == b.get(k) for k in keys)


def mean_std(values) -> tuple[float, float]:
    values = list(values)
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def table(rows: list[dict]) -> str:
    """Mean +- sample std per model, dataset, max_len and overrides over converged rows."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("max_train_batches") is None:
            key = (r["dataset"], r["max_seq_length"], r["model"], json.dumps(r.get("overrides") or {}, sort_keys=True))
            groups.setdefault(key, []).append(r)
    lines = [
        "| dataset | max_len | model | overrides | seeds | P2 HR@20 | P2 NDCG@20 | paper P2 | P1 HR@20 | "
        "P1 NDCG@20 | epochs | s/epoch |",
        "|" + "---|" * 12,
    ]
    for (dataset, max_len, model, overrides), runs in sorted(groups.items()):

        def cell(protocol, key):
            m, s = mean_std(r[protocol][key] for r in runs)
            return f"{m:.4f} ± {s:.4f}"

        paper = PAPER_P2.get((model, dataset, max_len))
        stopped = sum(bool(r["stopped_early"]) for r in runs)
        lines.append(
            f"| {dataset} | {max_len} | {model} | {overrides if overrides != '{}' else ''} | {len(runs)}"
            f"{'' if stopped == len(runs) else f' ({len(runs) - stopped} hit the epoch cap)'} | "
            f"{cell('test_p2', 'hr@20')} | {cell('test_p2', 'ndcg@20')} | "
            f"{f'{paper[0]:.4f} / {paper[1]:.4f}' if paper else '-'} | {cell('test_p1', 'hr@20')} | "
            f"{cell('test_p1', 'ndcg@20')} | {mean_std(r['epochs_run'] for r in runs)[0]:.0f} | "
            f"{mean_std(r['seconds_per_epoch'] for r in runs)[0]:.1f} |"
        )
    anchors = ", ".join(f"{m} {d} {hr:.4f} / {nd:.4f}" for (m, d), (hr, nd) in PAPER_P1.items())
    return "\n".join(lines) + f"\nP1 anchors (HR@20 / NDCG@20, max_len 50): {anchors}"


def main(argv=None) -> int:
    args = parse_args(argv)
    rows_path = Path(args.rows)
    if args.table:
        print(table(load_rows(rows_path)))
        return 0
    maybe_reexec_with_tcmalloc(args)
    import logging

    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)
    for dataset in args.datasets:
        for model in args.models:
            for seed in args.seeds:
                row = run_one(model, dataset, seed, args)
                append_row(rows_path, row)
                print(
                    f"{model} {dataset} seed {seed}: P2 {row['test_p2']['hr@20']:.4f}/{row['test_p2']['ndcg@20']:.4f} "
                    f"P1 {row['test_p1']['hr@20']:.4f}/{row['test_p1']['ndcg@20']:.4f} HR/NDCG@20, "
                    f"{row['epochs_run']} epochs, {row['seconds_per_epoch']:.1f} s/epoch",
                    flush=True,
                )
    print(table(load_rows(rows_path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
