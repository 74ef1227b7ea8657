"""Reproduction benchmark: SASRec / CL4SRec / MCLRec x datasets x seeds, next to the paper.

Runs each shipped config ``configs/rec/<model>_<dataset>.yaml`` (leave-one-out, full ranking),
prints a table (mean +- std over seeds, paper numbers from the MCLRec paper, SIGIR 2023,
Table 2) and writes JSON. Truncated runs (``--epochs`` / ``--max-train-batches``) are labelled
as such in both. ``--timing-batches N`` only times N training batches per model (seconds per
batch and the extrapolated seconds per full epoch), no evaluation.

    python benchmarks/rec_repro.py --models sasrec --datasets ml-100k --seeds 0 1 2
    python benchmarks/rec_repro.py --timing-batches 30 --datasets beauty --tcmalloc
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"

# MCLRec paper (Qin et al., SIGIR 2023) Table 2: HR@20 / NDCG@20 (the SASRec and CL4SRec rows
# are the paper's baselines, run by its authors).
PAPER = {
    ("sasrec", "sports"): (0.0500, 0.0224), ("sasrec", "beauty"): (0.0894, 0.0386),
    ("cl4srec", "sports"): (0.0557, 0.0238), ("cl4srec", "beauty"): (0.0974, 0.0428),
    ("mclrec", "sports"): (0.0734, 0.0319), ("mclrec", "beauty"): (0.1243, 0.0539),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=["sasrec", "cl4srec", "mclrec"])
    p.add_argument("--datasets", nargs="+", default=["beauty", "sports"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--epochs", type=int, help="cap on epochs (truncated run)")
    p.add_argument("--max-train-batches", type=int, help="batches per epoch (truncated run)")
    p.add_argument("--timing-batches", type=int, help="only time this many training batches per model")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="extra config override")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1: shared machine)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    p.add_argument("--tcmalloc", action="store_true", help=f"re-run with LD_PRELOAD={TCMALLOC}")
    p.add_argument("--out", default="benchmarks/results/rec_repro.json")
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


def run_config(model: str, dataset: str, seed: int, args):
    from graphcl.cli import resolve_config_path
    from graphcl.config import load_run_config

    overrides = [f"seed={seed}", f"device={args.device}", *args.set]
    if args.data_root:
        overrides.append(f"data_root={args.data_root}")
    if args.epochs:
        overrides.append(f"params.epochs={args.epochs}")
    if args.max_train_batches:
        overrides.append(f"params.max_train_batches={args.max_train_batches}")
    return load_run_config(resolve_config_path(f"rec/{model}_{dataset}"), overrides)


def time_batches(model: str, dataset: str, args, sequences) -> dict:
    import torch

    from graphcl.utils.seed import seed_everything
    from rec.train import build
    from rec.trainer import SeqRecTrainer

    run = run_config(model, dataset, 0, args)
    seed_everything(0)
    net, split = build(run, torch.device(args.device), sequences)
    trainer = SeqRecTrainer(net, split, run.params, args.device, 0)
    step = getattr(net, "training_step", None)
    net.train()
    batches = trainer.batches()
    times = []
    for number, inter in enumerate(batches):
        start = time.perf_counter()
        step(inter, trainer) if step else trainer.default_step(inter)
        times.append(time.perf_counter() - start)
        if number + 1 >= args.timing_batches + 2:
            break
    per_batch = statistics.median(times[2:])  # first two batches: warm-up
    n_batches = -(-split.train_seq.shape[0] // run.params.train_batch_size)
    return {"model": model, "dataset": dataset, "seconds_per_batch_median": per_batch,
            "batches_per_epoch": n_batches, "seconds_per_epoch_extrapolated": per_batch * n_batches,
            "timed_batches": len(times) - 2}


def main(argv=None) -> int:
    args = parse_args(argv)
    tcmalloc = maybe_reexec_with_tcmalloc(args)
    import logging

    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)
    from graphcl.runner import run_training
    from rec.train import load_sequence_data

    truncated = bool(args.epochs or args.max_train_batches)
    rows, raw = [], []
    for dataset in args.datasets:
        sequences = load_sequence_data(dataset, args.data_root)
        for model in args.models:
            if args.timing_batches:
                result = time_batches(model, dataset, args, sequences)
                raw.append(result)
                print(f"{model:8s} {dataset:8s} {result['seconds_per_batch_median']:.3f} s/batch, "
                      f"~{result['seconds_per_epoch_extrapolated']:.0f} s/epoch ({result['batches_per_epoch']} batches)",
                      flush=True)
                continue
            runs = []
            for seed in args.seeds:
                run = run_config(model, dataset, seed, args)
                with tempfile.TemporaryDirectory() as tmp:
                    run.out_dir = tmp
                    import rec.train as rec_train

                    original = rec_train.load_sequence_data
                    rec_train.load_sequence_data = lambda name, root=None: sequences  # loaded once
                    try:
                        _, metrics = run_training(run)
                    finally:
                        rec_train.load_sequence_data = original
                metrics.pop("history", None)
                runs.append({"seed": seed, **metrics})
                print(f"{model} {dataset} seed {seed}: test {metrics['test']} epochs {metrics['epochs']} "
                      f"{metrics['seconds_per_epoch']:.1f} s/epoch", flush=True)
            raw.append({"model": model, "dataset": dataset, "runs": runs})
            rows.append(summary_row(model, dataset, runs, truncated))
    if rows:
        print_table(rows, truncated)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.platform(),
            "cpus": os.cpu_count(), "threads": args.threads, "tcmalloc": tcmalloc, "torch": torch.__version__,
            "argv": sys.argv[1:], "truncated": truncated}
    out.write_text(json.dumps({"meta": meta, "rows": rows, "raw": raw}, indent=2, default=float))
    print(f"wrote {out}")
    return 0


def _mean_std(values):
    return (statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0)


def summary_row(model, dataset, runs, truncated):
    row = {"model": model, "dataset": dataset, "seeds": len(runs), "truncated": truncated}
    for key in ("hr@20", "ndcg@20", "hr@10", "ndcg@10", "hr@5", "ndcg@5"):
        row[key] = _mean_std([r["test"][key] for r in runs])
    row["epochs"] = _mean_std([r["epochs"] for r in runs])
    row["seconds_per_epoch"] = _mean_std([r["seconds_per_epoch"] for r in runs])
    row["paper_hr@20"], row["paper_ndcg@20"] = PAPER.get((model, dataset), (None, None))
    return row


def print_table(rows, truncated):
    def fmt(pair):
        return f"{pair[0]:.4f} ± {pair[1]:.4f}"

    head = "| model | dataset | seeds | HR@20 | NDCG@20 | paper HR@20 | paper NDCG@20 | epochs | s/epoch |"
    print(("TRUNCATED RUNS (not a reproduction)\n" if truncated else "") + head)
    print("|" + "---|" * 9)
    for r in rows:
        paper = (f"{r['paper_hr@20']:.4f} | {r['paper_ndcg@20']:.4f}" if r["paper_hr@20"] is not None else "- | -")
        print(f"| {r['model']} | {r['dataset']} | {r['seeds']} | {fmt(r['hr@20'])} | {fmt(r['ndcg@20'])} | {paper} | "
              f"{r['epochs'][0]:.0f} | {r['seconds_per_epoch'][0]:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
