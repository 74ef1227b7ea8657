"""AdaMEOW epoch time on a real dataset: fused block loss (pair weights once per block) versus the
earlier formulation (InfoNCE with a lazy weight callable + a separately checkpointed regulariser).

Epochs alternate between the variants (same model, same optimiser), so background load affects all
alike. ``--against COMMIT`` adds that commit's ``graphcl/hetero/adameow.py`` and ``graphcl/core/infonce.py``
(its compiled path, on its own copy of the model) as one more variant, to time a change side by side with the code before it.
Usage: PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/adameow_epoch_time.py --data-root /work/shared/data --epochs 3
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
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
    ap.add_argument("--against", default=None, help="also time this commit's compiled AdaMEOW (e.g. afbf388)")
    ap.add_argument("--variants", nargs="+", default=None, help="time only these of: fused, previous, fused+compiled")
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
    optimisers = dict.fromkeys(variants, opt)
    if args.against:
        old_model = _model_at(args.against, compiled, inputs)
        old_model.load_state_dict(model.state_dict())
        name = f"fused+compiled @ {args.against}"
        variants[name] = lambda: old_model.loss(inputs)
        optimisers[name] = torch.optim.Adam(old_model.parameters(), lr=params.train.lr)
    if args.variants:  # the --against variant is always kept
        variants = {k: v for k, v in variants.items() if k in args.variants or k.endswith(f"@ {args.against}")}
    times = {k: [] for k in variants}
    for epoch in range(args.epochs + 1):
        for name, fn in variants.items():
            start = time.perf_counter()
            optimisers[name].zero_grad()
            loss = fn()
            loss.backward()
            optimisers[name].step()
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
            "against": args.against,
            "threads": torch.get_num_threads(),
            "epochs": args.epochs,
            "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
            "load_avg": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        Path(args.out).write_text(json.dumps({**meta, "variants": summary}, indent=2) + "\n")


def _model_at(commit: str, params: AdaMEOWParams, inputs):
    """An AdaMEOW built from ``graphcl/hetero/adameow.py`` and ``graphcl/core/infonce.py`` as they
    were at ``commit`` (the rest of the package is today's)."""
    adameow = _module_at(commit, "graphcl/hetero/adameow.py")
    adameow.InfoNCE = _module_at(commit, "graphcl/core/infonce.py").InfoNCE
    return adameow.AdaMEOW(params, inputs)


def _module_at(commit: str, path: str):
    source = subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, text=True, check=True).stdout
    name = f"{Path(path).stem}_{commit}"
    file = Path(f"/tmp/{name}.py")
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
