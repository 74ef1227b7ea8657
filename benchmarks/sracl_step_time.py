"""Seconds per training batch: SASRec vs SRA-CL (online / epoch_cache neighbour encoding).

    nice python benchmarks/sracl_step_time.py --batches 10

Same data (ml-100k), batch size 256, max_len 20, one torch thread; prints the mean seconds of
``batches`` optimisation steps after one warm-up step, and the ratio to SASRec.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from sracl_repro import load_ml100k  # noqa: E402


def seconds_per_step(model_name: str, params, data, batches: int) -> float:
    from graphcl.config import RunConfig
    from graphcl.utils.seed import seed_everything
    from rec.train import build
    from rec.trainer import SeqRecTrainer

    seed_everything(0)
    run = RunConfig(task="rec", model=model_name, dataset="ml-100k", seed=0, device="cpu", params=params)
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=10)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    from rec.params import SASRecParams
    from rec.sracl.params import SRACLParams

    data = load_ml100k()
    rows = [("sasrec", "sasrec", SASRecParams(max_seq_length=20)),
            ("sracl online", "sracl", SRACLParams(neighbour_encoding="online")),
            ("sracl epoch_cache", "sracl", SRACLParams(neighbour_encoding="epoch_cache"))]
    base = None
    for label, model_name, params in rows:
        sec = seconds_per_step(model_name, params, data, args.batches)
        base = base or sec
        print(f"{label:18s} {sec:7.3f} s/batch  x{sec / base:4.1f}", flush=True)


if __name__ == "__main__":
    main()
