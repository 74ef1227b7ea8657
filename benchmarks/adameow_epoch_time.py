"""AdaMEOW epoch time on a real dataset: fused block loss (pair weights once per block) versus the
earlier formulation (InfoNCE with a lazy weight callable + a separately checkpointed regulariser).

Epochs alternate between the two (same model, same optimiser), so background load affects both alike.
Usage: PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/adameow_epoch_time.py --data-root /work/shared/data --epochs 3
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

import torch

from graphcl.config import from_dict, read_yaml
from graphcl.data import load_hetero
from graphcl.hetero.params import AdaMEOWParams
from graphcl.hetero.train import build
from tests.hetero.test_adameow_blocks import _reference_loss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="acm")
    ap.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per variant (plus one warm-up each)")
    ap.add_argument("--out", default=None, help="write the medians and the machine's details as JSON")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    cfg = read_yaml(f"configs/hetero/adameow_{args.dataset}.yaml")["params"]
    params = from_dict(AdaMEOWParams, cfg)
    model, inputs = build("adameow", load_hetero(args.dataset, args.data_root), params, seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    compiled = dataclasses.replace(params, train=dataclasses.replace(params.train, compile_pair_weights=True))

    def fused(p):
        model.params = p
        return model.loss(inputs)

    variants = {
        "fused": lambda: fused(params),
        "previous": lambda: _reference_loss(model, inputs),
        "fused+compiled": lambda: fused(compiled),  # its warm-up epoch includes the compilation
    }
    times = {k: [] for k in variants}
    for epoch in range(args.epochs + 1):
        for name, fn in variants.items():
            start = time.perf_counter()
            opt.zero_grad()
            loss = fn()
            loss.backward()
            opt.step()
            if epoch > 0:
                times[name].append(time.perf_counter() - start)
            print(name, epoch, f"{time.perf_counter() - start:.2f}s loss={float(loss):.5f}", flush=True)
    summary = {k: {"median_s": statistics.median(v), "all_s": [round(x, 2) for x in v]} for k, v in times.items()}
    print(json.dumps(summary))
    if args.out:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        meta = {
            "dataset": args.dataset,
            "commit": commit,
            "threads": torch.get_num_threads(),
            "epochs": args.epochs,
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
            "load_avg": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        Path(args.out).write_text(json.dumps({**meta, "variants": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
