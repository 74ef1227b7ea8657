"""Seconds per training batch: SASRec vs SRA-CL (neighbour encoding and retrieval variants).

    nice python benchmarks/sracl_step_time.py --batches 10
    nice python benchmarks/sracl_step_time.py --dataset beauty --batches 10 --tcmalloc --out step_time_beauty.json

Batch size 256, max_len 20, one torch thread; prints the mean seconds of ``batches``
optimisation steps after one warm-up step, and the ratio to SASRec. ml-100k uses real titles
(per-user retrieval, online vs epoch_cache encoding); Beauty/Sports use the ID-free semantics of
their shipped configs (per-prefix retrieval among other users vs among their training prefixes).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from rec_repro import TCMALLOC, maybe_reexec_with_tcmalloc  # noqa: E402
from sracl_repro import load_iclrec, load_ml100k  # noqa: E402


def seconds_per_step(model_name: str, params, data, dataset: str, batches: int) -> float:
    from graphcl.config import RunConfig
    from graphcl.utils.seed import seed_everything
    from rec.train import build
    from rec.trainer import SeqRecTrainer

    seed_everything(0)
    run = RunConfig(task="rec", model=model_name, dataset=dataset, seed=0, device="cpu", params=params)
    model, split = build(run, torch.device("cpu"), data)
    trainer = SeqRecTrainer(model, split, params, "cpu", 0)
    model.train()
    if hasattr(model, "on_epoch_start"):
        model.on_epoch_start(trainer)
    step = getattr(model, "training_step", None)
    it = trainer.batches()
    times = []
    for n in range(batches + 1):
        batch = next(it)
        start = time.perf_counter()
        step(batch, trainer) if step else trainer.default_step(batch)
        if n:  # the first step warms up allocations
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def variants(dataset: str):
    from rec.params import SASRecModel, SASRecParams
    from rec.sracl.params import SRACLModel, SRACLParams

    rows = [("sasrec", "sasrec", SASRecParams(model=SASRecModel(max_seq_length=20)))]
    if dataset == "ml-100k":
        return rows + [
            ("sracl online", "sracl", SRACLParams(model=SRACLModel(neighbour_encoding="online"))),
            ("sracl epoch_cache", "sracl", SRACLParams(model=SRACLModel(neighbour_encoding="epoch_cache"))),
        ]
    free = dict(item_semantics="cooc", user_semantics="mean_items", user_retrieval="prefix")
    return rows + [
        ("sracl prefix/users", "sracl", SRACLParams(model=SRACLModel(**free))),
        ("sracl prefix/prefixes", "sracl", SRACLParams(model=SRACLModel(**free, retrieval_candidates="prefixes"))),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["ml-100k", "beauty", "sports"], default="ml-100k")
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--tcmalloc", action="store_true", help=f"re-run with LD_PRELOAD={TCMALLOC}")
    ap.add_argument("--out", help="also write the rows to this JSON file")
    args = ap.parse_args(argv)
    tcmalloc = maybe_reexec_with_tcmalloc(args)
    torch.set_num_threads(1)
    data = load_ml100k() if args.dataset == "ml-100k" else load_iclrec(args.dataset)
    base, rows = None, []
    for label, model_name, params in variants(args.dataset):
        sec = seconds_per_step(model_name, params, data, args.dataset, args.batches)
        base = base or sec
        rows.append({"variant": label, "seconds_per_batch": sec, "ratio_to_sasrec": sec / base})
        print(f"{label:22s} {sec:7.3f} s/batch  x{sec / base:4.1f}", flush=True)
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "dataset": args.dataset,
                    "batches": args.batches,
                    "batch_size": 256,
                    "threads": 1,
                    "tcmalloc": tcmalloc,
                    "torch": torch.__version__,
                    "machine": platform.platform(),
                    "argv": sys.argv[1:],
                    "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                    "rows": rows,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
