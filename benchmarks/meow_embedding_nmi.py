"""Which MEOW embedding clusters best? Train MEOW once and score k-means NMI/ARI (and Macro-F1@20)
of several embeddings at a few epochs.

Embeddings: ``z_eval`` (fused fine view in eval mode: what ``MEOW.embed`` returns), ``z_train``
(the same in train mode, dropout on: the official ``get_embeds`` returns the last training
forward's fused view), ``z_eval_l2`` (row-normalised), ``fine_proj`` (tanh-projected and normalised,
the InfoNCE candidates), ``coarse`` / ``coarse_proj`` (coarse view, raw / projected), ``concat``.

Usage: PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/meow_embedding_nmi.py --data-root /work/shared/data \
    --checkpoints 50 120 200
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

from graphcl.config import from_dict, read_yaml
from graphcl.data import load_hetero
from graphcl.eval import kmeans_nmi_ari, logreg_evaluate
from graphcl.hetero.params import MEOWParams
from graphcl.hetero.train import build
from graphcl.hetero.validation import splits


@torch.no_grad()
def embeddings(model, inputs) -> dict[str, torch.Tensor]:
    out = {}
    for mode in ("eval", "train"):
        model.train(mode == "train")
        z_coarse, _, z = model.encoder(inputs)
        out[f"z_{mode}"] = z
        if mode == "eval":
            out["z_eval_l2"] = F.normalize(z, dim=1)
            out["fine_proj"] = F.normalize(torch.tanh(model.project(z)), dim=1)
            out["coarse"] = z_coarse
            out["coarse_proj"] = F.normalize(torch.tanh(model.project(z_coarse)), dim=1)
            out["concat"] = torch.cat([F.normalize(z, dim=1), F.normalize(z_coarse, dim=1)], dim=1)
    model.train()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="acm")
    ap.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    ap.add_argument("--checkpoints", type=int, nargs="+", default=[50, 120, 200])
    ap.add_argument("--kmeans-runs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="logistic-regression repeats for Macro-F1@20")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    cfg = read_yaml(f"configs/hetero/meow_{args.dataset}.yaml")["params"]
    params = from_dict(MEOWParams, cfg)
    data = load_hetero(args.dataset, args.data_root)
    labels = data[data.target].y.long()
    tr, va, te = splits(data, data.target)[20]
    model, inputs = build("meow", data, params, seed=args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    results, start = [], time.time()
    for epoch in range(1, max(args.checkpoints) + 1):
        model.train()
        opt.zero_grad()
        loss = model.loss(inputs)
        loss.backward()
        opt.step()
        if epoch in args.checkpoints:
            row = {"epoch": epoch, "loss": float(loss), "elapsed_s": round(time.time() - start)}
            for name, z in embeddings(model, inputs).items():
                km = kmeans_nmi_ari(z, labels, runs=args.kmeans_runs, seed=args.seed)
                f1 = logreg_evaluate(
                    z,
                    labels,
                    tr,
                    va,
                    te,
                    lr=params.eval.eval_lr,
                    weight_decay=params.eval.eval_weight_decay,
                    repeats=args.repeats,
                    seed=args.seed,
                )["macro_f1"]
                row[name] = {
                    "nmi": round(100 * km["nmi"], 2),
                    "ari": round(100 * km["ari"], 2),
                    "macro_f1_20": round(100 * f1, 2),
                }
            print(json.dumps(row), flush=True)
            results.append(row)


if __name__ == "__main__":
    main()
